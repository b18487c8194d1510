//! SIGTERM to a worker mid-round, on the real RabbitMQ and Redis: it stops taking jobs at once,
//! finishes its in-flight jobs within the grace period (or returns them to the queue when the
//! grace is over), exits 0 — and the round still completes with one result per job and the same
//! report as a round run in one process. And, in one process, a job returned at the end of the
//! grace really stops: its requests end and give their per-host slots back.

mod support;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use spotcheck_bus::MemoryQueue;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit, Lane};
use spotcheck_core::round::Round;
use spotcheck_politeness::MemoryGates;
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::MapSecrets;
use spotcheck_worker::{Worker, WorkerConfig};
use support::{City, LIMIT, Pool, ROUND_LIMIT, Role, assert_same_report, http_get};

/// A drain as the test saw it: the worker's figures from its log, and how often the test
/// looked at it while it drained.
struct Drain {
    finished: u64,
    returned: u64,
    /// `/metrics` answers read after the worker said it takes no more jobs.
    scrapes: u32,
    /// `/healthz` answers read meanwhile (each a 503 saying it drains).
    draining: u32,
}

/// Sends SIGTERM and follows the drain through `/metrics` until the process is gone: the
/// consumed counter never moves after the worker said it takes no more jobs, and `/healthz`
/// answers 503 draining.
fn terminate_and_follow(role: &mut Role, grace: Duration) -> Drain {
    let sent = Instant::now();
    role.terminate();
    let stop = role.wait_log("taking no more jobs; finishing the ones in flight", LIMIT);
    let in_flight = stop["in_flight"].as_u64().unwrap();
    let mut consumed_at_stop = None;
    let (mut scrapes, mut draining) = (0, 0);
    // Scrape while it drains; the listener goes away with the process.
    while let Ok((200, body)) = http_get(role.addr(), "/metrics") {
        scrapes += 1;
        let m = support::Metrics::parse(&body);
        let consumed = m.sum("spotcheck_worker_jobs_consumed_total", &[]);
        let first = *consumed_at_stop.get_or_insert(consumed);
        assert_eq!(consumed, first, "{} took a job after SIGTERM", role.name);
        // (An empty answer means the process is exiting under the request.)
        if let Ok((code, health)) = http_get(role.addr(), "/healthz") {
            if code != 0 {
                assert_eq!(code, 503, "{}: draining yet ready: {health}", role.name);
                assert!(health.contains(r#""draining":true"#), "{health}");
                draining += 1;
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
         {returned} returned; looked at {scrapes} times while draining",
        role.name
    );
    Drain {
        finished,
        returned,
        scrapes,
        draining,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_a_worker_mid_round_and_the_round_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("opsdrain").await;
    let collector = pool.spawn(&city, "collector", &["collector"], "warn", false);
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
    let keeper = pool.spawn(&city, "keeper", &["worker"], "warn", false);
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

    let drain = terminate_and_follow(&mut returner, Duration::ZERO);
    assert!(
        drain.returned >= 1,
        "a worker without grace returns what it holds; log:\n{}",
        returner.log_text()
    );
    let drain = terminate_and_follow(&mut finisher, Duration::from_secs(20));
    assert_eq!(
        drain.returned, 0,
        "within its grace a worker finishes its jobs"
    );
    assert!(drain.finished >= 1, "the worker was stopped mid-job");
    // The checks above ran while it drained, not never.
    assert!(
        drain.scrapes >= 1 && drain.draining >= 1,
        "the drain was never watched: {} scrapes, {} draining answers",
        drain.scrapes,
        drain.draining
    );

    let p = pool
        .wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    assert_eq!(p.dead, 0, "{p:?}");
    pool.assert_one_result_per_job(&id).await;
    assert_same_report(&pool.report(&city, &id), &reference);
    // Live consumers would declare the namespace's queues again: end them first.
    drop((collector, keeper, finisher, returner));
    pool.finish().await;
}

/// Host gates that count the permits alive, i.e. the requests in flight.
struct CountingGates {
    inner: MemoryGates,
    live: Arc<AtomicUsize>,
}

impl GateFactory for CountingGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        Arc::new(CountingGate {
            inner: self.inner.gate(round),
            live: self.live.clone(),
        })
    }
}

struct CountingGate {
    inner: Arc<dyn HostGate>,
    live: Arc<AtomicUsize>,
}

struct Counted {
    _permit: HostPermit,
    live: Arc<AtomicUsize>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl HostGate for CountingGate {
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit {
        let permit = self.inner.enter(host, addr).await;
        self.live.fetch_add(1, Ordering::SeqCst);
        HostPermit::new(Counted {
            _permit: permit,
            live: self.live.clone(),
        })
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        self.inner.back_off(host, wait).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_returned_at_the_end_of_the_grace_stops_its_requests() {
    let city = City::start().await;
    let round = city.round();
    let queue = MemoryQueue::new(5);
    let store = MemoryStore::new();
    spotcheck_scheduler::start_round(&store, &queue, &round)
        .await
        .unwrap();

    let live = Arc::new(AtomicUsize::new(0));
    let worker = Worker::new(
        Arc::new(queue.clone()),
        Arc::new(store),
        Arc::new(CountingGates {
            inner: MemoryGates::default(),
            live: live.clone(),
        }),
        Arc::new(MapSecrets(city.sim.secrets().into_iter().collect())),
        WorkerConfig {
            prefetch: 32,
            grace: Duration::ZERO,
            panic_on: None,
        },
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let run = tokio::spawn(worker.run(stopped));
    let start = Instant::now();
    while live.load(Ordering::SeqCst) == 0 {
        assert!(start.elapsed() < LIMIT, "no request in flight");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(true).unwrap();
    run.await.unwrap().unwrap();
    // No grace: every job in flight went back to the queue, and its check ended with it —
    // nothing of it still runs holding a host's slot.
    assert_eq!(
        live.load(Ordering::SeqCst),
        0,
        "checks of returned jobs still hold host slots: they kept running"
    );
    assert!(
        queue.depth(Lane::Jobs) > 0,
        "the returned jobs are queued again"
    );
}
