//! `site.tls`: a site without HTTPS, with a certificate that is expired, about to expire
//! (within the plan's `[tls] expiring` of the check), untrusted or for another name, or whose
//! plain-HTTP address serves pages instead of sending visitors to HTTPS.

use spotcheck_core::Period;
use spotcheck_core::indicator::Indicator;
use spotcheck_core::job::Task;
use spotcheck_core::outcome::Outcome;
use spotcheck_core::transport::TlsOutcome;

use super::Computation;

impl<'a> Computation<'a> {
    pub(super) fn tls(&mut self) {
        let (round, reg, results) = (self.round, self.reg, self.results);
        let plan = &round.plan.tls;
        let Some(severity) = plan.severity.severity() else {
            return;
        };
        for r in results {
            let (Task::Tls { site }, Outcome::Tls(o)) = (&r.job.task, &r.outcome) else {
                continue;
            };
            let Some(site) = reg.website(site) else {
                continue;
            };
            let faults = faults(o, plan.expiring);
            if faults.is_empty() {
                continue;
            }
            let finding = self.site_finding(Indicator::SiteTls, severity, site, faults.join("；"));
            self.veto_if(severity, &site.id);
            self.findings.push(finding);
        }
    }
}

/// What is wrong with a site's HTTPS, in the notice's words; none when nothing is.
fn faults(o: &TlsOutcome, expiring: Period) -> Vec<String> {
    let Some(cert) = &o.certificate else {
        let why = o.error.as_deref().unwrap_or_default();
        return vec![format!("未启用HTTPS（{}：{why}）", o.url)];
    };
    let mut out = Vec::new();
    let until = cert.not_after.format("%Y年%m月%d日");
    if cert.expired() {
        out.push(format!("HTTPS证书已于{until}过期"));
    } else if cert.not_after - cert.checked_at
        < chrono::TimeDelta::from_std(expiring.0).unwrap_or_default()
    {
        out.push(format!(
            "HTTPS证书将于{until}过期（剩余{}天）",
            cert.days_left()
        ));
    }
    if !cert.name_ok {
        let names = if cert.names.is_empty() {
            "无".to_string()
        } else {
            cert.names.join("、")
        };
        out.push(format!(
            "HTTPS证书与网站域名不符（{}，证书适用于：{names}）",
            o.url.host_str().unwrap_or_default()
        ));
    }
    if let Some(why) = &cert.untrusted {
        out.push(format!("HTTPS证书不受信任（{why}）"));
    }
    if let Some(http) = o.http.as_ref().filter(|h| h.serves_plain()) {
        out.push(format!("HTTP访问未跳转至HTTPS（{}）", http.url));
    }
    out
}
