//! `links.broken`: one finding per broken URL and site, naming every page that links it.

use std::collections::{BTreeMap, BTreeSet};

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{LinkState, Outcome};

use super::Computation;
use crate::model::Finding;

impl<'a> Computation<'a> {
    /// One `links.broken` finding per broken URL and site, naming every page that links it.
    pub(super) fn links(&mut self) {
        // (site id, url) → pages linking it, for the URLs found not fine: a province's pages
        // link 10⁶ fine URLs, which need no entry.
        let mut refs: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        for r in self.results {
            if let (Task::Page { site, url, .. }, Outcome::Page(p)) = (&r.job.task, &r.outcome) {
                for l in &p.links {
                    if self
                        .verdicts
                        .get(l.as_str())
                        .is_some_and(|v| v.state != LinkState::Ok)
                    {
                        refs.entry((site.as_str(), l.as_str()))
                            .or_default()
                            .insert(url.as_str());
                    }
                }
            }
        }
        for ((site_id, url), pages) in refs {
            let Some(v) = self.verdicts.get(url) else {
                continue;
            };
            let severity = match v.state {
                LinkState::Ok => continue,
                LinkState::Broken => Severity::Deduct,
                LinkState::Unknown => Severity::Notice,
            };
            let Some(site) = self.reg.website(site_id) else {
                continue;
            };
            let pages: Vec<String> = pages.into_iter().map(str::to_string).collect();
            let detail = match v.state {
                LinkState::Unknown => {
                    format!("无法判定（{}），见于{}个页面", v.reason, pages.len())
                }
                _ => format!("{}，见于{}个页面", v.reason, pages.len()),
            };
            self.findings.push(Finding {
                indicator: Indicator::LinkBroken,
                severity,
                unit: self.unit_name(&site.unit),
                target: site.name.clone(),
                url: Some(url.to_string()),
                detail,
                pages,
                menu_path: None,
                website: Some(site.id.clone()),
                account: None,
                margin: None,
                wording: None,
            });
        }
    }
}
