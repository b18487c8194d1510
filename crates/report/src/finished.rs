//! Which report a finished round gets: a spot round is judged on its own results; a
//! re-check on its parent's results overlaid with its own, and says what was rectified.

use spotcheck_core::outcome::JobResult;
use spotcheck_core::round::{Round, RoundKind};

use crate::compute::compute;
use crate::model::Report;
use crate::recheck::compute_recheck;

/// A round and every result it has: what a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Finished<'a> {
    pub round: &'a Round,
    pub results: &'a [JobResult],
}

/// The report of a finished round. A re-check given its parent gets the re-check's report
/// (the whole registry's figures and the rectification); any other round, or a re-check
/// whose parent is not at hand, gets the figures of its own results.
pub fn report_of(round: Finished, parent: Option<Finished>) -> Report {
    match parent {
        Some(p) if round.round.kind == RoundKind::Recheck => {
            compute_recheck(p.round, p.results, round.round, round.results)
        }
        _ => compute(round.round, round.results),
    }
}
