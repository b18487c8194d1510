//! Politeness holds for the whole pool: three worker processes on one host limited to 5
//! requests a second never send it more than 6 in any one-second window, as the host's own
//! request log shows, and the round still completes.

mod support;

use std::time::{Duration, Instant};

use support::{City, Pool, busiest_second};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_keep_one_hosts_limit_together() {
    let city = City::fixture("polite-city.toml").await;
    let pool = Pool::new("polite").await;
    let _roles: Vec<_> = ["collector", "worker", "worker", "worker"]
        .iter()
        .map(|r| pool.spawn(&city, r, &[r], "warn", false))
        .collect();
    let id = pool.start_round(&city);
    let progress = pool
        .wait_for(&id, Duration::from_secs(180), "completion", |p| p.complete)
        .await;

    let times: Vec<Instant> = city
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.host == "www.test.gov.cn")
        .map(|r| r.at)
        .collect();
    assert!(
        times.len() >= 100,
        "the host served {} requests",
        times.len()
    );
    assert!(progress.total >= 100);
    let worst = busiest_second(&times);
    assert!(worst <= 6, "{worst} requests to the host within one second");
    pool.finish().await;
}
