//! A round run to completion: its record and its results, run in one process or read from the
//! store — what a report is computed from and a re-check starts from.

use std::path::Path;

use spotcheck_core::round::Round;
use spotcheck_report::{Evidence, Report};

use crate::error::CliError;

/// A round run to completion, with its results: enough to report on it or re-check it. A
/// round run in this process has every result whole; one read from the store, what its report
/// reads of them (see [`Evidence`]).
pub struct Finished {
    pub round: Round,
    pub evidence: Evidence,
}

impl Finished {
    /// The report: a spot round's own, or a re-check's on top of its parent (the report
    /// crate decides which).
    pub fn report(&self, parent: Option<&Finished>) -> Report {
        spotcheck_report::report_of(self.evidence(), parent.map(Finished::evidence))
    }

    fn evidence(&self) -> spotcheck_report::Finished<'_> {
        self.evidence.of(&self.round)
    }

    /// Keeps the round and its results next to its reports, so it can be re-checked later
    /// (`run --recheck-of DIR`).
    pub fn save(&self, dir: &Path) -> Result<(), CliError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
        write_json(&dir.join(ROUND_FILE), &self.round)?;
        write_json(&dir.join(RESULTS_FILE), &self.evidence.results)
    }

    /// A round saved by [`Finished::save`].
    pub fn load(dir: &Path) -> Result<Finished, CliError> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| {
                CliError::input(format!(
                    "{} is not a finished round's folder ({name}: {e})",
                    dir.display()
                ))
            })
        };
        let round = serde_json::from_str(&read(ROUND_FILE)?)
            .map_err(|e| CliError::input(format!("{}: {e}", dir.join(ROUND_FILE).display())))?;
        let results = serde_json::from_str(&read(RESULTS_FILE)?)
            .map_err(|e| CliError::input(format!("{}: {e}", dir.join(RESULTS_FILE).display())))?;
        Ok(Finished {
            round,
            evidence: Evidence::whole(results),
        })
    }

    /// Its re-check as of `as_of`: only its targets with problems.
    pub fn recheck(&self, as_of: chrono::NaiveDate) -> Round {
        let salt = spotcheck_scheduler::salt_now();
        spotcheck_scheduler::recheck_of(self.evidence(), as_of, &salt)
    }
}

/// Writes `value` as JSON, streamed to the file: a large round's results are never all in
/// one string.
fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), CliError> {
    let failed = |e: &dyn std::fmt::Display| {
        CliError::failed(format!("cannot write {}: {e}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut out, value).map_err(|e| failed(&e))?;
    std::io::Write::flush(&mut out).map_err(|e| failed(&e))
}

const ROUND_FILE: &str = "round.json";
const RESULTS_FILE: &str = "results.json";
