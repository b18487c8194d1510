//! Targets the round's own policy refused: `round.config` notices, never findings against a unit.
//!
//! A worker refuses a target its round does not allow (a name that resolves to a private address,
//! a redirect into one) and fetches nothing, so the result says nothing about the department's
//! site. Such results are taken out before the round is judged — a refused homepage is not an
//! unreachable site, a refused column not a blank one, a refused link not a broken one — and each
//! becomes one notice naming the target, so the operator can fix the registry.

use std::collections::{BTreeSet, HashMap};

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::round::Round;

use crate::model::Finding;

/// The notices for refused targets, and the results without them (`None` when none was refused).
pub(crate) fn split(
    round: &Round,
    results: &[JobResult],
) -> (Vec<Finding>, Option<Vec<JobResult>>) {
    let reason = |r: &JobResult| match &r.outcome {
        Outcome::Visit(v) if v.refused => Some(v.error.clone().unwrap_or_default()),
        Outcome::Page(p) if p.verdict.refused => Some(p.verdict.reason.clone()),
        Outcome::Link(v) if v.refused => Some(v.reason.clone()),
        Outcome::Column(c) if c.verdict.refused => Some(c.verdict.reason.clone()),
        Outcome::Ipv6(o) => o
            .homepage
            .as_ref()
            .filter(|v| v.refused)
            .map(|v| v.reason.clone()),
        Outcome::Tls(t) if t.refused => Some(t.error.clone().unwrap_or_default()),
        _ => None,
    };
    if !results.iter().any(|r| reason(r).is_some()) {
        return (Vec::new(), None);
    }
    let reg = &round.registry;
    // Who a checked link belongs to: the first site page or menu that links it.
    let mut owner: HashMap<&str, (String, String)> = HashMap::new();
    for r in results {
        match (&r.job.task, &r.outcome) {
            (Task::Page { site, .. }, Outcome::Page(p)) => {
                if let Some(w) = reg.website(site) {
                    for l in &p.links {
                        owner
                            .entry(l.as_str())
                            .or_insert_with(|| (w.unit.clone(), w.name.clone()));
                    }
                }
            }
            (Task::Menu { account }, Outcome::Menu(m)) => {
                if let Some(a) = reg.account(account) {
                    for u in m.buttons.iter().flat_map(|b| &b.urls) {
                        owner
                            .entry(u.as_str())
                            .or_insert_with(|| (a.unit.clone(), a.name.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    // One notice per target, however many jobs (homepage visits) it refused.
    let mut seen = BTreeSet::new();
    let mut notices = Vec::new();
    let mut judged = Vec::new();
    for r in results {
        let Some(why) = reason(r) else {
            judged.push(r.clone());
            continue;
        };
        let (unit, target, url) = match &r.job.task {
            Task::Visit { site, .. }
            | Task::Page { site, .. }
            | Task::Ipv6 { site }
            | Task::Tls { site } => match reg.website(site) {
                Some(w) => (
                    w.unit.clone(),
                    w.name.clone(),
                    page_url(&r.job.task, &w.url),
                ),
                None => continue,
            },
            Task::Column { site, column } => {
                match reg
                    .website(site)
                    .and_then(|w| Some((w, w.columns.get(*column)?)))
                {
                    Some((w, c)) => (
                        c.unit_or(w).to_string(),
                        format!("{}：{}", w.name, c.name),
                        c.url.to_string(),
                    ),
                    None => continue,
                }
            }
            Task::Link { url } => match owner.get(url.as_str()) {
                Some((unit, target)) => (unit.clone(), target.clone(), url.to_string()),
                None => (String::new(), url.to_string(), url.to_string()),
            },
            Task::Menu { .. } => continue,
        };
        if seen.insert(url.clone()) {
            notices.push(Finding {
                indicator: Indicator::RoundConfig,
                severity: Severity::Notice,
                unit: reg.unit_name(&unit).to_string(),
                target,
                url: Some(url),
                detail: format!("本轮配置拒绝访问该目标，未予检查（{why}）"),
                pages: Vec::new(),
                menu_path: None,
                website: None,
                account: None,
                margin: None,
                wording: None,
            });
        }
    }
    (notices, Some(judged))
}

/// The URL a homepage job was about: the page it fetched, or the site's homepage for a visit.
fn page_url(task: &Task, homepage: &url::Url) -> String {
    match task {
        Task::Page { url, .. } => url.to_string(),
        _ => homepage.to_string(),
    }
}
