//! The report in the formats people read: the notice as Markdown, HTML and Word, the tables
//! as a workbook.
//!
//! [`crate::notice::document`] writes the notice's sentences and tables once, as a
//! [`Document`]; [`Rendering`] holds it and every renderer only lays that one document out,
//! so the formats can never say different things. The workbook takes its titles and the
//! notice's tables from the same document, and the evidence it adds (codes, menu paths, every
//! linking page) from the [`Report`] itself, so every figure in every format is the one in
//! `report.json`.

pub mod docx;
pub mod html;
pub mod markdown;
pub mod xlsx;

use crate::model::Report;

pub use crate::document::{Attachment, AttachmentKind, Block, Cell, Document, Table};

/// A report with its notice written once, ready to be laid out in every format.
pub struct Rendering<'a> {
    report: &'a Report,
    document: Document,
}

impl<'a> Rendering<'a> {
    pub fn of(report: &'a Report) -> Rendering<'a> {
        Rendering {
            report,
            document: crate::notice::document(report),
        }
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// `report.md`: the notice in Markdown.
    pub fn markdown(&self) -> String {
        markdown::render(&self.document)
    }

    /// `report.html`: the notice as one print-ready page.
    pub fn html(&self) -> String {
        html::render(&self.document)
    }

    /// `report.docx`: the notice as a Word document.
    pub fn docx(&self) -> Result<Vec<u8>, RenderError> {
        docx::render(&self.document)
    }

    /// `report.xlsx`: the summary, the attachments and the evidence as a workbook.
    pub fn xlsx(&self) -> Result<Vec<u8>, RenderError> {
        xlsx::render(self.report, &self.document)
    }
}

/// `report.md` alone.
pub fn to_markdown(r: &Report) -> String {
    Rendering::of(r).markdown()
}

/// `report.html` alone.
pub fn to_html(r: &Report) -> String {
    Rendering::of(r).html()
}

/// `report.docx` alone.
pub fn to_docx(r: &Report) -> Result<Vec<u8>, RenderError> {
    Rendering::of(r).docx()
}

/// `report.xlsx` alone.
pub fn to_xlsx(r: &Report) -> Result<Vec<u8>, RenderError> {
    Rendering::of(r).xlsx()
}

/// A unit's 整改通知单 as Word: what the console offers for download and mail carries.
pub fn unit_docx(r: &Report, unit: &str) -> Result<Vec<u8>, RenderError> {
    docx::render(&crate::notice::unit_notice(r, unit))
}

/// The file name of a unit's 整改通知单 (`单位名-整改通知单.docx`); characters a file system
/// refuses become `_`.
pub fn unit_docx_name(unit: &str) -> String {
    let safe: String = unit
        .chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{safe}-整改通知单.docx")
}

/// A renderer could not produce its file.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot write the Word document: {0}")]
    Docx(String),
}
