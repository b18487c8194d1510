//! Each unit's 整改通知单 (written by the report crate) as a Word download, and all of them
//! in one zip for sending out.

use std::io::{Cursor, Write};

use spotcheck_report::Report;
use spotcheck_report::notice::units_with_problems;
use spotcheck_report::render::{unit_docx as render_unit_docx, unit_docx_name};

use crate::failure::Failure;

/// The 整改通知单 of one unit as a Word document.
pub fn unit_docx(report: &Report, unit: &str) -> Result<Vec<u8>, Failure> {
    render_unit_docx(report, unit)
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
        zip.start_file(unit_docx_name(&unit), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
