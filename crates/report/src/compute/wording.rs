//! `content.wording_error`: one finding per wrong phrase and page, from what the workers read
//! in the text of homepages and pages, column lists and articles, and WeChat articles. The
//! severity is the dictionary entry's: a serious wording error is a veto for its website or
//! account, a typo costs points.

use std::collections::BTreeMap;

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::WordingHit;

use super::Computation;
use crate::model::{Finding, WordingEvidence};

/// Whose text a page is, as the check that read it knows.
#[derive(Clone)]
struct Source<'a> {
    /// A column's pages are its own unit's; pages found from a homepage are the site's. When
    /// two checks read the same page, the column's reading is kept (lower is kept).
    rank: u8,
    unit: String,
    target: String,
    website: Option<&'a str>,
    account: Option<&'a str>,
}

impl<'a> Computation<'a> {
    pub(super) fn wording(&mut self) {
        // (page, wrong, right) → where it was read and what was found.
        let mut found: BTreeMap<(&'a str, &'a str, &'a str), (Source<'a>, &'a WordingHit)> =
            BTreeMap::new();
        for r in self.results {
            if r.wording.is_empty() {
                continue;
            }
            let Some(source) = self.source(&r.job.task) else {
                continue;
            };
            for hit in &r.wording {
                let key = (hit.url.as_str(), hit.wrong.as_str(), hit.right.as_str());
                let better = found.get(&key).is_none_or(|(known, _)| {
                    (source.rank, &source.unit, &source.target)
                        < (known.rank, &known.unit, &known.target)
                });
                if better {
                    found.insert(key, (source.clone(), hit));
                }
            }
        }
        for (_, (source, hit)) in found {
            if hit.severity == Severity::Veto {
                if let Some(site) = source.website {
                    self.vetoed_sites.insert(site);
                }
                if let Some(account) = source.account {
                    self.vetoed_accounts.insert(account);
                }
            }
            self.findings.push(finding(source, hit));
        }
    }

    /// The unit and target whose text a job read; `None` for jobs that read no text or name
    /// nothing of the registry.
    fn source(&self, task: &Task) -> Option<Source<'a>> {
        let reg = self.reg;
        match task {
            Task::Column { site, column } => {
                let w = reg.website(site)?;
                let c = w.columns.get(*column)?;
                Some(Source {
                    rank: 0,
                    unit: self.unit_name(c.unit_or(w)),
                    target: c.name.clone(),
                    website: Some(&w.id),
                    account: None,
                })
            }
            Task::Page { site, .. } => {
                let w = reg.website(site)?;
                Some(Source {
                    rank: 1,
                    unit: self.unit_name(&w.unit),
                    target: w.name.clone(),
                    website: Some(&w.id),
                    account: None,
                })
            }
            Task::Menu { account } => {
                let a = reg.account(account)?;
                Some(Source {
                    rank: 2,
                    unit: self.unit_name(&a.unit),
                    target: a.name.clone(),
                    website: None,
                    account: Some(&a.id),
                })
            }
            Task::Visit { .. } | Task::Link { .. } | Task::Ipv6 { .. } | Task::Tls { .. } => None,
        }
    }
}

fn finding(source: Source<'_>, hit: &WordingHit) -> Finding {
    let note = if hit.note.is_empty() {
        String::new()
    } else {
        format!("（{}）", hit.note)
    };
    Finding {
        indicator: Indicator::WordingError,
        severity: hit.severity,
        unit: source.unit,
        target: source.target,
        url: Some(hit.url.to_string()),
        detail: format!(
            "「{}」应为「{}」{note}，原文：“{}”",
            hit.wrong, hit.right, hit.context
        ),
        pages: Vec::new(),
        menu_path: None,
        website: source.website.map(str::to_string),
        account: source.account.map(str::to_string),
        margin: None,
        wording: Some(WordingEvidence {
            wrong: hit.wrong.clone(),
            right: hit.right.clone(),
            context: hit.context.clone(),
            note: hit.note.clone(),
        }),
    }
}
