//! The pool on the real RabbitMQ and Redis: 1 collector and 3 worker processes produce the
//! same report.json as `spotcheck run`, and keep doing so when a worker or the collector is
//! killed mid-round, or when a job can never be processed.
//!
//! The services must be running (`./tests/run` starts them); these tests fail loudly when
//! they are not. Every test uses its own namespace, so tests never share queues or keys.

mod support;

use spotcheck_core::ports::Store;
use support::{City, Pool, ROUND_LIMIT, Role, assert_same_report, printed_round, read_report};

/// Starts a collector and `workers` workers on the pool.
fn start_roles(pool: &Pool, city: &City, workers: usize) -> (Role, Vec<Role>) {
    let collector = pool.spawn(city, "collector", &["collector"], "warn", false);
    let workers = (0..workers)
        .map(|_| pool.spawn(city, "worker", &["worker"], "warn", false))
        .collect();
    (collector, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_and_a_collector_write_the_embedded_report() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("same").await;
    let _roles = start_roles(&pool, &city, 3);
    let id = pool.start_round(&city);
    pool.assert_completes_as(&city, &id, &reference).await;
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_round_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("killw").await;
    let (_collector, mut workers) = start_roles(&pool, &city, 3);
    let id = pool.start_round(&city);
    pool.mid_round(&id, "a worker").await;
    workers[0].kill9();
    pool.assert_completes_as(&city, &id, &reference).await;
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_killed_and_restarted_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("killc").await;
    let (mut collector, _workers) = start_roles(&pool, &city, 3);
    let id = pool.start_round(&city);
    pool.mid_round(&id, "the collector").await;
    collector.kill9();
    let frozen = pool.progress(&id).await;
    let _restarted = pool.spawn(&city, "collector", &["collector"], "warn", false);
    let p = pool.assert_completes_as(&city, &id, &reference).await;
    assert!(p.done > frozen.done);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_always_crashes_is_dead_lettered_and_the_round_says_so() {
    let city = City::start().await;
    let mut pool = Pool::new("poison").await;
    // The menu of one account: its check panics in every worker, on every delivery.
    pool.env
        .push(("SPOTCHECK_DRILL_PANIC_ON".into(), "menu|renshe-wx".into()));
    let _roles = start_roles(&pool, &city, 3);
    let id = pool.start_round(&city);
    let p = pool
        .wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    assert_eq!(p.dead, 1);
    pool.assert_one_result_per_job(&id).await;

    let out = pool
        .command(&city)
        .args(["round", "status", &id.0, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["jobs"]["dead_lettered"], 1);
    assert_eq!(status["complete"], true);

    let report = pool.report(&city, &id);
    assert_eq!(report["summary"]["jobs"]["dead"], 1);
    let failed: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["indicator"] == "round.job_failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["target"], "测试人社");
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recheck_on_the_pool_matches_the_embedded_recheck() {
    let city = City::start().await;
    city.embedded_report_in("spot");
    let pool = Pool::new("recheck").await;
    let _roles = start_roles(&pool, &city, 2);
    let spot = pool.start_round(&city);
    pool.wait_for(&spot, ROUND_LIMIT, "spot round", |p| p.complete)
        .await;

    city.sim.rectify();
    let as_of = city.sim.as_of().to_string();
    let embedded = city.dir.path().join("recheck");
    let status = city
        .command()
        .args(["run", "--as-of", &as_of, "--recheck-of"])
        .arg(city.dir.path().join("spot"))
        .arg("--out")
        .arg(&embedded)
        .status()
        .unwrap();
    assert!(status.success());
    let reference = read_report(&embedded);

    let out = pool
        .command(&city)
        .args(["round", "recheck", &spot.0, "--as-of", &as_of])
        .output()
        .unwrap();
    let recheck = printed_round(out);
    pool.wait_for(&recheck, ROUND_LIMIT, "re-check", |p| p.complete)
        .await;
    // Only targets with problems are visited again: the healthy account is not.
    let scope = pool
        .store
        .round(&recheck)
        .await
        .unwrap()
        .unwrap()
        .scope
        .unwrap();
    assert_eq!(scope.accounts, vec!["gongan-wx", "renshe-wx"]);
    assert_eq!(scope.websites.len(), 4);
    let report = pool.report(&city, &recheck);
    assert_same_report(&report, &reference);
    assert_eq!(report["round"]["kind"], "recheck");
    assert_eq!(
        report["rectification"]["not_rectified"],
        serde_json::json!(["市公安局"])
    );
    assert_eq!(
        report["rectification"]["rectified"],
        serde_json::json!(["市政府办", "市人社局", "市教育局"])
    );
    pool.finish().await;
}
