//! Per-address politeness across a pool: many host names of one shared platform resolve to
//! one address, and the plan's `per_ip_rate` must hold for that address across every worker,
//! whatever the hosts' own limits allow. Three fetchers, each with its own gate on its own
//! Redis connection, stand for three workers. Needs a Redis (`SPOTCHECK_TEST_REDIS_URL`,
//! default the local one); without one the test fails, saying so.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use spotcheck_politeness::{GateLimits, RedisGate};
use spotcheck_store::RedisStore;
use spotcheck_worker::fetch::client::{FetchOptions, IDLE_TIMEOUT};
use spotcheck_worker::fetch::{FetchConfig, Fetcher};
use tokio::net::TcpListener;
use url::Url;

const HOSTS: usize = 20;
const WORKERS: usize = 3;
const PER_WORKER: usize = 12;

fn limits(rate: &str, concurrency: u32) -> GateLimits {
    GateLimits {
        rate: rate.parse().unwrap(),
        concurrency,
        lease_ttl: Duration::from_secs(30),
        holder_ttl: Duration::from_secs(10),
    }
}

/// A server on 127.0.0.1 that logs when each request arrived.
async fn logging_server(log: Arc<Mutex<Vec<Instant>>>) -> u16 {
    let app = Router::new().fallback(move || {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(Instant::now());
            "ok"
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

fn config(resolve: BTreeMap<String, IpAddr>) -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
        max_body: 64 * 1024,
        max_redirects: 0,
        retries: 0,
        retry_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        user_agent: "spotcheck-test".into(),
        allow_private: true,
        resolve: resolve.into_iter().map(|(h, ip)| (h, ip.into())).collect(),
        extra_roots: Vec::new(),
        idle_per_host: 4,
        idle_timeout: IDLE_TIMEOUT,
        limit_addresses: true,
    }
}

/// The most requests in any one-second window.
fn busiest_second(mut times: Vec<Instant>) -> usize {
    times.sort();
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_hosts_on_one_address_share_its_rate_across_three_workers() {
    let url = spotcheck_testkit::redis_url();
    let ns = spotcheck_testkit::namespace();
    let log = Arc::new(Mutex::new(Vec::new()));
    let port = logging_server(log.clone()).await;
    let loopback: IpAddr = "127.0.0.1".parse().unwrap();
    let hosts: Vec<String> = (0..HOSTS)
        .map(|i| format!("site{i}.platform.gov.cn"))
        .collect();
    let resolve: BTreeMap<String, IpAddr> = hosts.iter().map(|h| (h.clone(), loopback)).collect();

    let mut stores = Vec::new();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let store = RedisStore::connect(&url, &ns).await.unwrap_or_else(|e| {
            panic!(
                "Redis is not reachable at {url} ({e}); this test needs one (./tests/run starts it)"
            )
        });
        // The hosts' own limits are generous: only the address's may hold them back.
        let gate =
            RedisGate::new(&store, limits("100/s", 8)).limiting_addresses(limits("5/s", 100));
        let fetcher = Arc::new(Fetcher::new(config(resolve.clone()), Arc::new(gate)).unwrap());
        for n in 0..PER_WORKER {
            let host = &hosts[(w * PER_WORKER + n) % HOSTS];
            let target: Url = format!("http://{host}:{port}/{w}/{n}").parse().unwrap();
            let fetcher = fetcher.clone();
            tasks.push(tokio::spawn(async move {
                fetcher.fetch(&target, &FetchOptions::default()).await
            }));
        }
        stores.push(store);
    }
    let all = tokio::time::timeout(
        Duration::from_secs(60),
        futures_util::future::join_all(tasks),
    )
    .await
    .expect("the requests finished within a minute");
    for r in all {
        assert_eq!(r.unwrap().expect("fetched").status, 200);
    }
    let times = log.lock().unwrap().clone();
    assert_eq!(times.len(), WORKERS * PER_WORKER);
    let busiest = busiest_second(times);
    assert!(
        busiest <= 6,
        "{busiest} requests reached the address within one second at 5/s"
    );
    stores[0].delete_namespace().await.unwrap();
}
