//! The hostile-server matrix: servers on 127.0.0.1 that misbehave the ways real (or malicious)
//! sites do. Every case is bounded in time (a timeout around the whole fetch) and in memory
//! (the body kept is never more than the cap), and is classified by `judge` as an operator
//! would: broken, unknown (a notice), or working.

mod answers;
mod body;
mod content;
mod guard;
mod network;
mod redirects;
mod slow;
mod too_many;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use spotcheck_core::outcome::{LinkState, Verdict};
use spotcheck_politeness::MemoryGate;
use spotcheck_worker::fetch::client::{FetchOptions, IDLE_TIMEOUT};
use spotcheck_worker::fetch::{FetchConfig, FetchError, Fetched, Fetcher};
use spotcheck_worker::judge::judge;
use spotcheck_worker::{HostGate, HostPermit, page_text};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// The body cap of these tests: small, so that "bounded" is plain to see.
const CAP: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_millis(1500);
/// Longer than any case may take with its retries; a case that reaches it is unbounded.
const LIMIT: Duration = Duration::from_secs(10);

fn config(allow_private: bool) -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_secs(1),
        timeout: TIMEOUT,
        max_body: CAP,
        max_redirects: 5,
        retries: 1,
        retry_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(3),
        user_agent: "spotcheck-test".into(),
        allow_private,
        resolve: BTreeMap::new(),
        extra_roots: Vec::new(),
        idle_per_host: 4,
        idle_timeout: IDLE_TIMEOUT,
        limit_addresses: false,
    }
}

fn gate() -> Arc<MemoryGate> {
    Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 64))
}

fn fetcher() -> Fetcher {
    Fetcher::new(config(true), gate()).unwrap()
}

/// One case's evidence: the fetch, the judgement, and how long it all took.
struct Case {
    fetched: Result<Fetched, FetchError>,
    verdict: Verdict,
    text: Option<String>,
    took: Duration,
}

impl Case {
    fn ok(&self) -> &Fetched {
        self.fetched.as_ref().expect("an HTTP answer")
    }
    fn err(&self) -> &FetchError {
        self.fetched.as_ref().expect_err("a fetch error")
    }
}

/// Fetches and judges `url` as a link check does, within [`LIMIT`], and checks the body cap.
async fn run(f: &Fetcher, url: &str) -> Case {
    let url = Url::parse(url).unwrap();
    let start = Instant::now();
    let fetched = tokio::time::timeout(LIMIT, f.fetch(&url, &FetchOptions::default()))
        .await
        .unwrap_or_else(|_| panic!("{url}: the fetch was not bounded by {LIMIT:?}"));
    let text = fetched.as_ref().ok().and_then(page_text);
    let verdict = judge(&url, &fetched, text.as_deref());
    if let Ok(got) = &fetched {
        assert!(
            got.body.len() <= CAP,
            "{url}: kept {} bytes",
            got.body.len()
        );
    }
    Case {
        fetched,
        verdict,
        text,
        took: start.elapsed(),
    }
}

/// Serves `app` on 127.0.0.1; returns its base URL.
async fn serve(app: Router) -> String {
    serve_on("127.0.0.1", app).await
}

async fn serve_on(ip: &str, app: Router) -> String {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// A raw TCP server: `handler` gets each connection after the request head was read.
async fn raw<F, Fut>(handler: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                if read_head(&mut stream).await {
                    handler(stream).await;
                }
            });
        }
    });
    addr
}

/// Reads up to the end of the request head; false if the client went away first.
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}

fn html(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
