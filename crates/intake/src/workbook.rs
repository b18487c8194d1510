//! Workbooks through calamine: cells as text (a 网站标识码 stored as a number stays
//! `3602000001`, not `3602000001.0`), merged regions filled with their value.

use std::path::Path;

use calamine::{Data, Dimensions, Reader, Sheets, open_workbook_auto};

use crate::IntakeError;
use crate::sheet::{Sheet, tidy};

pub(crate) fn read(path: &Path, file: &str) -> Result<Vec<Sheet>, IntakeError> {
    let failed = |reason: String| IntakeError::Read {
        file: file.to_string(),
        reason,
    };
    let mut book = open_workbook_auto(path).map_err(|e| failed(e.to_string()))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| failed(format!("sheet {name}: {e}")))?;
        let merged = merged_regions(&mut book, &name).map_err(failed)?;
        let mut rows = grid(&range);
        fill_merged(&mut rows, &merged);
        sheets.push(Sheet {
            file: file.to_string(),
            name,
            rows,
        });
    }
    Ok(sheets)
}

/// The sheet's cells at their absolute positions (a range starts at its first used cell,
/// which need not be A1).
fn grid(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    let Some((top, left)) = range.start() else {
        return Vec::new();
    };
    let (top, left) = (top as usize, left as usize);
    let mut rows = vec![Vec::new(); top];
    for row in range.rows() {
        let mut cells = vec![String::new(); left];
        cells.extend(row.iter().map(text));
        rows.push(cells);
    }
    rows
}

/// The text an office sees in a cell. Codes and phone numbers are often stored as numbers:
/// a whole float is written as Rust writes floats, without a fraction or an exponent.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => tidy(s),
        other => tidy(&other.to_string()),
    }
}

/// Merged regions of xlsx and xls sheets (other formats report none).
fn merged_regions<R: std::io::Read + std::io::Seek>(
    book: &mut Sheets<R>,
    name: &str,
) -> Result<Vec<Dimensions>, String> {
    match book {
        Sheets::Xlsx(x) => x
            .merge_cells_by_sheet_name(name)
            .map_err(|e| format!("sheet {name}: merged cells: {e}")),
        Sheets::Xls(x) => x
            .merge_cells_by_sheet_name(name)
            .map_err(|e| format!("sheet {name}: merged cells: {e}")),
        _ => Ok(Vec::new()),
    }
}

/// Gives every cell of a merged region the value of its top-left cell.
fn fill_merged(rows: &mut Vec<Vec<String>>, regions: &[Dimensions]) {
    for d in regions {
        let (top, left) = (d.start.0 as usize, d.start.1 as usize);
        let (bottom, right) = (d.end.0 as usize, d.end.1 as usize);
        let value = rows
            .get(top)
            .and_then(|r| r.get(left))
            .cloned()
            .unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        for r in top..=bottom {
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            let row = &mut rows[r];
            if row.len() <= right {
                row.resize(right + 1, String::new());
            }
            for cell in &mut row[left..=right] {
                cell.clone_from(&value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_lose_no_digit_and_gain_no_fraction() {
        assert_eq!(text(&Data::Float(3602000001.0)), "3602000001");
        assert_eq!(text(&Data::Int(3602000001)), "3602000001");
        assert_eq!(text(&Data::Float(1.5)), "1.5");
        assert_eq!(text(&Data::String("  市人社局\u{3000}".into())), "市人社局");
    }
}
