//! Writing a round's reports to a folder, in the formats asked for.
//!
//! Every file is rendered from the same [`Report`]: `report.json` is the contract, the
//! notice (`report.md`, `report.html`, `report.docx`) and the workbook (`report.xlsx`) are
//! views of it.

use std::path::Path;

use clap::ValueEnum;
use spotcheck_report::{Report, render};

use crate::error::CliError;

/// A report file the commands can write.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The notice in Markdown.
    Md,
    /// The notice as one print-ready HTML page.
    Html,
    /// The summary, the attachments and the evidence as a workbook.
    Xlsx,
    /// The notice as a Word document.
    Docx,
    /// The machine-readable report (the `report.json` contract).
    Json,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Md,
        Format::Html,
        Format::Xlsx,
        Format::Docx,
        Format::Json,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Md => "report.md",
            Format::Html => "report.html",
            Format::Xlsx => "report.xlsx",
            Format::Docx => "report.docx",
            Format::Json => "report.json",
        }
    }
}

/// Writes the report in each format asked for (each once, whatever the order asked).
pub fn write_reports(dir: &Path, report: &Report, formats: &[Format]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
    let notice = render::Rendering::of(report);
    for format in Format::ALL.into_iter().filter(|f| formats.contains(f)) {
        let bytes = match format {
            Format::Json => {
                let json = serde_json::to_string_pretty(report)
                    .map_err(|e| CliError::failed(format!("cannot encode the report: {e}")))?;
                (json + "\n").into_bytes()
            }
            Format::Md => notice.markdown().into_bytes(),
            Format::Html => notice.html().into_bytes(),
            Format::Xlsx => notice.xlsx().map_err(|e| CliError::failed(e.to_string()))?,
            Format::Docx => notice.docx().map_err(|e| CliError::failed(e.to_string()))?,
        };
        let path = dir.join(format.file_name());
        std::fs::write(&path, bytes)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        serde_json::from_str(include_str!(
            "../../report/tests/fixtures/report-recheck.json"
        ))
        .unwrap()
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn only_the_formats_asked_for_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let some = dir.path().join("some");
        write_reports(&some, &report(), &[Format::Xlsx, Format::Md, Format::Md]).unwrap();
        assert_eq!(files(&some), ["report.md", "report.xlsx"]);

        let all = dir.path().join("all");
        write_reports(&all, &report(), &Format::ALL).unwrap();
        assert_eq!(
            files(&all),
            [
                "report.docx",
                "report.html",
                "report.json",
                "report.md",
                "report.xlsx"
            ]
        );
        let json: Report =
            serde_json::from_str(&std::fs::read_to_string(all.join("report.json")).unwrap())
                .unwrap();
        assert_eq!(json, report());
    }
}
