//! Where an entry came from, and what is wrong with a row or a sheet.

use std::fmt;

/// The file, sheet and row an entry was read from; every problem and every comment in the
/// written registry names it, so that an office finds the row in its own workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file's name as given (no folder), e.g. `网站.xlsx`.
    pub file: String,
    /// The sheet's name; a CSV file's is its file stem.
    pub sheet: String,
    /// 1-based row, as the spreadsheet numbers it.
    pub row: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] row {}", self.file, self.sheet, self.row)
    }
}

/// One thing the import cannot use: a row (with the column at fault) or a whole sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub sheet: String,
    /// 1-based row; `None` for a problem with the whole sheet.
    pub row: Option<usize>,
    /// The column at fault: its letter (`C`) and its header (`首页网址`), or the header the
    /// sheet lacks (letter empty).
    pub column: Option<(String, String)>,
    pub message: String,
}

impl Problem {
    /// A problem with the cell of `origin`'s row in column `index` (0-based) headed `label`.
    pub fn at(origin: &Origin, index: Option<usize>, label: &str, message: String) -> Problem {
        Problem {
            file: origin.file.clone(),
            sheet: origin.sheet.clone(),
            row: Some(origin.row),
            column: Some((
                index.map(column_letter).unwrap_or_default(),
                label.to_string(),
            )),
            message,
        }
    }

    /// A problem with the whole sheet.
    pub fn sheet(file: &str, sheet: &str, message: String) -> Problem {
        Problem {
            file: file.to_string(),
            sheet: sheet.to_string(),
            row: None,
            column: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.file, self.sheet)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        match &self.column {
            Some((letter, label)) if letter.is_empty() => write!(f, ", no column {label}")?,
            Some((letter, label)) => write!(f, ", column {letter} ({label})")?,
            None => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// The spreadsheet's letter for a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
