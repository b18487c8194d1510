//! Each unit's 整改通知单: the unit's own problems with their evidence, as a Word document laid
//! out by the report's renderer, and all of them in one zip for sending out.

use std::io::{Cursor, Write};

use chrono::Datelike;
use spotcheck_report::Report;
use spotcheck_report::model::Finding;
use spotcheck_report::notice::{chinese_count, evidence, severity_label};
use spotcheck_report::render::{Attachment, AttachmentKind, Block, Cell, Document, Table, docx};

use crate::failure::Failure;

/// The units with at least one finding, in the order the report first names them.
pub fn units_with_problems(report: &Report) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    for f in &report.findings {
        if !units.contains(&f.unit) {
            units.push(f.unit.clone());
        }
    }
    units
}

/// The 整改通知单 of one unit as a Word document.
pub fn unit_docx(report: &Report, unit: &str) -> Result<Vec<u8>, Failure> {
    let findings: Vec<&Finding> = report.findings.iter().filter(|f| f.unit == unit).collect();
    docx::render(&document(report, unit, &findings))
        .map_err(|e| Failure::internal(format!("生成整改通知单失败：{e}")))
}

/// Every unit's 整改通知单 in one zip, one `单位名-整改通知单.docx` each.
pub fn all_zip(report: &Report) -> Result<Vec<u8>, Failure> {
    let fail = |e: &dyn std::fmt::Display| Failure::internal(format!("打包整改通知单失败：{e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for unit in units_with_problems(report) {
        let bytes = unit_docx(report, &unit)?;
        zip.start_file(file_name(&unit), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// The file name of a unit's notice; characters a file system refuses become `_`.
pub fn file_name(unit: &str) -> String {
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

fn document(report: &Report, unit: &str, findings: &[&Finding]) -> Document {
    let as_of = report.round.as_of;
    let quarter = chinese_count((as_of.month0() / 3 + 1) as usize);
    let vetoes = findings
        .iter()
        .filter(|f| f.severity == spotcheck_core::indicator::Severity::Veto)
        .count();
    let body = vec![
        Block::Addressee(format!("{unit}：")),
        Block::Paragraph(format!(
            "{}{}年第{}季度网站与政务新媒体抽查中，你单位有{}个问题（其中单项否决{}个），详见附件问题清单。请逐项对照整改，整改情况将在复查中逐项核实。",
            report.region,
            as_of.year(),
            quarter,
            chinese_count(findings.len()),
            chinese_count(vetoes),
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
            table: findings_table(findings),
        }],
    }
}

fn findings_table(findings: &[&Finding]) -> Table {
    Table {
        header: ["序号", "问题", "性质", "检查对象", "问题详情", "地址"]
            .map(String::from)
            .to_vec(),
        widths: vec![2, 3, 2, 3, 7, 6],
        rows: findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    Cell::Count(i as u32 + 1),
                    Cell::Text(f.indicator.title().into()),
                    Cell::Text(severity_label(f.severity).into()),
                    Cell::Text(f.target.clone()),
                    Cell::Text(evidence(f)),
                    Cell::Text(f.url.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}
