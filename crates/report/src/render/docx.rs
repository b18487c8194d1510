//! The notice as a Word document (`report.docx`), set like an official document: A4 with the
//! standard margins, 宋体 title, 黑体 section headings, 楷体_GB2312 paragraph headings,
//! 仿宋_GB2312 body at 三号 with fixed 28 pt lines, and each attachment on a new page with its
//! table as a Word table.
//!
//! Chinese text takes its font from the East-Asian slot of a run's fonts: without it Word
//! falls back to its default font for every Chinese character, so each run names one.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run,
    RunFonts, SpecialIndentType, Table as WordTable, TableAlignmentType, TableCell,
    TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::RenderError;
use crate::document::{Block, Document, Table};

const BODY_FONT: &str = "仿宋_GB2312";
const TITLE_FONT: &str = "宋体";
const HEADING_FONT: &str = "黑体";
const LEAD_FONT: &str = "楷体_GB2312";
const TABLE_FONT: &str = "宋体";
const LATIN_FONT: &str = "Times New Roman";

/// Sizes in half-points: 二号 title, 小二 attachment titles, 三号 body, 小四 and 五号 tables.
const TITLE_SIZE: usize = 44;
const ATTACHMENT_TITLE_SIZE: usize = 36;
const BODY_SIZE: usize = 32;
const TABLE_SIZE: usize = 24;
const WIDE_TABLE_SIZE: usize = 21;

/// A4 in twips, and the margins of an official document (top 37 mm, bottom 35 mm,
/// left 28 mm, right 26 mm).
const PAGE: (u32, u32) = (11906, 16838);
const MARGIN: (i32, i32, i32, i32) = (2098, 1984, 1587, 1474);
const TEXT_WIDTH: usize = (PAGE.0 as i32 - MARGIN.2 - MARGIN.3) as usize;
/// Fixed line pitch of the body (28 pt), and the two-character first-line indent at 三号.
const LINE: i32 = 560;
const INDENT: i32 = 640;

pub fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let mut d = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN.0)
                .bottom(MARGIN.1)
                .left(MARGIN.2)
                .right(MARGIN.3),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE);

    d = d.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(LINE as u32))
            .add_run(run(&doc.title, TITLE_FONT, TITLE_SIZE).bold()),
    );
    for block in &doc.body {
        d = match block {
            Block::Addressee(t) => d.add_paragraph(body().add_run(run(t, BODY_FONT, BODY_SIZE))),
            Block::Heading(t) => {
                d.add_paragraph(indented().add_run(run(t, HEADING_FONT, BODY_SIZE)))
            }
            Block::Paragraph(t) => {
                d.add_paragraph(indented().add_run(run(t, BODY_FONT, BODY_SIZE)))
            }
            Block::Item { lead, text } => d.add_paragraph(
                indented()
                    .add_run(run(lead, LEAD_FONT, BODY_SIZE))
                    .add_run(run(text, BODY_FONT, BODY_SIZE)),
            ),
            Block::AttachmentList(titles) => {
                let mut d = d.add_paragraph(body());
                for (i, t) in titles.iter().enumerate() {
                    let line = if i == 0 {
                        format!("附件：{}. {t}", i + 1)
                    } else {
                        format!("{}. {t}", i + 1)
                    };
                    let p = body().add_run(run(&line, BODY_FONT, BODY_SIZE));
                    // Later titles line up under the first one, after `附件：`.
                    d = d.add_paragraph(if i == 0 {
                        p.indent(Some(INDENT), None, None, None)
                    } else {
                        p.indent(Some(INDENT + 3 * INDENT / 2), None, None, None)
                    });
                }
                d
            }
            Block::Signature(lines) => {
                let mut d = d.add_paragraph(body());
                for l in lines {
                    d = d.add_paragraph(
                        body()
                            .align(AlignmentType::Right)
                            .indent(None, None, Some(INDENT * 2), None)
                            .add_run(run(l, BODY_FONT, BODY_SIZE)),
                    );
                }
                d
            }
            Block::Remark(t) => d
                .add_paragraph(body())
                .add_paragraph(indented().add_run(run(t, BODY_FONT, BODY_SIZE))),
        };
    }
    for a in &doc.attachments {
        d = d
            .add_paragraph(
                body()
                    .add_run(Run::new().add_break(BreakType::Page))
                    .add_run(run(&a.label, HEADING_FONT, BODY_SIZE)),
            )
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().before(LINE as u32 / 2))
                    .add_run(run(&a.title, TITLE_FONT, ATTACHMENT_TITLE_SIZE).bold()),
            );
        if let Some(note) = &a.note {
            d = d.add_paragraph(
                body()
                    .align(AlignmentType::Center)
                    .add_run(run(note, BODY_FONT, BODY_SIZE)),
            );
        }
        d = d.add_table(table(&a.table));
    }
    let mut out = Cursor::new(Vec::new());
    d.pack(&mut out)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

/// A body paragraph on the fixed line pitch, flush left.
fn body() -> Paragraph {
    Paragraph::new().line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(LINE),
    )
}

/// A body paragraph whose first line is indented two characters.
fn indented() -> Paragraph {
    body().align(AlignmentType::Both).indent(
        None,
        Some(SpecialIndentType::FirstLine(INDENT)),
        None,
        None,
    )
}

fn table(t: &Table) -> WordTable {
    let size = if t.header.len() > 4 {
        WIDE_TABLE_SIZE
    } else {
        TABLE_SIZE
    };
    let total: usize = t
        .widths
        .iter()
        .map(|w| usize::from(*w))
        .sum::<usize>()
        .max(1);
    let grid: Vec<usize> = t
        .widths
        .iter()
        .map(|w| usize::from(*w) * TEXT_WIDTH / total)
        .collect();
    let cell = |text: &str, col: usize, header: bool| {
        let align = if !header && t.prose(col) {
            AlignmentType::Left
        } else {
            AlignmentType::Center
        };
        let font = if header { HEADING_FONT } else { TABLE_FONT };
        TableCell::new()
            .width(grid.get(col).copied().unwrap_or(0), WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(Paragraph::new().align(align).add_run(run(text, font, size)))
    };
    let mut rows = vec![TableRow::new(
        t.header
            .iter()
            .enumerate()
            .map(|(c, h)| cell(h, c, true))
            .collect(),
    )];
    for r in &t.rows {
        rows.push(
            TableRow::new(
                r.iter()
                    .enumerate()
                    .map(|(c, v)| cell(&v.text(), c, false))
                    .collect(),
            )
            .cant_split(),
        );
    }
    WordTable::new(rows)
        .set_grid(grid.clone())
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(TEXT_WIDTH, WidthType::Dxa)
}
