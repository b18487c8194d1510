//! Re-checks: which targets to visit again, and what the re-check found of each problem.
//!
//! A re-check visits only the websites and accounts that had a problem. Its report stands on
//! the whole picture — the parent's results for everything not re-visited, fresh results for
//! the rest — so its figures cover the whole registry, and it says per unit and problem
//! whether it was rectified.

use std::collections::BTreeMap;

use spotcheck_core::job::{JobId, Task};
use spotcheck_core::outcome::JobResult;
use spotcheck_core::round::{Round, Scope};

use crate::compute::compute_read;
use crate::finished::Finished;
use crate::model::{Finding, Rectification, RectificationItem, Report};

/// Every website and account with a problem a re-check can find fixed.
pub fn recheck_scope(report: &Report) -> Scope {
    let mut scope = Scope::default();
    for f in report.findings.iter().filter(|f| counts(f)) {
        if let Some(w) = &f.website {
            if !scope.has_website(w) {
                scope.websites.push(w.clone());
            }
        }
        if let Some(a) = &f.account {
            if !scope.has_account(a) {
                scope.accounts.push(a.clone());
            }
        }
    }
    scope.websites.sort();
    scope.accounts.sort();
    scope
}

/// A problem that a re-check looks at again (a warning or a notice is none).
fn counts(f: &Finding) -> bool {
    f.severity.is_problem() && f.indicator.rectifiable()
}

/// Whether a job belongs to a target the re-check visits again.
fn revisited(task: &Task, scope: &Scope) -> bool {
    match task {
        Task::Visit { site, .. }
        | Task::Page { site, .. }
        | Task::Column { site, .. }
        | Task::Ipv6 { site }
        | Task::Tls { site } => scope.has_website(site),
        Task::Menu { account } => scope.has_account(account),
        // Link checks are kept unless the re-check checked the same URL again.
        Task::Link { .. } => false,
    }
}

/// The report of a re-check round, from its parent's results and its own. Of either round
/// the results may be the ones a report reads, with the ids of the others (see
/// [`crate::Evidence`]): a job's latest result stands, whether read or not.
pub(crate) fn compute_recheck(parent: Finished, recheck: Finished) -> Report {
    let round = recheck.round;
    let scope = round.scope.clone().unwrap_or_default();
    let unread_now = |id: &JobId| recheck.unread.binary_search(id).is_ok();
    let mut merged: BTreeMap<&JobId, &JobResult> = parent
        .results
        .iter()
        .filter(|r| !revisited(&r.job.task, &scope) && !unread_now(&r.job.id))
        .map(|r| (&r.job.id, r))
        .collect();
    for r in recheck.results {
        merged.insert(&r.job.id, r);
    }
    // The parent's unread jobs the re-check did not read again, and the re-check's own.
    let mut unread: Vec<JobId> = parent
        .unread
        .iter()
        .filter(|id| !merged.contains_key(id))
        .chain(recheck.unread)
        .cloned()
        .collect();
    unread.sort_unstable();
    unread.dedup();
    let merged: Vec<JobResult> = merged.into_values().cloned().collect();
    let mut report = compute_read(Finished {
        round,
        results: &merged,
        unread: &unread,
    });
    let before = compute_read(parent);
    report.round.parent_as_of = Some(parent.round.as_of);
    report.rectification = Some(rectification(round, &before, &report));
    report
}

/// Two findings of a page's wording are the same problem only for the same phrase: a page
/// with one of its two errors corrected has one left.
fn same_phrase(a: &Finding, b: &Finding) -> bool {
    let phrase = |f: &Finding| {
        f.wording
            .as_ref()
            .map(|w| (w.wrong.clone(), w.right.clone()))
    };
    phrase(a) == phrase(b)
}

fn rectification(round: &Round, before: &Report, now: &Report) -> Rectification {
    let same = |a: &Finding, b: &Finding| {
        a.indicator == b.indicator
            && a.unit == b.unit
            && a.target == b.target
            && a.url == b.url
            && same_phrase(a, b)
    };
    let mut items = Vec::new();
    for f in before.findings.iter().filter(|f| counts(f)) {
        let still = now.findings.iter().find(|n| counts(n) && same(f, n));
        items.push(RectificationItem {
            indicator: f.indicator,
            unit: f.unit.clone(),
            target: f.target.clone(),
            url: f.url.clone(),
            rectified: still.is_none(),
            before: f.detail.clone(),
            now: match still {
                Some(n) => n.detail.clone(),
                None => "复查未发现此问题，已整改".to_string(),
            },
        });
    }
    let rank = |unit: &str| {
        round
            .registry
            .units
            .iter()
            .position(|u| u.name == unit)
            .unwrap_or(usize::MAX)
    };
    let mut units: BTreeMap<(usize, String), bool> = BTreeMap::new();
    for i in &items {
        let fixed = units.entry((rank(&i.unit), i.unit.clone())).or_insert(true);
        *fixed &= i.rectified;
    }
    let (rectified, not_rectified): (Vec<_>, Vec<_>) = units.into_iter().partition(|(_, f)| *f);
    Rectification {
        rectified: rectified.into_iter().map(|((_, u), _)| u).collect(),
        not_rectified: not_rectified.into_iter().map(|((_, u), _)| u).collect(),
        items,
    }
}
