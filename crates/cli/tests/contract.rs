//! `spotcheck run` against the simulated city writes a report.json that other tools can read
//! by the contract alone: every contract field, with its type, read into the contract's own
//! shape (defined here from the contract text, not from the report crate).

mod support;

use serde::Deserialize;
use support::City;

#[derive(Deserialize)]
struct Contract {
    schema: String,
    round: RoundC,
    summary: SummaryC,
    updates: Vec<UnitCount>,
    letters: Vec<LettersC>,
    interviews: Vec<InterviewsC>,
    findings: Vec<FindingC>,
    problems: Vec<ProblemC>,
    rectification: Option<RectificationC>,
}

#[derive(Deserialize)]
struct RoundC {
    id: String,
    kind: String,
    parent: Option<String>,
    window: WindowC,
    as_of: String,
}

#[derive(Deserialize)]
struct WindowC {
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct Counts {
    registered: u64,
    checked: u64,
    passed: u64,
}

#[derive(Deserialize)]
struct LettersTotal {
    received: u64,
    replied: u64,
    reply_rate: f64,
}

#[derive(Deserialize)]
struct SummaryC {
    websites: Counts,
    accounts: Counts,
    sample_rate: f64,
    pass_rate: f64,
    letters: LettersTotal,
}

#[derive(Deserialize)]
struct UnitCount {
    unit: String,
    count: u64,
}

#[derive(Deserialize)]
struct LettersC {
    unit: String,
    received: u64,
    replied: u64,
    reply_rate: f64,
}

#[derive(Deserialize)]
struct InterviewsC {
    unit: String,
    held: u64,
}

#[derive(Deserialize)]
struct FindingC {
    indicator: String,
    severity: String,
    unit: String,
    target: String,
    url: Option<String>,
    detail: String,
}

#[derive(Deserialize)]
struct ProblemC {
    indicator: String,
    units: Vec<String>,
}

/// Read only to prove the shape (a spot round has none).
#[derive(Deserialize)]
#[allow(dead_code)]
struct RectificationC {
    rectified: Vec<String>,
    not_rectified: Vec<String>,
}

/// Every indicator the contract lists (its table "Indicators", in its order).
const INDICATORS: [&str; 15] = [
    "site.unreachable",
    "site.homepage_stale",
    "site.ipv6",
    "site.tls",
    "column.stale",
    "column.blank",
    "links.broken",
    "letters.unanswered",
    "interview.missing",
    "wechat.menu_link_broken",
    "wechat.stale",
    "wechat.unavailable",
    "content.wording_error",
    "round.job_failed",
    "round.config",
];

/// Every severity the contract lists.
const SEVERITIES: [&str; 4] = ["veto", "deduct", "warning", "notice"];

/// Every indicator the product knows, with its severity, is one the contract lists: a new one reaches
/// report.json only with the contract (and this list) updated.
#[test]
fn every_indicator_of_the_catalogue_is_in_the_contract() {
    for indicator in spotcheck_core::indicator::Indicator::ALL {
        let code = serde_json::to_value(indicator).unwrap();
        let code = code.as_str().unwrap();
        assert!(INDICATORS.contains(&code), "{code} is not in the contract");
        assert_eq!(code, indicator.code());
        let severity = serde_json::to_value(indicator.severity()).unwrap();
        assert!(
            SEVERITIES.contains(&severity.as_str().unwrap()),
            "{code}: {severity}"
        );
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_writes_report_json_by_the_contract() {
    let city = City::start().await;
    // `spotcheck run` exits 0 for a completed round: findings are not errors.
    city.embedded_report();
    let out = city.dir.path().join("embedded");
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    let r: Contract = serde_json::from_str(&json).expect("report.json follows the contract");
    assert_eq!(r.schema, "spotcheck.report/1");
    assert_eq!(r.round.kind, "spot");
    assert!(r.round.parent.is_none() && r.rectification.is_none());
    assert!(!r.round.id.is_empty());
    assert!(
        is_date(&r.round.window.from) && is_date(&r.round.window.to) && is_date(&r.round.as_of)
    );
    assert_eq!(
        (r.round.window.from.as_str(), r.round.as_of.as_str()),
        ("2020-07-01", "2020-12-17")
    );
    let s = &r.summary;
    assert_eq!((s.websites.registered, s.websites.checked), (4, 4));
    assert_eq!((s.accounts.registered, s.accounts.checked), (3, 3));
    assert!(s.websites.passed <= s.websites.checked && s.accounts.passed <= s.accounts.checked);
    assert_eq!(s.sample_rate, 1.0);
    assert!((0.0..=1.0).contains(&s.pass_rate));
    assert_eq!((s.letters.received, s.letters.replied), (42, 42));
    assert_eq!(s.letters.reply_rate, 1.0);
    assert_eq!(
        r.updates
            .iter()
            .map(|u| (u.unit.as_str(), u.count))
            .collect::<Vec<_>>(),
        vec![("市人社局", 45), ("市教育局", 40)]
    );
    assert_eq!(r.letters.len(), 2);
    assert_eq!(r.letters[0].unit, "市人社局");
    assert!(
        r.letters
            .iter()
            .all(|l| l.reply_rate == l.replied as f64 / l.received as f64)
    );
    assert_eq!(
        r.interviews
            .iter()
            .map(|i| (i.unit.as_str(), i.held))
            .collect::<Vec<_>>(),
        vec![("市教育局", 0)]
    );
    assert!(!r.findings.is_empty());
    for f in &r.findings {
        assert!(
            INDICATORS.contains(&f.indicator.as_str()),
            "{}",
            f.indicator
        );
        assert!(SEVERITIES.contains(&f.severity.as_str()), "{}", f.severity);
        assert!(!f.unit.is_empty() && !f.target.is_empty() && !f.detail.is_empty());
        if let Some(u) = &f.url {
            assert!(url::Url::parse(u).is_ok());
        }
    }
    for p in &r.problems {
        assert!(
            INDICATORS.contains(&p.indicator.as_str()),
            "{}",
            p.indicator
        );
        assert!(!p.units.is_empty());
    }
    // Contract's order for tables: updates by count, letters by received, descending.
    assert!(r.updates.windows(2).all(|w| w[0].count >= w[1].count));
    assert!(r.letters.windows(2).all(|w| w[0].received >= w[1].received));
}
