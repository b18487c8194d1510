//! `round.job_failed`: jobs that no worker could process are reported, never silently missing.

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::Task;
use spotcheck_core::outcome::Outcome;

use super::Computation;
use crate::model::Finding;

impl<'a> Computation<'a> {
    /// Jobs that no worker could process are reported, never silently missing.
    pub(super) fn dead_jobs(&mut self) {
        for r in self.results {
            let Outcome::Dead { reason } = &r.outcome else {
                continue;
            };
            let (unit, target, url, website, account) = match &r.job.task {
                Task::Visit { site, .. }
                | Task::Page { site, .. }
                | Task::Column { site, .. }
                | Task::Ipv6 { site }
                | Task::Tls { site } => match self.reg.website(site) {
                    Some(w) => (
                        self.unit_name(&w.unit),
                        w.name.clone(),
                        None,
                        Some(site.clone()),
                        None,
                    ),
                    None => continue,
                },
                Task::Menu { account } => match self.reg.account(account) {
                    Some(a) => (
                        self.unit_name(&a.unit),
                        a.name.clone(),
                        None,
                        None,
                        Some(account.clone()),
                    ),
                    None => continue,
                },
                Task::Link { url } => (
                    String::new(),
                    url.to_string(),
                    Some(url.to_string()),
                    None,
                    None,
                ),
            };
            let url = url.or_else(|| match &r.job.task {
                Task::Page { url, .. } => Some(url.to_string()),
                _ => None,
            });
            self.findings.push(Finding {
                indicator: Indicator::JobFailed,
                severity: Severity::Notice,
                unit,
                target,
                url,
                detail: format!("{}任务未能完成：{reason}", r.job.task.kind()),
                pages: Vec::new(),
                menu_path: None,
                website,
                account,
                margin: None,
                wording: None,
            });
        }
    }
}
