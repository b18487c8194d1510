//! Network black holes mid-round: a proxy on one link drops every byte for 30 s without
//! closing anything (connections opened meanwhile are accepted and hear nothing too), then
//! lets bytes through again. The side that uses the link notices within its heartbeat or
//! response timeout (a log line, `/healthz` 503 with the reason), comes back by itself once
//! bytes flow (`/healthz` 200), and the round completes with the report it has when run
//! alone: every job one result, nothing dead-lettered, no job held by a dead connection.
//!
//! The links: the workers' to RabbitMQ, the collector's to Redis, and the workers' to Redis
//! (which, once a worker has read its round, only the pool-wide host gate uses).

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use spotcheck_core::ports::Lane;
use spotcheck_testkit::Proxy;

use crate::support::{City, LIMIT, Pool, Role, amqp_url};

/// How long the link stays dark: longer than two heartbeats of 10 s, so the broker and the
/// workers both give the connection up.
const OUTAGE: Duration = Duration::from_secs(30);

/// The link the hole is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    WorkerBroker,
    CollectorStore,
    WorkerStore,
}

impl Link {
    fn workers_behind(self) -> bool {
        self != Link::CollectorStore
    }

    fn broker(self) -> bool {
        self == Link::WorkerBroker
    }

    /// The line that says the affected side noticed.
    fn noticed(self) -> &'static str {
        match self {
            Link::WorkerBroker => "consumer lost; resubscribing",
            Link::CollectorStore | Link::WorkerStore => {
                "Redis did not answer in time; opening a fresh connection"
            }
        }
    }

    /// The line that says the affected side works again.
    fn back(self) -> &'static str {
        match self {
            Link::WorkerBroker => "consumer resubscribed",
            Link::CollectorStore => "held result written",
            Link::WorkerStore => "host gate: Redis unreachable; requests wait for it",
        }
    }
}

/// The `host:port` of a service URL (`scheme://[user:password@]host:port[/…]`).
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

fn upstream(url: &str) -> SocketAddr {
    host_port(url)
        .to_socket_addrs()
        .expect("the service's address")
        .next()
        .expect("an address")
}

/// The URL that reaches the service through `proxy`.
fn through(url: &str, proxy: SocketAddr) -> String {
    url.replacen(host_port(url), &proxy.to_string(), 1)
}

/// Waits until one of `roles` logs a line starting with `start` beyond the `seen` it had;
/// returns that line.
fn wait_new_line(roles: &[&Role], start: &str, seen: usize) -> serde_json::Value {
    let t = Instant::now();
    loop {
        let lines: Vec<serde_json::Value> = roles
            .iter()
            .flat_map(|r| r.log())
            .filter(|l| l["message"].as_str().is_some_and(|m| m.starts_with(start)))
            .collect();
        if lines.len() > seen {
            return lines[seen].clone();
        }
        assert!(t.elapsed() < OUTAGE + LIMIT, "no new line {start:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the small city's round on a collector and two workers, with `link` dark for
/// [`OUTAGE`] once the round is under way.
async fn round_through_a_black_hole(link: Link, test: &str) {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new(test).await;
    let (service, var) = if link.broker() {
        (amqp_url(), "SPOTCHECK_AMQP_URL")
    } else {
        (pool.redis.clone(), "SPOTCHECK_REDIS_URL")
    };
    let proxy = Proxy::start(upstream(&service)).await;
    let proxied = through(&service, proxy.addr);
    let dark = [(var, proxied.as_str())];
    let env = |behind: bool| if behind { &dark[..] } else { &[] };
    let collector = pool.spawn_with(
        &city,
        "collector",
        &["collector"],
        "info",
        true,
        env(!link.workers_behind()),
    );
    let workers: Vec<Role> = (0..2)
        .map(|i| {
            let name = format!("worker{i}");
            let behind = env(link.workers_behind());
            pool.spawn_with(&city, &name, &["worker"], "info", true, behind)
        })
        .collect();
    collector.wait_ready(LIMIT);
    workers.iter().for_each(|w| w.wait_ready(LIMIT));
    let affected: Vec<&Role> = if link.workers_behind() {
        workers.iter().collect()
    } else {
        vec![&collector]
    };
    let id = pool.start_round(&city);
    pool.mid_round(&id, "the black hole").await;

    let count = |start: &str| crate::lines_starting(&affected, start);
    let (noticed_before, back_before) = (count(link.noticed()), count(link.back()));
    let dark_at = Instant::now();
    proxy.black_hole(true);
    let mut unready = Vec::new();
    for r in &affected {
        let body = r.wait_health(503, LIMIT);
        unready.push(dark_at.elapsed());
        let why = if link.broker() {
            &body["broker"]
        } else {
            &body["store"]
        };
        let service = if link.broker() { "RabbitMQ" } else { "Redis" };
        assert!(
            why.as_str().unwrap().contains(service),
            "{}: {body}",
            r.name
        );
    }
    let line = wait_new_line(&affected, link.noticed(), noticed_before);
    let noticed = dark_at.elapsed();
    assert!(noticed < OUTAGE, "noticed only after {noticed:?}: {line}");
    if link.broker() {
        let why = line["error"].as_str().unwrap_or_default();
        assert!(why.contains("heartbeat"), "{line}");
    }
    tokio::time::sleep(OUTAGE.saturating_sub(dark_at.elapsed())).await;
    proxy.black_hole(false);
    let light_at = Instant::now();
    for r in &affected {
        r.wait_health(200, LIMIT);
    }
    let ready = light_at.elapsed();
    if link == Link::WorkerStore {
        // The gate's requests waited for Redis, and said so; none reached a site meanwhile
        // but those let through before the hole (a cell is granted at most 50 ms ahead).
        assert!(count(link.back()) > back_before, "the gate never waited");
        let fetched = city
            .sim
            .requests()
            .iter()
            .filter(|r| r.at > dark_at + Duration::from_secs(1) && r.at < light_at)
            .count();
        assert_eq!(fetched, 0, "requests went without the pool's limits");
    } else {
        wait_new_line(&affected, link.back(), back_before);
    }
    let back = light_at.elapsed();

    let p = pool.assert_completes_as(&city, &id, &reference).await;
    let done = light_at.elapsed();
    assert_eq!(p.dead, 0, "{p:?}");
    assert_eq!(pool.queue.depth(Lane::Dead).await.unwrap(), 0);
    if link.broker() {
        let reconnects: f64 = workers
            .iter()
            .map(|w| {
                w.scrape()
                    .sum("spotcheck_reconnects_total", &[("link", "broker")])
            })
            .sum();
        assert!(reconnects >= 1.0, "no worker reconnected to the broker");
    }
    eprintln!(
        "{link:?}: {} jobs; /healthz 503 after {unready:?}; noticed after {noticed:?}; \
         after the hole: ready in {ready:?}, working in {back:?}, round complete in {done:?}",
        p.total
    );
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_cut_off_from_the_broker_by_a_black_hole_come_back() {
    round_through_a_black_hole(Link::WorkerBroker, "hole-broker").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_cut_off_from_redis_by_a_black_hole_comes_back() {
    round_through_a_black_hole(Link::CollectorStore, "hole-collector").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_whose_host_gate_falls_into_a_black_hole_wait_and_go_on() {
    round_through_a_black_hole(Link::WorkerStore, "hole-gate").await;
}
