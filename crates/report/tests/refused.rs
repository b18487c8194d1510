//! Targets the round's own policy refused are `round.config` notices, never findings against
//! the unit whose site it is.

use spotcheck_core::Plan;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::*;
use spotcheck_core::round::Round;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

fn round() -> Round {
    let registry = RegistryText::new("测试市", "测试市政府网站")
        .unit("jyj", "市教育局")
        .website("jyj", "jyj", "市教育局网站", "http://jyj.test.gov.cn/")
        .column("信息公开", "http://jyj.test.gov.cn/xxgk/", "disclosure")
        .parse();
    rounds::round("2020Q4-refused", registry, Plan::default())
}

/// Every job of the site refused: the name resolves to a private address.
fn refused_results(r: &Round) -> Vec<JobResult> {
    let job = |t: Task| Job::new(&r.id, t);
    let why =
        "jyj.test.gov.cn resolves to 10.0.0.8 (a private address; allow with --allow-private)";
    let home = Url::parse("http://jyj.test.gov.cn/").unwrap();
    let mut out: Vec<JobResult> = (0..r.plan.availability.probes)
        .map(|n| {
            JobResult::new(
                job(Task::Visit {
                    site: "jyj".into(),
                    n,
                }),
                Outcome::Visit(Visit {
                    ok: false,
                    status: None,
                    error: Some(format!("refused: {why}")),
                    refused: true,
                }),
            )
        })
        .collect();
    out.push(JobResult::new(
        job(Task::Page {
            site: "jyj".into(),
            url: home,
            depth: 0,
        }),
        Outcome::Page(PageOutcome {
            verdict: Verdict::refused(why),
            links: Vec::new(),
            newest: None,
        }),
    ));
    out.push(JobResult::new(
        job(Task::Column {
            site: "jyj".into(),
            column: 0,
        }),
        Outcome::Column(ColumnOutcome {
            verdict: Verdict::refused(why),
            pages: 1,
            items: Vec::new(),
            blank_marker: false,
            problems: Vec::new(),
        }),
    ));
    out
}

#[test]
fn a_refused_site_is_a_config_notice_not_an_unreachable_or_blank_site() {
    let r = round();
    let report = spotcheck_report::compute(&r, &refused_results(&r));
    let got: Vec<(Indicator, Severity, &str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.indicator, f.severity, f.unit.as_str(), f.url.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Indicator::RoundConfig,
                Severity::Notice,
                "市教育局",
                Some("http://jyj.test.gov.cn/")
            ),
            (
                Indicator::RoundConfig,
                Severity::Notice,
                "市教育局",
                Some("http://jyj.test.gov.cn/xxgk/")
            ),
        ]
    );
    assert!(report.findings[0].detail.contains("10.0.0.8"));
    assert!(report.problems.is_empty());
    assert_eq!(
        report.summary.websites.passed,
        report.summary.websites.checked
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["findings"][0]["indicator"], "round.config");
    assert_eq!(json["findings"][0]["severity"], "notice");
}

#[test]
fn a_site_that_failed_on_its_own_is_still_unreachable() {
    let r = round();
    let mut results = refused_results(&r);
    for res in &mut results {
        if let Outcome::Visit(v) = &mut res.outcome {
            v.refused = false;
            v.error = Some("connection refused".into());
        }
    }
    let report = spotcheck_report::compute(&r, &results);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.indicator == Indicator::SiteUnreachable && f.severity == Severity::Veto)
    );
}
