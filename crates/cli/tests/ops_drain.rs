//! SIGTERM to a worker mid-round, on the real RabbitMQ and Redis: it stops taking jobs at once,
//! finishes its in-flight jobs within the grace period (or returns them to the queue when the
//! grace is over), exits 0 — and the round still completes with one result per job and the same
//! report as a round run in one process.

mod ops_support;

use std::process::Command;
use std::time::{Duration, Instant};

use ops_support::{City, LIMIT, Pool, ROUND_LIMIT, Role, http_get};

/// Sends SIGTERM and follows the drain through `/metrics` until the process is gone: the
/// consumed counter never moves after the worker said it takes no more jobs. Returns the
/// drain's figures from the log: (in flight at the stop, finished, returned).
fn terminate_and_follow(role: &mut Role, grace: Duration) -> (u64, u64, u64) {
    let sent = Instant::now();
    role.terminate();
    let stop = role.wait_log("taking no more jobs; finishing the ones in flight", LIMIT);
    let in_flight = stop["in_flight"].as_u64().unwrap();
    let mut consumed_at_stop = None;
    // Scrape while it drains; the listener goes away with the process.
    while let Ok((200, body)) = http_get(role.addr(), "/metrics") {
        let m = ops_support::Metrics::parse(&body);
        let consumed = m.sum("spotcheck_worker_jobs_consumed_total", &[]);
        let first = *consumed_at_stop.get_or_insert(consumed);
        assert_eq!(consumed, first, "{} took a job after SIGTERM", role.name);
        // (An empty answer means the process is exiting under the request.)
        if let Ok((code, health)) = http_get(role.addr(), "/healthz") {
            if code != 0 {
                assert_eq!(code, 503, "{}: draining yet ready: {health}", role.name);
                assert!(health.contains(r#""draining":true"#), "{health}");
            }
        }
        if role.child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = role.wait_exit(grace + Duration::from_secs(5));
    assert!(
        status.success(),
        "{} exited with {status}; log:\n{}",
        role.name,
        role.log_text()
    );
    let took = sent.elapsed();
    assert!(
        took <= grace + Duration::from_secs(5),
        "{} took {took:?} to stop with a grace of {grace:?}",
        role.name
    );
    let drained = role.wait_log("worker drained", LIMIT);
    let finished = drained["finished"].as_u64().unwrap();
    let returned = drained["returned"].as_u64().unwrap();
    assert_eq!(finished + returned, in_flight, "{}: {drained}", role.name);
    eprintln!(
        "{}: stopped in {took:?}; {in_flight} in flight at SIGTERM, {finished} finished, \
         {returned} returned",
        role.name
    );
    (in_flight, finished, returned)
}

/// The per-host leases (pool-wide concurrency slots, `{ns}:host:{host}:leases` in Redis, see
/// crates/store/src/limiter.rs) that the process `pid` holds; lease ids start with its pid in
/// hex.
fn leases_of(ns: &str, pid: u32) -> Vec<String> {
    let redis = |args: &[&str]| {
        let out = Command::new("redis-cli")
            .arg("-u")
            .arg(ops_support::redis_url())
            .args(args)
            .output()
            .expect("redis-cli (./tests/run installs it with Redis)");
        assert!(out.status.success(), "redis-cli {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let pattern = format!("{ns}:host:*:leases");
    let prefix = format!("{pid:08x}");
    redis(&["--scan", "--pattern", &pattern])
        .lines()
        .flat_map(|key| {
            redis(&["zrange", key, "0", "-1"])
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|lease| lease.starts_with(&prefix))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_a_worker_mid_round_and_the_round_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("opsdrain").await;
    let _collector = pool.spawn(&city, "collector", &["collector"], "warn", false);
    // One worker finishes what it holds (grace 20 s), one returns it at once (grace 0), and one
    // carries the round to its end.
    let mut finisher = pool.spawn(
        &city,
        "finisher",
        &["worker", "--grace", "20"],
        "info",
        true,
    );
    let mut returner = pool.spawn(&city, "returner", &["worker", "--grace", "0"], "info", true);
    let _keeper = pool.spawn(&city, "keeper", &["worker"], "warn", false);
    finisher.wait_ready(LIMIT);
    returner.wait_ready(LIMIT);

    let id = pool.start_round(&city);
    // Both hold jobs (the simulated city's slow host keeps them busy) before the stop.
    let start = Instant::now();
    loop {
        let held = |r: &Role| r.scrape().sum("spotcheck_worker_jobs_in_flight", &[]);
        let (f, r) = (held(&finisher), held(&returner));
        if f >= 1.0 && r >= 2.0 {
            break;
        }
        let p = pool.progress(&id).await;
        assert!(
            !p.complete,
            "the round finished before the workers could be stopped mid-job: {p:?}"
        );
        assert!(start.elapsed() < ROUND_LIMIT, "no jobs in flight: {f}, {r}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let (_, _, returned) = terminate_and_follow(&mut returner, Duration::ZERO);
    assert!(
        returned >= 1,
        "a worker without grace returns what it holds; log:\n{}",
        returner.log_text()
    );
    // Its returned checks ended with it and gave their per-host slots back; a slot left held
    // would slow every other worker's requests to that host until it expired.
    let held = leases_of(&pool.ns, returner.child.id());
    assert!(held.is_empty(), "a stopped worker still holds {held:?}");
    let (_, _, returned) = terminate_and_follow(&mut finisher, Duration::from_secs(20));
    assert_eq!(returned, 0, "within its grace a worker finishes its jobs");

    let p = pool
        .wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    assert_eq!(p.dead, 0, "{p:?}");
    pool.assert_one_result_per_job(&id).await;
    assert_eq!(pool.report(&city, &id), reference);
    pool.finish().await;
}
