//! Which report a finished round gets: a spot round is judged on its own results; a
//! re-check on its parent's results overlaid with its own, and says what was rectified.

use spotcheck_core::job::JobId;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::round::{Round, RoundKind};

use crate::compute::compute_read;
use crate::model::Report;
use crate::recheck::compute_recheck;

/// A round and its results: what a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Finished<'a> {
    pub round: &'a Round,
    /// The results the report reads: every result, or those [`crate::evidence::reads`] keeps.
    pub results: &'a [JobResult],
    /// The ids, sorted, of the round's other results (see [`crate::Evidence`]); none when
    /// `results` has every result.
    pub unread: &'a [JobId],
}

/// The report of a finished round. A re-check given its parent gets the re-check's report
/// (the whole registry's figures and the rectification); any other round, or a re-check
/// whose parent is not at hand, gets the figures of its own results.
pub fn report_of(round: Finished, parent: Option<Finished>) -> Report {
    match parent {
        Some(p) if round.round.kind == RoundKind::Recheck => compute_recheck(p, round),
        _ => compute_read(round),
    }
}
