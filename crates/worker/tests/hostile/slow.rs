//! Servers too slow to wait for: a dripping body, slowloris headers, silence, dropped
//! connections.

use super::*;

#[tokio::test]
async fn slow_drip_body_times_out_and_is_broken() {
    let addr = raw(|mut s| async move {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        loop {
            if s.write_all(b"<").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/drip.html")).await;
    assert!(matches!(c.err(), FetchError::Timeout(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert!(
        c.verdict.reason.contains("timed out"),
        "{}",
        c.verdict.reason
    );
    // One try and one retry, each cut at the total timeout.
    assert!(
        c.took >= TIMEOUT * 2 && c.took < TIMEOUT * 2 + Duration::from_secs(1),
        "{:?}",
        c.took
    );
}

#[tokio::test]
async fn slowloris_headers_time_out() {
    let addr = raw(|mut s| async move {
        for b in b"HTTP/1.1 200 OK\r\nX-Slow: "
            .iter()
            .chain(std::iter::repeat(&b'a'))
        {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/")).await;
    assert!(matches!(c.err(), FetchError::Timeout(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}

#[tokio::test]
async fn silent_server_times_out() {
    let addr = raw(|s| async move {
        // Holds the connection open and never answers.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(s);
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/")).await;
    assert!(matches!(c.err(), FetchError::Timeout(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}

#[tokio::test]
async fn dropped_connections_are_retried_then_broken() {
    let tries = Arc::new(AtomicU32::new(0));
    let t = tries.clone();
    let addr = raw(move |s| {
        t.fetch_add(1, Ordering::SeqCst);
        async move { drop(s) }
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/")).await;
    assert!(matches!(c.err(), FetchError::Dropped(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert_eq!(tries.load(Ordering::SeqCst), 2, "one try and one retry");
}
