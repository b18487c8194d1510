//! `spotcheck registry import` and `registry export`: the registry from and to the
//! 报送系统's sheets (the work is `spotcheck-intake`'s).

use std::path::Path;

use spotcheck_core::Registry;
use spotcheck_intake::{Options, default_name, export_xlsx, import};

use crate::args::ImportArgs;
use crate::error::CliError;

/// Imports, lists every row it cannot use on stderr, and writes the registry unless a row
/// was bad and `--skip-bad` was not given (exit 2, nothing written).
pub fn import_registry(args: ImportArgs) -> Result<(), CliError> {
    let mut files = vec![args.file];
    files.extend(args.accounts);
    let options = Options {
        files,
        name: args.name.unwrap_or_else(|| default_name(&args.region)),
        region: args.region,
        out: args.out.clone(),
    };
    let imported = import(&options).map_err(|e| CliError::input(e.to_string()))?;
    for p in &imported.problems {
        eprintln!("{p}");
    }
    let bad = imported.problems.len();
    if bad > 0 && !args.skip_bad {
        return Err(CliError::input(format!(
            "{bad} problem(s); nothing written (--skip-bad writes the registry without them)"
        )));
    }
    if imported.websites + imported.accounts == 0 {
        return Err(CliError::input("no website or account to write"));
    }
    std::fs::write(&args.out, &imported.text)
        .map_err(|e| CliError::failed(format!("{}: {e}", args.out.display())))?;
    println!(
        "{}: {} units, {} websites, {} accounts{}",
        args.out.display(),
        imported.units,
        imported.websites,
        imported.accounts,
        if bad > 0 {
            format!(" ({bad} problem(s) left out)")
        } else {
            String::new()
        }
    );
    Ok(())
}

pub fn export_registry(registry: &Path, xlsx: &Path) -> Result<(), CliError> {
    let reg = Registry::load(registry).map_err(|e| CliError::input(e.to_string()))?;
    export_xlsx(&reg, xlsx).map_err(|e| CliError::failed(e.to_string()))?;
    println!(
        "{}: {} websites, {} accounts",
        xlsx.display(),
        reg.websites.len(),
        reg.accounts.len()
    );
    Ok(())
}
