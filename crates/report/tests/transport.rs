//! `site.ipv6` and `site.tls` from hand-made outcomes: exact details, notices by default, the
//! plan raising them to vetoes (and 合格率 with them) or switching them off, the IPv6 share.

use chrono::{TimeDelta, TimeZone, Utc};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::plan::Level;
use spotcheck_core::round::Round;
use spotcheck_core::transport::*;
use spotcheck_core::{Plan, Registry};
use spotcheck_report::model::{Finding, Ipv6Counts};
use spotcheck_testkit::outcomes::visit;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

const SITES: [&str; 4] = ["a", "b", "c", "d"];

fn registry() -> Registry {
    let mut r = RegistryText::new("测试市", "测试").unit("u", "市测试局");
    for s in SITES {
        r = r.website(
            s,
            "u",
            &format!("{s}网站"),
            &format!("http://{s}.test.gov.cn/"),
        );
    }
    r.parse()
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn ipv6(site: &str) -> Ipv6Outcome {
    let mut o = Ipv6Outcome {
        addresses: vec!["2400:3200::1".parse().unwrap()],
        lookup_error: None,
        homepage: Some(Verdict::ok(200)),
        differences: vec![],
        links_tried: 2,
        links_failed: vec![],
    };
    match site {
        "b" => {
            o.addresses.clear();
            o.homepage = None;
            o.links_tried = 0;
        }
        "c" => {
            o.differences = vec![
                Difference::Title {
                    v4: "某市".into(),
                    v6: "建设中".into(),
                },
                Difference::Links {
                    only_v4: 3,
                    only_v6: 0,
                },
            ];
            o.links_tried = 4;
            o.links_failed = vec![LinkFailure {
                url: u("http://c.test.gov.cn/x.html"),
                reason: "HTTP 404".into(),
            }];
        }
        "d" => {
            o.homepage = Some(Verdict::broken(None, "connection refused"));
            o.links_tried = 0;
        }
        _ => {}
    }
    o
}

fn tls(site: &str) -> TlsOutcome {
    let checked_at = Utc.with_ymd_and_hms(2020, 12, 17, 8, 0, 0).unwrap();
    let cert = |days: i64, name_ok: bool| Certificate {
        names: vec![format!("{site}.test.gov.cn")],
        not_after: checked_at + TimeDelta::days(days) + TimeDelta::hours(1),
        checked_at,
        name_ok,
        untrusted: None,
    };
    let https = u(&format!("https://{site}.test.gov.cn/"));
    let plain = |to: Option<Url>| PlainHttp {
        url: u(&format!("http://{site}.test.gov.cn/")),
        https: to,
        status: Some(if site == "c" { 200 } else { 301 }),
        error: None,
    };
    let mut o = TlsOutcome {
        url: https.clone(),
        error: None,
        refused: false,
        certificate: Some(cert(200, true)),
        http: Some(plain(Some(https.clone()))),
    };
    match site {
        "b" => o.certificate = Some(cert(-3, true)),
        "c" => {
            let mut c = cert(10, false);
            c.names = vec!["www.other.gov.cn".into()];
            o.certificate = Some(c);
            o.http = Some(plain(None));
        }
        "d" => {
            o.certificate = None;
            o.error = Some("connection refused".into());
            o.http = Some(PlainHttp {
                status: Some(200),
                ..plain(None)
            });
        }
        _ => {}
    }
    o
}

fn results(r: &Round) -> Vec<JobResult> {
    let job = |t: Task| Job::new(&r.id, t);
    let mut out = vec![];
    for s in SITES {
        let site = s.to_string();
        out.push(JobResult::new(
            job(Task::Visit {
                site: site.clone(),
                n: 0,
            }),
            visit(true),
        ));
        out.push(JobResult::new(
            job(Task::Ipv6 { site: site.clone() }),
            Outcome::Ipv6(Box::new(ipv6(s))),
        ));
        out.push(JobResult::new(
            job(Task::Tls { site }),
            Outcome::Tls(Box::new(tls(s))),
        ));
    }
    out
}

fn report(plan: Plan) -> spotcheck_report::Report {
    let mut plan = plan;
    plan.availability.probes = 1;
    let r = rounds::round("2020Q4-test", registry(), plan);
    spotcheck_report::compute(&r, &results(&r))
}

fn of(r: &spotcheck_report::Report, ind: Indicator) -> Vec<(String, Severity, String)> {
    r.findings
        .iter()
        .filter(|f: &&Finding| f.indicator == ind)
        .map(|f| (f.target.clone(), f.severity, f.detail.clone()))
        .collect()
}

fn n(target: &str, detail: &str) -> (String, Severity, String) {
    (target.into(), Severity::Notice, detail.into())
}

#[test]
fn ipv6_findings_are_notices_with_their_evidence() {
    let r = report(Plan::default());
    assert_eq!(
        of(&r, Indicator::SiteIpv6),
        [
            n("b网站", "网站域名未配置IPv6地址（无AAAA记录）"),
            n(
                "c网站",
                "通过IPv6访问的首页与IPv4不一致（标题IPv4为“某市”、IPv6为“建设中”，链接不同：仅IPv4有3个，仅IPv6有0个）；\
                 二级链接IPv6可达率75%（3/4），低于85%，如http://c.test.gov.cn/x.html（HTTP 404）"
            ),
            n("d网站", "首页无法通过IPv6访问（connection refused）"),
        ]
    );
    assert_eq!(
        r.summary.ipv6,
        Some(Ipv6Counts {
            checked: 4,
            supporting: 1,
            share: 0.25
        })
    );
    // Notices weigh nothing: every site passes, none is a problem.
    assert_eq!(r.summary.pass_rate, 1.0);
    assert!(r.problems.is_empty());
}

#[test]
fn tls_findings_are_notices_with_their_evidence() {
    let r = report(Plan::default());
    assert_eq!(
        of(&r, Indicator::SiteTls),
        [
            n("b网站", "HTTPS证书已于2020年12月14日过期"),
            n(
                "c网站",
                "HTTPS证书将于2020年12月27日过期（剩余10天）；\
                 HTTPS证书与网站域名不符（c.test.gov.cn，证书适用于：www.other.gov.cn）；\
                 HTTP访问未跳转至HTTPS（http://c.test.gov.cn/）"
            ),
            n(
                "d网站",
                "未启用HTTPS（https://d.test.gov.cn/：connection refused）"
            ),
        ]
    );
}

#[test]
fn the_plan_raises_or_switches_them_off() {
    let mut plan = Plan::default();
    plan.tls.severity = Level::Veto;
    plan.ipv6.severity = Level::Off;
    plan.ipv6.link_share = 0.7;
    let r = report(plan);
    assert!(of(&r, Indicator::SiteIpv6).is_empty());
    assert_eq!(r.summary.ipv6, None);
    let tls = of(&r, Indicator::SiteTls);
    assert_eq!(tls.len(), 3);
    assert!(tls.iter().all(|(_, s, _)| *s == Severity::Veto));
    assert_eq!(r.summary.websites.passed, 1);
    assert_eq!(r.summary.pass_rate, 0.25);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].indicator, Indicator::SiteTls);

    // A lower line: c's 75 % of links is enough, its different homepage is not.
    let mut plan = Plan::default();
    plan.ipv6.severity = Level::Deduct;
    plan.ipv6.link_share = 0.7;
    plan.tls.expiring = "7d".parse().unwrap();
    let r = report(plan);
    let c = &of(&r, Indicator::SiteIpv6)[1];
    assert_eq!(c.1, Severity::Deduct);
    assert!(c.2.ends_with("；二级链接IPv6可达率75%"), "{}", c.2);
    assert_eq!(r.summary.ipv6.unwrap().supporting, 1);
    // Ten days left is not "expiring" within seven.
    assert!(
        !of(&r, Indicator::SiteTls)[1].2.contains("即将")
            && !of(&r, Indicator::SiteTls)[1].2.contains("剩余")
    );
    assert_eq!(r.summary.pass_rate, 1.0, "deductions do not fail a site");
}
