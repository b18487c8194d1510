//! A sheet as text: every cell as the office sees it, at the position the spreadsheet gives it.

use std::path::Path;

use crate::IntakeError;

/// One sheet of a workbook, or a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The file's name (no folder), for messages.
    pub file: String,
    pub name: String,
    /// `rows[r][c]` is the cell in row `r + 1`, column `c` (0-based), trimmed; a merged
    /// region's value fills every cell of the region, so a header over two columns or a unit
    /// named once for several rows reads the same in each.
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The trimmed text of a cell; empty when the row is shorter.
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Every sheet of a workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`) or the one sheet of a CSV
/// file, by the file's extension.
pub fn read(path: &Path) -> Result<Vec<Sheet>, IntakeError> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => crate::workbook::read(path, &file),
        "csv" | "txt" => crate::csv_file::read(path, &file),
        _ => Err(IntakeError::Format { file, ext }),
    }
}

/// A cell's text with surrounding whitespace (including the full-width space) removed.
pub(crate) fn tidy(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
        .to_string()
}
