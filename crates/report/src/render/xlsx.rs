//! The report's tables as a workbook (`report.xlsx`), for sorting, filtering and pasting into
//! the provincial forms.
//!
//! Sheets: 基本情况 (the summary's figures), one sheet per attachment of the notice, with the
//! notice's titles: 附件1 as a plain 部门 | 信息更新量 table (one unit a row, so it sorts and
//! filters; the notice prints it in the seed's two-column layout), 附件2 the notice's table,
//! the 问题清单 (and a re-check's 整改情况) with every field of the evidence, and the 预警清单
//! with each warning's distance from its veto line. Counts are numbers and rates are numbers
//! with a percent format, so sums and sorting work.
//!
//! Column widths are set from the text: Excel's autofit measures Latin glyphs and leaves
//! Chinese columns half as wide as their text, so a CJK character counts two units here.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};
use unicode_width::UnicodeWidthStr;

use chrono::Datelike;
use spotcheck_core::indicator::Severity;

use super::RenderError;
use crate::document::{Attachment, AttachmentKind, Cell, Document};
use crate::model::Report;
use crate::notice::{rectified_label, severity_label};

/// Paper size code of A4 in Excel's page setup.
const A4: u8 = 9;
/// Widest a column grows before its text wraps.
const MAX_WIDTH: f64 = 60.0;
const MIN_WIDTH: f64 = 8.0;

/// Sheet names of the attachments, after their label (`附件1 信息更新情况`).
pub fn sheet_name(a: &Attachment) -> String {
    let what = match a.kind {
        AttachmentKind::Updates => "信息更新情况",
        AttachmentKind::Letters => "留言回复情况",
        AttachmentKind::Findings => "问题清单",
        AttachmentKind::Rectification => "整改情况",
        AttachmentKind::Warnings => "预警清单",
    };
    format!("{} {what}", a.label)
}

/// The name of the summary sheet.
pub const SUMMARY_SHEET: &str = "基本情况";

pub fn render(r: &Report, doc: &Document) -> Result<Vec<u8>, RenderError> {
    let mut wb = Workbook::new();
    let as_of = r.round.as_of;
    wb.set_properties(
        &DocProperties::new()
            .set_title(doc.title.as_str())
            .set_author(format!("{}人民政府办公室", r.region))
            .set_creation_datetime(&ExcelDateTime::from_ymd(
                as_of.year().clamp(1900, 9999) as u16,
                as_of.month() as u8,
                as_of.day() as u8,
            )?),
    );
    let f = Formats::new();

    let s = &r.summary;
    let round = format!(
        "轮次：{}；统计时间：{}至{}；检查时点：{}",
        r.round.id, r.round.window.from, r.round.window.to, r.round.as_of
    );
    let figures: Vec<(&str, Cell)> = vec![
        ("登记政府网站（家）", Cell::Count(s.websites.registered)),
        ("抽查政府网站（家）", Cell::Count(s.websites.checked)),
        ("合格政府网站（家）", Cell::Count(s.websites.passed)),
        ("登记政务新媒体（家）", Cell::Count(s.accounts.registered)),
        ("抽查政务新媒体（家）", Cell::Count(s.accounts.checked)),
        ("合格政务新媒体（家）", Cell::Count(s.accounts.passed)),
        ("抽查率", Cell::Rate(s.sample_rate)),
        ("合格率", Cell::Rate(s.pass_rate)),
        ("收到留言（封）", Cell::Count(s.letters.received)),
        ("回复留言（封）", Cell::Count(s.letters.replied)),
        ("留言回复率", Cell::Rate(s.letters.reply_rate)),
        ("检查任务（项）", Cell::Count(s.jobs.total)),
        ("未完成的检查任务（项）", Cell::Count(s.jobs.dead)),
    ];
    sheet(
        wb.add_worksheet(),
        &f,
        &Sheet {
            name: SUMMARY_SHEET.into(),
            title: &doc.title,
            note: Some(&round),
            header: vec!["项目", "数值"],
            rows: figures
                .into_iter()
                .map(|(k, v)| vec![Cell::Text(k.into()), v])
                .collect(),
            wrap: vec![false, false],
            landscape: false,
        },
    )?;

    for a in &doc.attachments {
        let (header, rows, wrap, landscape) = match a.kind {
            AttachmentKind::Updates => (
                vec!["部门", "信息更新量"],
                r.updates
                    .iter()
                    .map(|u| vec![Cell::Text(u.unit.clone()), Cell::Count(u.count)])
                    .collect(),
                vec![false; 2],
                false,
            ),
            // The notice's own table: one unit a row already.
            AttachmentKind::Letters => (
                a.table.header.iter().map(String::as_str).collect(),
                a.table.rows.clone(),
                vec![false; a.table.header.len()],
                false,
            ),
            AttachmentKind::Findings => (
                vec![
                    "序号",
                    "指标",
                    "问题",
                    "性质",
                    "单位",
                    "检查对象",
                    "地址",
                    "问题详情",
                    "菜单路径",
                    "所在页面",
                ],
                r.findings
                    .iter()
                    .filter(|x| x.severity != Severity::Warning)
                    .enumerate()
                    .map(|(i, x)| {
                        vec![
                            Cell::Count(i as u32 + 1),
                            Cell::Text(x.indicator.code().into()),
                            Cell::Text(x.indicator.title().into()),
                            Cell::Text(severity_label(x.severity).into()),
                            Cell::Text(x.unit.clone()),
                            Cell::Text(x.target.clone()),
                            Cell::Text(x.url.clone().unwrap_or_default()),
                            Cell::Text(x.detail.clone()),
                            Cell::Text(x.menu_path.clone().unwrap_or_default()),
                            Cell::Text(x.pages.join("\n")),
                        ]
                    })
                    .collect(),
                vec![
                    false, false, false, false, false, true, true, true, true, true,
                ],
                true,
            ),
            AttachmentKind::Warnings => (
                vec![
                    "序号",
                    "指标",
                    "预警指标",
                    "单位",
                    "检查对象",
                    "地址",
                    "预警情况",
                    "距否决线",
                ],
                r.findings
                    .iter()
                    .filter(|x| x.severity == Severity::Warning)
                    .enumerate()
                    .map(|(i, x)| {
                        vec![
                            Cell::Count(i as u32 + 1),
                            Cell::Text(x.indicator.code().into()),
                            Cell::Text(x.indicator.title().into()),
                            Cell::Text(x.unit.clone()),
                            Cell::Text(x.target.clone()),
                            Cell::Text(x.url.clone().unwrap_or_default()),
                            Cell::Text(x.detail.clone()),
                            Cell::Text(x.margin.clone().unwrap_or_default()),
                        ]
                    })
                    .collect(),
                vec![false, false, false, false, false, true, true, false],
                true,
            ),
            AttachmentKind::Rectification => (
                vec![
                    "序号",
                    "指标",
                    "问题",
                    "单位",
                    "检查对象",
                    "地址",
                    "抽查情况",
                    "复查情况",
                    "整改结果",
                ],
                r.rectification
                    .iter()
                    .flat_map(|x| x.items.iter())
                    .enumerate()
                    .map(|(i, it)| {
                        vec![
                            Cell::Count(i as u32 + 1),
                            Cell::Text(it.indicator.code().into()),
                            Cell::Text(it.indicator.title().into()),
                            Cell::Text(it.unit.clone()),
                            Cell::Text(it.target.clone()),
                            Cell::Text(it.url.clone().unwrap_or_default()),
                            Cell::Text(it.before.clone()),
                            Cell::Text(it.now.clone()),
                            Cell::Text(rectified_label(it.rectified).into()),
                        ]
                    })
                    .collect(),
                vec![false, false, false, false, true, true, true, true, false],
                true,
            ),
        };
        sheet(
            wb.add_worksheet(),
            &f,
            &Sheet {
                name: sheet_name(a),
                title: &a.title,
                note: a.note.as_deref(),
                header,
                rows,
                wrap,
                landscape,
            },
        )?;
    }
    Ok(wb.save_to_buffer()?)
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    text: Format,
    prose: Format,
    count: Format,
    rate: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(11)
            .set_align(FormatAlign::VerticalCenter);
        let cell = base.clone().set_border(FormatBorder::Thin);
        Formats {
            title: base
                .clone()
                .set_font_name("黑体")
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            note: base.clone().set_align(FormatAlign::Center),
            header: cell
                .clone()
                .set_font_name("黑体")
                .set_align(FormatAlign::Center)
                .set_background_color(0xD9D9D9)
                .set_text_wrap(),
            text: cell.clone(),
            prose: cell.clone().set_text_wrap(),
            count: cell.clone().set_num_format("0"),
            rate: cell.set_num_format("0.00%"),
        }
    }
}

struct Sheet<'a> {
    name: String,
    title: &'a str,
    note: Option<&'a str>,
    header: Vec<&'a str>,
    rows: Vec<Vec<Cell>>,
    /// Columns of long text that wrap at [`MAX_WIDTH`].
    wrap: Vec<bool>,
    landscape: bool,
}

/// Rows above the table: the title, then the note.
const HEADER_ROW: u32 = 2;

fn sheet(ws: &mut Worksheet, f: &Formats, s: &Sheet) -> Result<(), RenderError> {
    ws.set_name(&s.name)?;
    let last_col = (s.header.len().max(1) - 1) as u16;

    let widths: Vec<f64> = (0..s.header.len())
        .map(|c| {
            let cells = s.rows.iter().filter_map(|r| r.get(c)).map(cell_width);
            let w = cells.chain([text_width(s.header[c])]).fold(0.0, f64::max) + 2.0;
            w.clamp(MIN_WIDTH, MAX_WIDTH)
        })
        .collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }

    // The title wraps within the table's width; give its row the lines it needs.
    let total: f64 = widths.iter().sum();
    let lines = (text_width(s.title) * 14.0 / 11.0 / total).ceil().max(1.0);
    ws.set_row_height(0, 20.0 * lines)?;
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, s.title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, s.title, &f.title)?;
    }
    if let Some(note) = s.note {
        if last_col > 0 {
            ws.merge_range(1, 0, 1, last_col, note, &f.note)?;
        } else {
            ws.write_string_with_format(1, 0, note, &f.note)?;
        }
    }
    for (c, h) in s.header.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
    }
    for (i, row) in s.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            match cell {
                Cell::Text(t) if s.wrap.get(c).copied().unwrap_or(false) => {
                    ws.write_string_with_format(r, c16, t, &f.prose)?
                }
                Cell::Text(t) => ws.write_string_with_format(r, c16, t, &f.text)?,
                Cell::Count(n) => ws.write_number_with_format(r, c16, f64::from(*n), &f.count)?,
                Cell::Rate(x) => ws.write_number_with_format(r, c16, *x, &f.rate)?,
                Cell::Empty => ws.write_blank(r, c16, &f.text)?,
            };
        }
    }
    let last_row = HEADER_ROW + s.rows.len() as u32;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_paper_size(A4);
    ws.set_print_fit_to_pages(1, 0);
    if s.landscape {
        ws.set_landscape();
    }
    Ok(())
}

/// Display width in Excel's character units: two for a CJK character, one for Latin; the
/// widest line of a multi-line cell.
fn text_width(s: &str) -> f64 {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0) as f64
}

fn cell_width(c: &Cell) -> f64 {
    match c {
        Cell::Text(t) => text_width(t),
        Cell::Count(n) => n.to_string().len() as f64,
        Cell::Rate(_) => "100.00%".len() as f64,
        Cell::Empty => 0.0,
    }
}
