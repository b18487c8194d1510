//! Helpers for the RabbitMQ tests: a reachable broker (or a loud failure), a fresh namespace
//! per test with cleanup.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures_util::FutureExt;
use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::Namespace;
use spotcheck_core::ports::{Consumer, Delivery};

pub use spotcheck_testkit::{Proxy, amqp_url, namespace};

/// Connects or fails the test with a message saying what is missing.
pub async fn connect(url: &str, ns: &Namespace, opts: AmqpOptions) -> AmqpQueue {
    match AmqpQueue::connect(url, ns, opts).await {
        Ok(q) => q,
        Err(e) => panic!(
            "RabbitMQ is not reachable at {url} ({e}). These tests need a broker: start \
             rabbitmq-server (or run ./tests/run) or point SPOTCHECK_TEST_AMQP_URL at one."
        ),
    }
}

/// Runs a test in a fresh namespace and deletes the namespace afterwards, pass or fail.
pub async fn in_namespace<F, Fut>(opts: AmqpOptions, test: F)
where
    F: FnOnce(AmqpQueue, Namespace) -> Fut,
    Fut: Future<Output = ()>,
{
    let ns = namespace();
    let url = amqp_url();
    let q = connect(&url, &ns, opts.clone()).await;
    let outcome = AssertUnwindSafe(test(q.clone(), ns.clone()))
        .catch_unwind()
        .await;
    q.close().await;
    // A fresh connection: the test may have closed its queue or broken its connection.
    let cleaner = connect(&url, &ns, opts).await;
    cleaner.delete_namespace().await.expect("cleanup");
    cleaner.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// The next delivery, or a failed test after `secs` seconds.
pub async fn next_within(c: &mut Box<dyn Consumer>, secs: u64) -> Delivery {
    tokio::time::timeout(Duration::from_secs(secs), c.next())
        .await
        .expect("a delivery in time")
        .expect("consumer open")
        .expect("delivery ok")
}

pub async fn next(c: &mut Box<dyn Consumer>) -> Delivery {
    next_within(c, 10).await
}

/// Asserts nothing is delivered for `ms` milliseconds.
pub async fn nothing_for(c: &mut Box<dyn Consumer>, ms: u64) {
    if let Ok(d) = tokio::time::timeout(Duration::from_millis(ms), c.next()).await {
        let body = d.and_then(|d| d.ok()).map(|d| d.body);
        panic!("unexpected delivery {body:?}");
    }
}

/// The broker's address and the URL that reaches it through `proxy` instead.
pub fn upstream_and_proxied(url: &str, proxy: Option<SocketAddr>) -> (SocketAddr, String) {
    let uri: lapin::uri::AMQPUri = url.parse().expect("a valid AMQP URL");
    let host = uri.authority.host.clone();
    let port = uri.authority.port;
    let upstream = format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("127.0.0.1:{port}").parse())
        .expect("broker address");
    let proxied = match proxy {
        Some(p) => {
            let hostport = format!("{host}:{port}");
            assert!(url.contains(&hostport), "the test URL must name host:port");
            url.replacen(&hostport, &p.to_string(), 1)
        }
        None => url.to_string(),
    };
    (upstream, proxied)
}

/// A proxy in front of the test broker, and the broker's URL through it.
pub async fn broker_proxy() -> (Proxy, String) {
    let (upstream, _) = upstream_and_proxied(&amqp_url(), None);
    let proxy = Proxy::start(upstream).await;
    let (_, url) = upstream_and_proxied(&amqp_url(), Some(proxy.addr));
    (proxy, url)
}
