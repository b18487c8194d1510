//! The notice as a document: title, body blocks and attachments with their tables.
//!
//! [`crate::notice`] writes it once from a [`crate::Report`]; [`crate::render`] lays it out as
//! Markdown, HTML, Word and a workbook. Neither knows the other: both know this model only, so
//! every format says the same thing.

/// The notice, laid out in the order of the seed notice: title, body, then attachments.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `景德镇市人民政府办公室关于2020年第四季度网站与政务新媒体抽查情况的通报`
    pub title: String,
    pub body: Vec<Block>,
    /// 附件1, 附件2 … each on a page of its own in print.
    pub attachments: Vec<Attachment>,
}

/// One block of the notice's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The units the notice is addressed to (主送机关), flush left.
    Addressee(String),
    /// A section heading (`一、基本情况`).
    Heading(String),
    /// A body paragraph, first line indented two characters.
    Paragraph(String),
    /// A numbered paragraph whose first sentence is its own heading:
    /// `（一）网站无法访问。` then the text.
    Item { lead: String, text: String },
    /// The attachment note (`附件：1. … 2. …`), with the attachments' titles in order.
    AttachmentList(Vec<String>),
    /// Right-aligned closing lines: the issuing office.
    Signature(Vec<String>),
    /// A remark in parentheses at the end (`（此件主动公开）`).
    Remark(String),
}

/// What an attachment holds: the workbook writes each kind with its own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// 信息公开平台信息更新情况表 (`report.updates`).
    Updates,
    /// 政府网站留言回复情况统计表 (`report.letters`).
    Letters,
    /// 问题清单: every finding with its evidence (`report.findings`).
    Findings,
    /// 整改情况表: each problem of the re-checked round and what the re-check found.
    Rectification,
    /// 预警清单: every warning (a target near a veto line) with its distance from the line.
    Warnings,
}

/// An attachment: a label (`附件1`), a title, an optional note under the title (统计时间) and
/// a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub label: String,
    pub title: String,
    pub note: Option<String>,
    pub table: Table,
}

/// A table with a header row; `widths` are the columns' relative widths for print.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub widths: Vec<u16>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Whether a column holds figures (right-aligned in Markdown).
    pub fn numeric(&self, col: usize) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(r.get(col), Some(Cell::Count(_) | Cell::Rate(_))))
    }

    /// Whether a column holds long prose (left-aligned and wrapped in print).
    pub fn prose(&self, col: usize) -> bool {
        self.widths.get(col).is_some_and(|w| *w >= 5)
    }
}

/// A table cell: figures stay figures so the workbook writes them as numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(u32),
    /// A rate in 0..=1, printed with two decimals (`100.00%`) as the seed's tables do.
    Rate(f64),
    /// The empty right half of the last row of a two-column layout.
    Empty,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Rate(r) => format!("{:.2}%", r * 100.0),
            Cell::Empty => String::new(),
        }
    }
}
