//! `site.ipv6`: a site with no AAAA record, a homepage that does not open over IPv6 or shows
//! IPv6 visitors something else than IPv4 ones, or same-site links out of reach over IPv6
//! below the plan's share; and the round's count of sites that support IPv6 (the national
//! plans' measure: 85 % of portals at county level and above).

use spotcheck_core::indicator::Indicator;
use spotcheck_core::job::Task;
use spotcheck_core::outcome::Outcome;
use spotcheck_core::transport::{Difference, Ipv6Outcome};

use super::{Computation, rate};
use crate::model::Ipv6Counts;
use crate::notice::percent;

impl<'a> Computation<'a> {
    pub(super) fn ipv6(&mut self) {
        let (round, reg, results) = (self.round, self.reg, self.results);
        let plan = &round.plan.ipv6;
        let Some(severity) = plan.severity.severity() else {
            return;
        };
        let (mut checked, mut supporting) = (0, 0);
        for r in results {
            let (Task::Ipv6 { site }, Outcome::Ipv6(o)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            let Some(site) = reg.website(site) else {
                continue;
            };
            // A name that does not resolve at all is an unreachable site, not an IPv6 fault.
            if o.lookup_error.is_some() {
                continue;
            }
            checked += 1;
            let faults = faults(o, plan.link_share);
            if faults.is_empty() {
                supporting += 1;
                continue;
            }
            let mut detail = faults.join("；");
            if let Some(share) = o.link_share() {
                if !detail.contains("二级链接") {
                    detail.push_str(&format!("；二级链接IPv6可达率{}", percent(share)));
                }
            }
            let finding = self.site_finding(Indicator::SiteIpv6, severity, site, detail);
            self.veto_if(severity, &site.id);
            self.findings.push(finding);
        }
        if checked > 0 {
            self.ipv6_counts = Some(Ipv6Counts {
                checked,
                supporting,
                share: rate(supporting, checked),
            });
        }
    }
}

/// What keeps a site from supporting IPv6, in the notice's words; none when it does.
fn faults(o: &Ipv6Outcome, line: f64) -> Vec<String> {
    if o.addresses.is_empty() {
        return vec!["网站域名未配置IPv6地址（无AAAA记录）".into()];
    }
    match &o.homepage {
        Some(v) if v.is_ok() => {}
        Some(v) => return vec![format!("首页无法通过IPv6访问（{}）", v.reason)],
        None => return vec!["首页未能通过IPv6访问".into()],
    }
    let mut out = Vec::new();
    if !o.differences.is_empty() {
        let what: Vec<String> = o.differences.iter().map(difference).collect();
        out.push(format!(
            "通过IPv6访问的首页与IPv4不一致（{}）",
            what.join("，")
        ));
    }
    if let Some(share) = o.link_share() {
        if share < line {
            let ok = o.links_tried - o.links_failed.len() as u32;
            let first = &o.links_failed[0];
            out.push(format!(
                "二级链接IPv6可达率{}（{ok}/{}），低于{}，如{}（{}）",
                percent(share),
                o.links_tried,
                percent(line),
                first.url,
                first.reason
            ));
        }
    }
    out
}

fn difference(d: &Difference) -> String {
    match d {
        Difference::Status { v4, v6 } => format!("状态码IPv4为{v4}、IPv6为{v6}"),
        Difference::Title { v4, v6 } => format!("标题IPv4为“{v4}”、IPv6为“{v6}”"),
        Difference::Text => "页面文字不同".into(),
        Difference::Links { only_v4, only_v6 } => {
            format!("链接不同：仅IPv4有{only_v4}个，仅IPv6有{only_v6}个")
        }
    }
}
