//! `spotcheck registry check`: a registry (and plan) validated, with a summary.

use std::path::Path;

use spotcheck_core::{Plan, Registry};

use crate::error::CliError;

pub fn check(file: &Path, plan: Option<&Path>) -> Result<(), CliError> {
    let reg = Registry::load(file).map_err(|e| CliError::input(e.to_string()))?;
    if let Some(p) = plan {
        let plan = Plan::load(p).map_err(|e| CliError::input(e.to_string()))?;
        spotcheck_scheduler::read_dictionaries(&plan)
            .map_err(|e| CliError::input(e.to_string()))?;
    }
    let columns: usize = reg.websites.iter().map(|w| w.columns.len()).sum();
    let checkable = reg.accounts.iter().filter(|a| a.checkable()).count();
    println!(
        "{}: {} ({}) — {} units, {} websites with {} columns, {} accounts ({} WeChat)",
        file.display(),
        reg.meta.name,
        reg.meta.region,
        reg.units.len(),
        reg.websites.len(),
        columns,
        reg.accounts.len(),
        checkable
    );
    Ok(())
}
