//! A unit's own 整改通知单: its problems with their evidence, addressed to it, so each
//! department receives what it must fix (the console hands them out; mail can send them).

use chrono::Datelike;
use spotcheck_core::indicator::Severity;

use super::attachments::findings_table;
use super::wording::units_count;
use crate::document::{Attachment, AttachmentKind, Block, Document};
use crate::model::{Finding, Report};

/// The units with at least one problem (veto or deduct), in the order the report first names
/// them. Warnings and notices are no problem to rectify.
pub fn units_with_problems(report: &Report) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    for f in report.findings.iter().filter(|f| f.severity.is_problem()) {
        if !f.unit.is_empty() && !units.contains(&f.unit) {
            units.push(f.unit.clone());
        }
    }
    units
}

/// The 整改通知单 of one unit: a letter naming its problems and, attached, their list.
pub fn unit_notice(report: &Report, unit: &str) -> Document {
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.unit == unit && f.severity.is_problem())
        .collect();
    let as_of = report.round.as_of;
    let quarter = super::wording::chinese_count((as_of.month0() / 3 + 1) as usize);
    let vetoes = findings
        .iter()
        .filter(|f| f.severity == Severity::Veto)
        .count();
    let of_which = if vetoes == 0 {
        String::new()
    } else {
        format!("（其中单项否决{}个）", units_count(vetoes))
    };
    let body = vec![
        Block::Addressee(format!("{unit}：")),
        Block::Paragraph(format!(
            "{}{}年第{}季度网站与政务新媒体抽查中，你单位有{}个问题{of_which}，详见附件问题清单。请逐项对照整改，整改情况将在复查中逐项核实。",
            report.region,
            as_of.year(),
            quarter,
            units_count(findings.len()),
        )),
        Block::AttachmentList(vec![format!("{unit}问题清单")]),
        Block::Signature(vec![report.name.clone()]),
    ];
    Document {
        title: format!("{unit}网站与政务新媒体问题整改通知单"),
        body,
        attachments: vec![Attachment {
            kind: AttachmentKind::Findings,
            label: "附件".into(),
            title: format!("{unit}问题清单"),
            note: None,
            table: findings_table(&findings, false),
        }],
    }
}
