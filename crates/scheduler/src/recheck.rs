//! Re-checks (复查): a finished round's websites and accounts with problems, visited again.
//!
//! A re-check keeps its parent's registry, plan and window, so the report can set each problem
//! found then beside what is found now and say per unit whether it was rectified. What counts
//! as a problem is the report's judgement of the parent: the same findings the notice lists.

use chrono::NaiveDate;
use spotcheck_core::ports::Progress;
use spotcheck_core::round::{Round, RoundId, RoundKind, Scope};

/// Why a round cannot be re-checked yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecheckError {
    /// Its problems are not all known before every job has a result.
    #[error("round {round} is not complete ({done} of {total} jobs done); re-check it when it is")]
    Unfinished {
        round: RoundId,
        done: u64,
        total: u64,
    },
}

/// Only a complete round can be re-checked: before that its list of problems is partial.
pub fn ensure_complete(round: &RoundId, progress: &Progress) -> Result<(), RecheckError> {
    if progress.complete {
        Ok(())
    } else {
        Err(RecheckError::Unfinished {
            round: round.clone(),
            done: progress.done,
            total: progress.total,
        })
    }
}

/// The re-check of a finished round, as of `as_of`: only the websites and accounts its report
/// finds a problem with, the rest left to the parent's results.
pub fn recheck_of(parent: spotcheck_report::Finished, as_of: NaiveDate, salt: &str) -> Round {
    let report = spotcheck_report::report_of(parent, None);
    recheck_round(
        parent.round,
        spotcheck_report::recheck_scope(&report),
        as_of,
        salt,
    )
}

/// A re-check of `parent`: the same registry, plan and window, only the targets in `scope`,
/// as of a new date.
pub fn recheck_round(parent: &Round, scope: Scope, as_of: NaiveDate, salt: &str) -> Round {
    Round {
        id: RoundId::new(as_of, salt),
        kind: RoundKind::Recheck,
        parent: Some(parent.id.clone()),
        window: parent.window,
        as_of,
        registry: parent.registry.clone(),
        plan: parent.plan.clone(),
        allow_private: parent.allow_private,
        menus: parent.menus.clone(),
        dictionaries: parent.dictionaries.clone(),
        scope: Some(scope),
    }
}
