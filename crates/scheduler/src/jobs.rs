//! Which jobs a round has: the initial ones and the follow-ups each result brings.
//!
//! Both are pure functions of the round and the results, so every collector in a pool — and
//! the embedded mode — derives the same jobs, and job ids stay stable across redeliveries.

use std::time::Duration;

use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::round::Round;
use url::{Position, Url};

/// The round's initial jobs with the delay before each may run (spaced availability probes).
pub fn initial_jobs(round: &Round) -> Vec<(Job, Duration)> {
    let mut jobs = Vec::new();
    let a = &round.plan.availability;
    for site in round
        .registry
        .websites
        .iter()
        .filter(|w| round.checks_website(&w.id))
    {
        for n in 0..a.probes {
            let task = Task::Visit {
                site: site.id.clone(),
                n,
            };
            jobs.push((Job::new(&round.id, task), a.interval.0 * n));
        }
        let home = Task::Page {
            site: site.id.clone(),
            url: site.url.clone(),
            depth: 0,
        };
        jobs.push((Job::new(&round.id, home), Duration::ZERO));
        for column in 0..site.columns.len() {
            let task = Task::Column {
                site: site.id.clone(),
                column,
            };
            jobs.push((Job::new(&round.id, task), Duration::ZERO));
        }
        if round.plan.ipv6.severity.is_on() {
            let task = Task::Ipv6 {
                site: site.id.clone(),
            };
            jobs.push((Job::new(&round.id, task), Duration::ZERO));
        }
        if round.plan.tls.severity.is_on() {
            let task = Task::Tls {
                site: site.id.clone(),
            };
            jobs.push((Job::new(&round.id, task), Duration::ZERO));
        }
    }
    let accounts = round.registry.accounts.iter();
    for account in accounts.filter(|a| a.checkable() && round.checks_account(&a.id)) {
        let task = Task::Menu {
            account: account.id.clone(),
        };
        jobs.push((Job::new(&round.id, task), Duration::ZERO));
    }
    jobs
}

/// The jobs a result brings: a page's links are checked (and, within the plan's depth, the
/// same-site ones are read as pages in turn); a menu's links are checked.
pub fn follow_ups(round: &Round, result: &JobResult) -> Vec<Job> {
    let mut out: Vec<Job> = Vec::new();
    match (&result.job.task, &result.outcome) {
        (Task::Page { site, url, depth }, Outcome::Page(page)) => {
            let Some(website) = round.registry.website(site) else {
                return out;
            };
            let links = &round.plan.links;
            for link in &page.links {
                if same_document(link, url) || same_document(link, &website.url) {
                    continue;
                }
                let same_site = same_host(link, &website.url);
                let task = if same_site && *depth < links.depth {
                    Task::Page {
                        site: site.clone(),
                        url: link.clone(),
                        depth: depth + 1,
                    }
                } else if same_site || links.external {
                    Task::Link { url: link.clone() }
                } else {
                    continue;
                };
                out.push(Job::new(&round.id, task));
            }
        }
        (Task::Menu { .. }, Outcome::Menu(menu)) => {
            for button in &menu.buttons {
                for url in &button.urls {
                    out.push(Job::new(&round.id, Task::Link { url: url.clone() }));
                }
            }
        }
        _ => {}
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|j| seen.insert(j.id.clone()));
    out
}

fn same_host(a: &Url, b: &Url) -> bool {
    a.host_str().map(|h| h.trim_start_matches("www."))
        == b.host_str().map(|h| h.trim_start_matches("www."))
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The same page, ignoring the fragment (compared in place: a page can have ten thousand
/// links).
fn same_document(a: &Url, b: &Url) -> bool {
    a[..Position::AfterQuery] == b[..Position::AfterQuery]
}
