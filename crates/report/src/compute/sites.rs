//! Websites: which were checked, `site.unreachable` from the homepage visits and
//! `site.homepage_stale` from the homepage's newest dated item (each a warning when near its
//! veto line).

use std::collections::HashMap;

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::registry::{ColumnType, Website};

use super::{Computation, task_site};
use crate::model::Finding;

impl<'a> Computation<'a> {
    pub(super) fn sites(&mut self) {
        // Every unit that owns a disclosure or interview column is listed, zeros included.
        for site in &self.reg.websites {
            for col in &site.columns {
                let unit = self.unit_name(col.unit_or(site));
                match col.kind {
                    ColumnType::Disclosure => {
                        self.updates.entry(unit).or_insert(0);
                    }
                    ColumnType::Interview => {
                        self.interview_sites
                            .entry(unit.clone())
                            .or_insert_with(|| site.id.clone());
                        self.interviews.entry(unit).or_insert(0);
                    }
                    _ => {}
                }
            }
        }
        // Each site's results, in the results' order: grouped once, not searched per site (a
        // province has 14,000 sites and 10⁵ results a report reads).
        let mut by_site: HashMap<&str, Vec<&'a JobResult>> = HashMap::new();
        for r in self.results {
            if let Some(site) = task_site(&r.job.task) {
                by_site.entry(site).or_default().push(r);
            }
        }
        for site in &self.reg.websites {
            let Some(mine) = by_site.remove(site.id.as_str()) else {
                continue;
            };
            self.checked_sites.insert(&site.id);
            let unreachable = self.availability(site, &mine);
            if !unreachable {
                self.homepage(site, &mine);
            }
            self.columns(site, &mine, unreachable);
        }
    }

    /// `site.unreachable` from the homepage visits; true when the site is unreachable.
    fn availability(&mut self, site: &'a Website, mine: &[&JobResult]) -> bool {
        let visits: Vec<_> = mine
            .iter()
            .filter_map(|r| match (&r.job.task, &r.outcome) {
                (Task::Visit { n, .. }, Outcome::Visit(v)) => Some((*n, v)),
                _ => None,
            })
            .collect();
        let failed: Vec<_> = visits.iter().filter(|(_, v)| !v.ok).collect();
        let ratio = self.round.plan.availability.fail_ratio;
        if visits.is_empty() {
            return false;
        }
        let first = failed
            .iter()
            .min_by_key(|(n, _)| *n)
            .and_then(|(_, v)| v.error.clone())
            .unwrap_or_default();
        if (failed.len() as f64) < ratio * visits.len() as f64 {
            self.unreachable_warning(site, visits.len(), failed.len(), &first);
            return false;
        }
        self.vetoed_sites.insert(&site.id);
        let detail = format!("{}次访问中{}次失败（{first}）", visits.len(), failed.len());
        let veto = self.site_finding(Indicator::SiteUnreachable, Severity::Veto, site, detail);
        self.findings.push(veto);
        true
    }

    /// A finding about a whole site: its unit, its name and its homepage as the evidence.
    pub(super) fn site_finding(
        &self,
        indicator: Indicator,
        severity: Severity,
        site: &Website,
        detail: String,
    ) -> Finding {
        Finding {
            indicator,
            severity,
            unit: self.unit_name(&site.unit),
            target: site.name.clone(),
            url: Some(site.url.to_string()),
            detail,
            pages: Vec::new(),
            menu_path: None,
            website: Some(site.id.clone()),
            account: None,
            margin: None,
            wording: None,
        }
    }

    fn homepage(&mut self, site: &'a Website, mine: &[&JobResult]) {
        let limit = self.round.plan.freshness.homepage;
        for r in mine {
            let (Task::Page { depth: 0, .. }, Outcome::Page(p)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            if !p.verdict.is_ok() {
                continue;
            }
            let detail = match p.newest {
                None => "首页无带日期的信息".to_string(),
                Some(d) if (self.round.as_of - d).num_days() > limit.days() => format!(
                    "首页最新信息发布于{d}，截至{}已{}天未更新（要求{}天内）",
                    self.round.as_of,
                    (self.round.as_of - d).num_days(),
                    limit.days()
                ),
                Some(d) => {
                    self.homepage_warning(site, d);
                    continue;
                }
            };
            self.vetoed_sites.insert(&site.id);
            let veto = self.site_finding(Indicator::HomepageStale, Severity::Veto, site, detail);
            self.findings.push(veto);
        }
    }
}
