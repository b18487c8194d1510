//! Figures and findings of a round, from its stored results alone.
//!
//! Results are evidence; this module judges them with the round's plan, one area a file:
//! `sites` (availability and homepage), `columns` (stale and blank columns), `figures`
//! (update counts, letters, interviews), `links`, `accounts` (WeChat menus), `wording`
//! (wrong phrases in what pages say), `jobs` (dead-lettered jobs), `ipv6` and `tls` (a site's
//! IPv6 and HTTPS), `warnings` (预警 below the veto lines), then `tables` and `summary`
//! make the report's lists and rates.
//! Everything is ordered deterministically (indicator catalogue order, then the registry's
//! unit order), so the same results give the same report byte for byte, whichever process
//! collected them.

mod accounts;
mod columns;
mod figures;
mod ipv6;
mod jobs;
mod links;
mod order;
mod sites;
mod summary;
mod tables;
mod tls;
mod warnings;
mod wording;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use spotcheck_core::job::{JobId, Task};
use spotcheck_core::outcome::{Item, JobResult, Outcome, Verdict};
use spotcheck_core::registry::Registry;
use spotcheck_core::round::Round;

use spotcheck_core::indicator::Severity;

use crate::finished::Finished;
use crate::model::{Finding, Ipv6Counts, Report, RoundInfo, SCHEMA, WindowInfo};

/// Computes the report of a round from its results.
pub fn compute(round: &Round, results: &[JobResult]) -> Report {
    compute_read(Finished {
        round,
        results,
        unread: &[],
    })
}

/// Computes the report of a round from the results it reads and the ids of the others (see
/// [`crate::Evidence`]): the same report as from every result.
pub fn compute_read(finished: Finished) -> Report {
    let Finished {
        round,
        results,
        unread,
    } = finished;
    let (refusals, judged) = crate::refused::split(round, results);
    let mut c = Computation::new(round, judged.as_deref().unwrap_or(results), unread);
    c.sites();
    c.links();
    c.ipv6();
    c.tls();
    c.accounts();
    c.wording();
    c.dead_jobs();
    c.findings.extend(refusals);
    c.finish()
}

struct Computation<'a> {
    round: &'a Round,
    reg: &'a Registry,
    results: &'a [JobResult],
    /// Results not read beyond their id (link checks that found their link fine).
    unread: usize,
    /// Verdicts of fetched URLs (link checks and pages read beyond the homepage).
    verdicts: HashMap<&'a str, &'a Verdict>,
    findings: Vec<Finding>,
    vetoed_sites: HashSet<&'a str>,
    vetoed_accounts: HashSet<&'a str>,
    checked_sites: BTreeSet<&'a str>,
    checked_accounts: BTreeSet<&'a str>,
    updates: BTreeMap<String, u32>,
    letters: BTreeMap<String, (u32, u32)>,
    interviews: BTreeMap<String, u32>,
    /// The website carrying each unit's interview column (unit name → site id).
    interview_sites: HashMap<String, String>,
    /// Sites checked over IPv6 and those supporting it, when the plan checks IPv6.
    ipv6_counts: Option<Ipv6Counts>,
}

impl<'a> Computation<'a> {
    fn new(round: &'a Round, results: &'a [JobResult], unread: &[JobId]) -> Self {
        Computation {
            round,
            reg: &round.registry,
            results,
            unread: unread.len(),
            verdicts: verdicts(results, unread),
            findings: Vec::new(),
            vetoed_sites: HashSet::new(),
            vetoed_accounts: HashSet::new(),
            checked_sites: BTreeSet::new(),
            checked_accounts: BTreeSet::new(),
            updates: BTreeMap::new(),
            letters: BTreeMap::new(),
            interviews: BTreeMap::new(),
            interview_sites: HashMap::new(),
            ipv6_counts: None,
        }
    }

    /// A finding of this severity on a site fails the site when it is a veto.
    fn veto_if(&mut self, severity: Severity, site: &'a str) {
        if severity == Severity::Veto {
            self.vetoed_sites.insert(site);
        }
    }

    fn unit_name(&self, id: &str) -> String {
        self.reg.unit_name(id).to_string()
    }

    fn unit_rank(&self, name: &str) -> usize {
        self.reg
            .units
            .iter()
            .position(|u| u.name == name)
            .unwrap_or(usize::MAX)
    }

    fn finish(mut self) -> Report {
        let updates = self.updates_table();
        let letters = self.letters_table();
        let interviews = self.interviews_table();
        self.interview_findings(&interviews);
        self.sort_findings();
        let problems = order::problems(&self.findings);
        let summary = self.summary(&letters);
        Report {
            schema: SCHEMA.to_string(),
            round: RoundInfo {
                id: self.round.id.0.clone(),
                kind: self.round.kind,
                parent: self.round.parent.as_ref().map(|p| p.0.clone()),
                window: WindowInfo {
                    from: self.round.window.from,
                    to: self.round.window.to,
                },
                as_of: self.round.as_of,
                parent_as_of: None,
            },
            region: self.reg.meta.region.clone(),
            name: self.reg.meta.name.clone(),
            summary,
            updates,
            letters,
            interviews,
            findings: self.findings,
            problems,
            rectification: None,
        }
    }
}

/// The verdict of each fetched URL: of its link check or of a page read beyond the homepage,
/// the later in job id order when it has both. A link check not read (`unread`, sorted: it
/// found the URL fine) leaves no verdict, as a fine one would — so a page's verdict of the same
/// URL stands only when the page's job comes later.
fn verdicts<'a>(results: &'a [JobResult], unread: &[JobId]) -> HashMap<&'a str, &'a Verdict> {
    // url → the job that gave the verdict, the verdict, and the page's URL when a page did.
    let mut by_url: HashMap<&str, (&JobId, &Verdict, Option<&url::Url>)> = HashMap::new();
    for r in results {
        match (&r.job.task, &r.outcome) {
            (Task::Link { url }, Outcome::Link(v)) => {
                by_url.insert(url.as_str(), (&r.job.id, v, None));
            }
            (Task::Page { url, depth, .. }, Outcome::Page(p)) if *depth > 0 => {
                by_url.insert(url.as_str(), (&r.job.id, &p.verdict, Some(url)));
            }
            _ => {}
        }
    }
    if !unread.is_empty() {
        by_url.retain(|_, (id, _, page)| {
            let Some(url) = page else {
                return true;
            };
            let link = Task::Link {
                url: (*url).clone(),
            }
            .id();
            !(link > **id && unread.binary_search(&link).is_ok())
        });
    }
    by_url.into_iter().map(|(u, (_, v, _))| (u, v)).collect()
}

/// `part / whole`; a whole of zero has nothing missing, so the rate is 1.
fn rate(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The date an item was published or a letter received.
fn item_date(item: &Item) -> Option<NaiveDate> {
    item.received.or(item.date)
}

fn task_site(t: &Task) -> Option<&str> {
    match t {
        Task::Visit { site, .. }
        | Task::Page { site, .. }
        | Task::Column { site, .. }
        | Task::Ipv6 { site }
        | Task::Tls { site } => Some(site),
        _ => None,
    }
}
