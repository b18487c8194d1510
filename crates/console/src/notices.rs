//! Each unit's 整改通知单 (written by the report crate) as a Word download, and all of them
//! in one zip for sending out.

use std::io::{Cursor, Write};

use spotcheck_report::Report;
use spotcheck_report::notice::{unit_notice, units_with_problems};
use spotcheck_report::render::docx;

use crate::failure::Failure;

/// The 整改通知单 of one unit as a Word document.
pub fn unit_docx(report: &Report, unit: &str) -> Result<Vec<u8>, Failure> {
    docx::render(&unit_notice(report, unit))
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
