//! Idle connections: kept for the host's next request, closed once idle for the configured
//! time — a round over a province must not leave thousands of sockets open on the sites.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use spotcheck_politeness::MemoryGate;
use spotcheck_worker::fetch::client::FetchOptions;
use spotcheck_worker::fetch::{FetchConfig, Fetcher};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use url::Url;

const IDLE: Duration = Duration::from_millis(300);

fn fetcher(idle_timeout: Duration) -> Fetcher {
    let cfg = FetchConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        max_body: 1 << 20,
        max_redirects: 5,
        retries: 0,
        retry_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        user_agent: "spotcheck-test".into(),
        allow_private: true,
        resolve: BTreeMap::new(),
        extra_roots: Vec::new(),
        idle_per_host: 4,
        idle_timeout,
        limit_addresses: false,
    };
    Fetcher::new(
        cfg,
        Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 16)),
    )
    .unwrap()
}

/// A keep-alive server: answers every request on a connection with a small page, and
/// reports, for each connection, how many requests it served and when the client closed it.
async fn server() -> (SocketAddr, mpsc::UnboundedReceiver<(usize, Instant)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut served = 0;
                let mut buf = vec![0u8; 4096];
                let mut head = Vec::new();
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                    while let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        head.drain(..end + 4);
                        served += 1;
                        let body = "<html><body>ok</body></html>";
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if s.write_all(answer.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                }
                let _ = tx.send((served, Instant::now()));
            });
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn an_idle_connection_is_reused_then_closed_once_idle_for_the_timeout() {
    let (addr, mut closed) = server().await;
    let f = fetcher(IDLE);
    let url = Url::parse(&format!("http://{addr}/")).unwrap();
    for _ in 0..3 {
        let got = f.fetch(&url, &FetchOptions::default()).await.unwrap();
        assert_eq!(got.status, 200);
    }
    let last = Instant::now();
    let (served, at) = tokio::time::timeout(Duration::from_secs(5), closed.recv())
        .await
        .expect("the idle connection was never closed")
        .unwrap();
    assert_eq!(
        served, 3,
        "the three requests went over one kept connection"
    );
    let idle = at - last;
    assert!(
        idle >= IDLE && idle < IDLE * 4,
        "closed after {idle:?} idle (timeout {IDLE:?})"
    );
}
