//! Helpers for the store tests: rounds and results to store, a reachable Redis (or a loud
//! failure), a fresh namespace per test with cleanup.

#![allow(dead_code)]

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Namespace, Plan, Registry};
use spotcheck_store::{RedisOptions, RedisStore};

pub fn round(id: &str) -> Round {
    let registry = Registry::parse(
        "[meta]\nregion = \"测试市\"\nname = \"测试\"\n",
        std::path::Path::new("r.toml"),
    )
    .unwrap();
    Round {
        id: RoundId(id.into()),
        kind: RoundKind::Spot,
        parent: None,
        window: "2020-07-01..2020-09-30".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        registry,
        plan: Plan::default(),
        allow_private: false,
        menus: Default::default(),
        dictionaries: Vec::new(),
        scope: None,
    }
}

pub fn check(round: &RoundId, n: u32) -> Job {
    Job::new(
        round,
        Task::Link {
            url: format!("http://a.gov.cn/{n}").parse().unwrap(),
        },
    )
}

pub fn ok(job: &Job) -> JobResult {
    JobResult::new(job.clone(), Outcome::Link(Verdict::ok(200)))
}

pub use spotcheck_testkit::{namespace, redis_url};

/// Connects or fails the test with a message saying what is missing.
pub async fn connect(url: &str, ns: &Namespace, opts: RedisOptions) -> RedisStore {
    match RedisStore::connect_with(url, ns, opts).await {
        Ok(s) => s,
        Err(e) => panic!(
            "Redis is not reachable at {url} ({e}). These tests need a Redis server: start \
             redis-server (or run ./tests/run) or point SPOTCHECK_TEST_REDIS_URL at one."
        ),
    }
}

/// Runs a test in a fresh namespace and deletes every key of it afterwards, pass or fail.
pub async fn in_namespace<F, Fut>(opts: RedisOptions, test: F)
where
    F: FnOnce(RedisStore, Namespace) -> Fut,
    Fut: Future<Output = ()>,
{
    let ns = namespace();
    let url = redis_url();
    let store = connect(&url, &ns, opts.clone()).await;
    let outcome = AssertUnwindSafe(test(store, ns.clone()))
        .catch_unwind()
        .await;
    let cleaner = connect(&url, &ns, opts).await;
    cleaner.delete_namespace().await.expect("cleanup");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A TCP proxy in front of the test Redis (so a test can cut its connections), and the URL
/// that reaches Redis through it.
pub async fn redis_behind_proxy() -> (spotcheck_testkit::Proxy, String) {
    let url = spotcheck_testkit::redis_url();
    let hostport = url
        .trim_start_matches("redis://")
        .rsplit('@')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let upstream = std::net::ToSocketAddrs::to_socket_addrs(&hostport)
        .expect("Redis address")
        .next()
        .expect("Redis address");
    let proxy = spotcheck_testkit::Proxy::start(upstream).await;
    let proxied = url.replacen(&hostport, &proxy.addr.to_string(), 1);
    (proxy, proxied)
}
