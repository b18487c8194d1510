//! `/metrics` and `/healthz` of a running pool, scraped during a round on the real RabbitMQ and
//! Redis: the counters move while the round runs and, at its end, add up to the round's job
//! count; histograms have buckets; no label names a host or a URL; lines about a job carry its
//! round and id. And a worker whose broker connection drops counts the reconnect and is ready
//! again.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use spotcheck_core::Namespace;
use support::{City, LIMIT, Metrics, Pool, ROUND_LIMIT, Role};

/// Sums a metric over several roles' scrapes.
fn total(scrapes: &[Metrics], name: &str, labels: &[(&str, &str)]) -> f64 {
    scrapes.iter().map(|m| m.sum(name, labels)).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_health_follow_a_round_and_add_up_to_its_jobs() {
    let city = City::start().await;
    let pool = Pool::new("opsmetrics").await;
    let collector = pool.spawn(&city, "collector", &["collector"], "info", true);
    // Debug for the worker crate: its per-job line ("result published…") shows the job span.
    let workers: Vec<Role> = (0..2)
        .map(|i| {
            pool.spawn(
                &city,
                &format!("worker{i}"),
                &["worker"],
                "info,spotcheck_worker=debug",
                true,
            )
        })
        .collect();
    for role in workers.iter().chain([&collector]) {
        role.wait_ready(LIMIT);
        let (_, health) = role.healthz();
        assert_eq!(health["broker"], "ok");
        assert_eq!(health["store"], "ok");
        assert_eq!(health["draining"], false);
        let (status, body) = support::http_get(role.addr(), "/livez").unwrap();
        assert_eq!((status, body.as_str()), (200, "ok\n"));
    }
    let before = workers.iter().map(Role::scrape).collect::<Vec<_>>();
    assert_eq!(
        total(&before, "spotcheck_worker_jobs_consumed_total", &[]),
        0.0
    );
    assert_eq!(
        before[0].types["spotcheck_worker_jobs_consumed_total"],
        "counter"
    );

    let id = pool.start_round(&city);

    // While the round runs, the counters move.
    let start = Instant::now();
    let mut seen_moving = None;
    loop {
        let p = pool.progress(&id).await;
        let scrapes: Vec<Metrics> = workers.iter().map(Role::scrape).collect();
        let consumed = total(&scrapes, "spotcheck_worker_jobs_consumed_total", &[]);
        let written = collector
            .scrape()
            .sum("spotcheck_collector_results_written_total", &[]);
        if p.complete {
            break;
        }
        if consumed > 0.0 && written > 0.0 {
            seen_moving.get_or_insert((consumed, written, p));
        }
        assert!(
            start.elapsed() < ROUND_LIMIT,
            "round not complete within {ROUND_LIMIT:?}: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (consumed, written, p) =
        seen_moving.expect("no scrape saw jobs consumed and results written mid-round");
    eprintln!("mid-round: {consumed} consumed, {written} written, {p:?}");

    // At the end: the workers' successes and the collector's first writes equal the round's
    // jobs. A worker counts its success just after the ack, so the figures may trail the
    // completion by a moment: wait for them, with a deadline.
    let p = pool.progress(&id).await;
    assert!(p.complete && p.dead == 0, "{p:?}");
    let jobs = p.total as f64;
    let start = Instant::now();
    let (scrapes, collected) = loop {
        let scrapes: Vec<Metrics> = workers.iter().map(Role::scrape).collect();
        let collected = collector.scrape();
        let succeeded = total(&scrapes, "spotcheck_worker_jobs_succeeded_total", &[]);
        let written = collected.sum("spotcheck_collector_results_written_total", &[]);
        let in_flight = total(&scrapes, "spotcheck_worker_jobs_in_flight", &[]);
        if succeeded == jobs && written == jobs && in_flight == 0.0 {
            break (scrapes, collected);
        }
        assert!(
            start.elapsed() < LIMIT,
            "at the end of a round of {jobs} jobs: workers succeeded {succeeded}, collector \
             wrote {written}, {in_flight} in flight"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (i, m) in scrapes.iter().enumerate() {
        let consumed = m.sum("spotcheck_worker_jobs_consumed_total", &[]);
        let succeeded = m.sum("spotcheck_worker_jobs_succeeded_total", &[]);
        let failed = m.sum("spotcheck_worker_jobs_failed_total", &[]);
        assert_eq!(consumed, succeeded + failed, "worker{i}: {}", m.text);
        assert_eq!(failed, 0.0, "worker{i}: a clean round fails no job");
        assert!(
            succeeded > 0.0,
            "worker{i} did no job: the queue spreads them"
        );
        // Fetch latency and throttle waits are histograms with our buckets, not summaries.
        assert_eq!(m.types["spotcheck_fetch_duration_seconds"], "histogram");
        assert!(m.sum("spotcheck_fetch_duration_seconds_count", &[]) > 0.0);
        assert!(m.has("spotcheck_fetch_duration_seconds_bucket"));
        assert!(
            m.samples
                .contains_key("spotcheck_fetch_duration_seconds_bucket{le=\"0.005\"}"),
            "{}",
            m.text
        );
        assert_eq!(m.types["spotcheck_throttle_wait_seconds"], "histogram");
        assert!(m.sum("spotcheck_throttle_wait_seconds_count", &[]) > 0.0);
        assert_eq!(
            m.types["spotcheck_worker_job_duration_seconds"],
            "histogram"
        );
        assert!(m.has("spotcheck_throttled_requests_total"));
        assert!(m.has("spotcheck_host_backoffs_total"));
        assert_eq!(
            m.sum("spotcheck_reconnects_total", &[("link", "broker")]),
            0.0
        );
        assert_eq!(m.sum("spotcheck_ready", &[]), 1.0);
    }
    // Every check request passes the gate: as many fetches as gate entries.
    let fetches = total(&scrapes, "spotcheck_fetch_duration_seconds_count", &[]);
    let entries = total(&scrapes, "spotcheck_throttle_wait_seconds_count", &[]);
    assert_eq!(fetches, entries);
    // Kinds add up too: what the workers did per kind is what the collector wrote per kind.
    for kind in ["probe", "page", "check", "column", "menu"] {
        assert_eq!(
            total(
                &scrapes,
                "spotcheck_worker_jobs_succeeded_total",
                &[("kind", kind)]
            ),
            collected.sum(
                "spotcheck_collector_results_written_total",
                &[("kind", kind)]
            ),
            "kind {kind}"
        );
    }
    assert!(
        collected.sum(
            "spotcheck_collector_results_written_total",
            &[("kind", "check")]
        ) > 0.0
    );
    assert_eq!(
        collected.sum("spotcheck_collector_rounds_completed_total", &[]),
        1.0
    );
    // A message carries the results of a batch of jobs (a page's links go out together):
    // every result arrived, in fewer messages than there are results.
    let messages = collected.sum(
        "spotcheck_collector_messages_received_total",
        &[("lane", "results")],
    );
    let results = collected.sum("spotcheck_collector_results_written_total", &[])
        + collected.sum("spotcheck_collector_results_duplicate_total", &[]);
    assert!(results >= jobs, "{results} results for {jobs} jobs");
    assert!(
        messages >= 1.0 && messages < results,
        "{messages} result messages for {results} results"
    );
    assert!(collected.sum("spotcheck_collector_follow_ups_published_total", &[]) > 0.0);
    assert_eq!(
        collected.sum("spotcheck_collector_dead_letters_total", &[]),
        0.0
    );

    // Bounded labels only: no host, no URL, anywhere.
    for m in scrapes.iter().chain([&collected]) {
        for label in m.label_names() {
            assert!(
                ["kind", "reason", "lane", "link", "le", "role", "version"]
                    .contains(&label.as_str()),
                "unexpected label {label}"
            );
        }
        assert!(!m.text.contains("gov.cn"), "a host leaked into the metrics");
        assert!(!m.text.contains("http://"), "a URL leaked into the metrics");
    }

    // Every line about a job carries its round and id: here, one line per job settled.
    let mut settled = 0;
    for w in &workers {
        for line in w.log() {
            if line["message"] == "result published, job acknowledged" {
                assert_eq!(line["span"]["name"], "job", "{line}");
                assert_eq!(line["span"]["round"], id.0.as_str(), "{line}");
                assert!(line["span"]["job"].as_str().is_some_and(|j| !j.is_empty()));
                assert!(line["span"]["kind"].is_string());
                settled += 1;
            }
            for span in line["spans"].as_array().into_iter().flatten() {
                if span["name"] == "job" {
                    assert_eq!(span["round"], id.0.as_str(), "{line}");
                    assert!(span["job"].is_string(), "{line}");
                }
            }
        }
    }
    assert_eq!(settled as f64, jobs);

    drop(workers);
    drop(collector);
    pool.finish().await;
}

/// The pids of this namespace's connections on the broker (the connection name carries it).
fn broker_connections(ns: &Namespace) -> Vec<String> {
    let out = Command::new("rabbitmqctl")
        .args(["-q", "list_connections", "pid", "client_properties"])
        .output()
        .expect("rabbitmqctl is needed to drop a connection on the broker (./tests/run's RabbitMQ has it)");
    assert!(
        out.status.success(),
        "rabbitmqctl list_connections: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&format!("spotcheck {ns} #")))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_broker_connection_is_counted_and_the_worker_is_ready_again() {
    let city = City::start().await;
    let pool = Pool::new("opsreconn").await;
    let worker = pool.spawn(&city, "worker", &["worker"], "warn", true);
    worker.wait_ready(LIMIT);
    let before = worker.scrape();
    assert_eq!(
        before.sum("spotcheck_reconnects_total", &[("link", "broker")]),
        0.0
    );

    // Close every connection of this namespace on the broker: the worker's, and the test's
    // own (which reconnects when next used).
    let start = Instant::now();
    let pids = loop {
        let pids = broker_connections(&pool.ns);
        if pids.len() >= 2 {
            break pids;
        }
        assert!(
            start.elapsed() < LIMIT,
            "the broker lists {} connections of {}",
            pids.len(),
            pool.ns
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for pid in &pids {
        let status = Command::new("rabbitmqctl")
            .args([
                "-q",
                "close_connection",
                pid,
                "ops test: dropped on purpose",
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }

    let start = Instant::now();
    loop {
        let m = worker.scrape();
        let broker = m.sum("spotcheck_reconnects_total", &[("link", "broker")]);
        let consumer = m.sum("spotcheck_reconnects_total", &[("link", "consumer")]);
        if broker >= 1.0 && consumer >= 1.0 && m.sum("spotcheck_ready", &[]) == 1.0 {
            break;
        }
        assert!(
            start.elapsed() < LIMIT,
            "after the broker closed its connection: reconnects broker {broker}, consumer \
             {consumer}; log:\n{}",
            worker.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    worker.wait_ready(LIMIT);

    // Still doing its work: a round completes on this worker and a collector.
    let collector = pool.spawn(&city, "collector", &["collector"], "warn", false);
    let id = pool.start_round(&city);
    pool.wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    pool.assert_one_result_per_job(&id).await;
    drop(collector);
    drop(worker);
    pool.finish().await;
}
