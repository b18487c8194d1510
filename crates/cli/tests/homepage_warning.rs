//! Early warnings through a simulated site, run as the demo runs a round: a homepage 11 days
//! without an update warns and passes; at 15 days it is vetoed and no longer warns.

use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_report::Report;
use spotcheck_sim::{Scenario, Sim};

/// One unit, one website whose newest homepage item is `AGE` days old at `as_of`.
const CITY: &str = r#"
[meta]
region = "测试市"
name = "测试市政府网站与政务新媒体"
window = "2020-07-01..2020-09-30"
as_of = "2020-12-17"

[plan.politeness]
per_host_rate = "20/s"
per_host_concurrency = 4

[[units]]
id = "szf"
name = "市政府办公室"

[[sites]]
id = "portal"
unit = "szf"
name = "测试市人民政府网站"
host = "www.test.gov.cn"
homepage_newest = AGE
"#;

async fn spot_report(age: u32) -> Report {
    let scenario = Scenario::from_toml(&CITY.replace("AGE", &age.to_string())).unwrap();
    let sim = Sim::start(scenario, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let round = spotcheck::embedded::round_on_sim(&sim).await.unwrap();
    sim.shutdown().await;
    round.report(None)
}

fn homepage(r: &Report) -> Vec<Severity> {
    r.findings
        .iter()
        .filter(|f| f.indicator == Indicator::HomepageStale)
        .map(|f| f.severity)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_homepage_11_days_stale_warns_and_15_days_is_vetoed() {
    let r = spot_report(11).await;
    assert_eq!(homepage(&r), [Severity::Warning]);
    let w = r
        .findings
        .iter()
        .find(|f| f.indicator == Indicator::HomepageStale)
        .unwrap();
    assert_eq!(
        (w.unit.as_str(), w.target.as_str()),
        ("市政府办公室", "测试市人民政府网站")
    );
    assert_eq!(w.margin.as_deref(), Some("距14天时限还剩3天"));
    assert_eq!(r.summary.pass_rate, 1.0);
    assert!(r.problems.is_empty());
    assert!(spotcheck_report::render::to_markdown(&r).contains("## 预警清单"));

    let r = spot_report(15).await;
    assert_eq!(homepage(&r), [Severity::Veto]);
    assert_eq!(r.summary.pass_rate, 0.0);
    assert!(r.findings.iter().all(|f| f.severity != Severity::Warning));
}
