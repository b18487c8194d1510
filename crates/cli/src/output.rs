//! Writing a round's reports to a folder.

use std::path::Path;

use spotcheck_report::Report;

use crate::cli::CliError;

pub fn write_reports(dir: &Path, report: &Report) -> Result<(), CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| CliError::failed(format!("cannot encode the report: {e}")))?;
    write(dir, "report.json", json + "\n")?;
    write(dir, "report.md", spotcheck_report::notice::markdown(report))?;
    Ok(())
}

fn write(dir: &Path, name: &str, text: String) -> Result<(), CliError> {
    let path = dir.join(name);
    std::fs::write(&path, text)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}
