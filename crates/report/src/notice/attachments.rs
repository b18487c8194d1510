//! The notice's attachments: 信息更新情况表 in the seed's two-column layout, 留言回复情况统计表,
//! the 问题清单 with every finding's evidence, a re-check's 整改情况表, and the 预警清单 of
//! targets near a veto line (kept apart: a warning is no problem).

use spotcheck_core::indicator::Severity;
use spotcheck_core::round::RoundKind;

use super::wording::{Period, full_date};
use crate::document::{Attachment, AttachmentKind, Cell, Table};
use crate::model::{Finding, Rectification, Report};

pub(super) fn attachments(r: &Report, window: &Period) -> Vec<Attachment> {
    let note = Some(format!("（统计时间：{}）", window.span));
    let mut out = vec![
        Attachment {
            kind: AttachmentKind::Updates,
            label: String::new(),
            title: format!("{}信息公开平台信息更新情况表", window.full),
            note: note.clone(),
            table: updates_table(r),
        },
        Attachment {
            kind: AttachmentKind::Letters,
            label: String::new(),
            title: format!("{}{}政府网站留言回复情况统计表", window.full, r.region),
            note,
            table: letters_table(r),
        },
    ];
    let (warnings, findings): (Vec<&Finding>, Vec<&Finding>) = r
        .findings
        .iter()
        .partition(|f| f.severity == Severity::Warning);
    if !findings.is_empty() {
        out.push(Attachment {
            kind: AttachmentKind::Findings,
            label: String::new(),
            title: match r.round.kind {
                RoundKind::Spot => "抽查问题清单".into(),
                RoundKind::Recheck => "复查问题清单".into(),
            },
            note: Some(format!("（检查时点：{}）", full_date(r.round.as_of))),
            table: findings_table(&findings, true),
        });
    }
    if let Some(rect) = r.rectification.as_ref().filter(|x| !x.items.is_empty()) {
        out.push(Attachment {
            kind: AttachmentKind::Rectification,
            label: String::new(),
            title: "整改情况表".into(),
            note: Some(format!("（复查时点：{}）", full_date(r.round.as_of))),
            table: rectification_table(rect),
        });
    }
    if !warnings.is_empty() {
        out.push(Attachment {
            kind: AttachmentKind::Warnings,
            label: String::new(),
            title: "预警清单".into(),
            note: Some(format!("（检查时点：{}）", full_date(r.round.as_of))),
            table: warnings_table(&warnings),
        });
    }
    for (i, a) in out.iter_mut().enumerate() {
        a.label = format!("附件{}", i + 1);
    }
    out
}

/// 附件1 in the seed's two-column layout: the first half of the units (rounded up) on the
/// left, the rest on the right, in the report's order.
pub(super) fn updates_table(r: &Report) -> Table {
    let half = r.updates.len().div_ceil(2);
    let (left, right) = r.updates.split_at(half);
    let rows = left
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![Cell::Text(l.unit.clone()), Cell::Count(l.count)];
            match right.get(i) {
                Some(x) => row.extend([Cell::Text(x.unit.clone()), Cell::Count(x.count)]),
                None => row.extend([Cell::Empty, Cell::Empty]),
            }
            row
        })
        .collect();
    Table {
        header: ["部门", "信息更新量", "部门", "信息更新量"]
            .map(String::from)
            .to_vec(),
        widths: vec![3, 2, 3, 2],
        rows,
    }
}

pub(super) fn letters_table(r: &Report) -> Table {
    Table {
        header: ["部门", "收到留言数", "回复留言数", "回复率"]
            .map(String::from)
            .to_vec(),
        widths: vec![4, 2, 2, 2],
        rows: r
            .letters
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.unit.clone()),
                    Cell::Count(l.received),
                    Cell::Count(l.replied),
                    Cell::Rate(l.reply_rate),
                ]
            })
            .collect(),
    }
}

/// How a finding weighs, in the notice's words.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "单项否决",
        Severity::Deduct => "扣分",
        Severity::Warning => "预警",
        Severity::Notice => "提示",
    }
}

/// Pages linking a broken link, as many as the list shows before it says how many there are.
const PAGES_SHOWN: usize = 3;

/// A finding's evidence in one cell: the detail, and the pages that link a broken link.
pub fn evidence(f: &Finding) -> String {
    let mut s = f.detail.clone();
    if !f.pages.is_empty() {
        let shown: Vec<&str> = f
            .pages
            .iter()
            .take(PAGES_SHOWN)
            .map(String::as_str)
            .collect();
        s.push_str(&format!("；所在页面：{}", shown.join("；")));
        if f.pages.len() > PAGES_SHOWN {
            s.push_str(&format!(" 等{}个页面", f.pages.len()));
        }
    }
    s
}

/// The 问题清单: every finding with its evidence; `with_unit` adds the unit column (the
/// notice's list names every unit, a unit's own list needs no such column).
pub(super) fn findings_table(findings: &[&Finding], with_unit: bool) -> Table {
    let unit_column: &[&str] = if with_unit { &["单位"] } else { &[] };
    let header = [
        &["序号"][..],
        unit_column,
        &["问题", "性质", "检查对象", "问题详情", "地址"],
    ]
    .concat()
    .into_iter()
    .map(String::from)
    .collect();
    let unit_width: &[u16] = if with_unit { &[3] } else { &[] };
    Table {
        header,
        widths: [&[2][..], unit_width, &[3, 2, 3, 7, 6]].concat(),
        rows: findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut row = vec![Cell::Count(i as u32 + 1)];
                if with_unit {
                    row.push(Cell::Text(f.unit.clone()));
                }
                row.extend([
                    Cell::Text(f.indicator.title().into()),
                    Cell::Text(severity_label(f.severity).into()),
                    Cell::Text(f.target.clone()),
                    Cell::Text(evidence(f)),
                    Cell::Text(f.url.clone().unwrap_or_default()),
                ]);
                row
            })
            .collect(),
    }
}

/// 预警清单: each warning with the indicator it nears, what was measured and how far the
/// target is from the veto line.
pub(super) fn warnings_table(warnings: &[&Finding]) -> Table {
    Table {
        header: [
            "序号",
            "单位",
            "预警指标",
            "检查对象",
            "预警情况",
            "距否决线",
            "地址",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![2, 3, 3, 3, 7, 4, 6],
        rows: warnings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    Cell::Count(i as u32 + 1),
                    Cell::Text(f.unit.clone()),
                    Cell::Text(f.indicator.title().into()),
                    Cell::Text(f.target.clone()),
                    Cell::Text(f.detail.clone()),
                    Cell::Text(f.margin.clone().unwrap_or_default()),
                    Cell::Text(f.url.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}

/// Whether a re-check found a problem fixed, in the notice's words.
pub fn rectified_label(rectified: bool) -> &'static str {
    if rectified { "已整改" } else { "未整改" }
}

pub(super) fn rectification_table(rect: &Rectification) -> Table {
    Table {
        header: [
            "序号",
            "单位",
            "问题",
            "检查对象",
            "抽查情况",
            "复查情况",
            "整改结果",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![2, 3, 3, 3, 6, 6, 2],
        rows: rect
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                vec![
                    Cell::Count(i as u32 + 1),
                    Cell::Text(it.unit.clone()),
                    Cell::Text(it.indicator.title().into()),
                    Cell::Text(it.target.clone()),
                    Cell::Text(it.before.clone()),
                    Cell::Text(it.now.clone()),
                    Cell::Text(rectified_label(it.rectified).into()),
                ]
            })
            .collect(),
    }
}
