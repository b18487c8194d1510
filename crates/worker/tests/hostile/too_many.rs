//! Hosts that say "too many": `Retry-After` (seconds or a date) honoured, capped and shared
//! through the host gate, and what a host still refusing after every retry is.

use super::*;

/// A gate that remembers the back-offs it was told of.
struct Spy {
    inner: MemoryGate,
    back_offs: Mutex<Vec<(String, Duration)>>,
}

#[async_trait]
impl HostGate for Spy {
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit {
        self.inner.enter(host, addr).await
    }
    async fn back_off(&self, host: &str, wait: Duration) {
        self.back_offs
            .lock()
            .unwrap()
            .push((host.to_string(), wait));
        self.inner.back_off(host, wait).await;
    }
}

fn spy() -> Arc<Spy> {
    Arc::new(Spy {
        inner: MemoryGate::new("1000/s".parse().unwrap(), 64),
        back_offs: Mutex::new(Vec::new()),
    })
}

/// Answers 429 (with `retry_after`) to the first `limited` requests, then 200.
fn limited(limited: u32, retry_after: fn() -> String) -> Router {
    let n = Arc::new(AtomicU32::new(0));
    Router::new().route(
        "/",
        get(move || {
            let n = n.clone();
            async move {
                if n.fetch_add(1, Ordering::SeqCst) < limited {
                    let mut h = HeaderMap::new();
                    h.insert(header::RETRY_AFTER, retry_after().parse().unwrap());
                    (StatusCode::TOO_MANY_REQUESTS, h, "slow down").into_response()
                } else {
                    html(StatusCode::OK, "<title>首页</title>")
                }
            }
        }),
    )
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_and_shared() {
    let base = serve(limited(1, || "1".into())).await;
    let gate = spy();
    let f = Fetcher::new(config(true), gate.clone()).unwrap();
    let c = run(&f, &format!("{base}/")).await;
    assert_eq!((c.ok().status, c.verdict.state), (200, LinkState::Ok));
    assert!(
        c.took >= Duration::from_secs(1) && c.took < Duration::from_secs(3),
        "{:?}",
        c.took
    );
    let told = gate.back_offs.lock().unwrap().clone();
    assert_eq!(told, [("127.0.0.1".to_string(), Duration::from_secs(1))]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let base = serve(limited(1, || {
        httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2))
    }))
    .await;
    let c = run(&fetcher(), &format!("{base}/")).await;
    assert_eq!(c.ok().status, 200);
    // The date has whole seconds: between one and two seconds from now.
    assert!(
        c.took >= Duration::from_millis(900) && c.took < Duration::from_secs(4),
        "{:?}",
        c.took
    );
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let base = serve(limited(1, || "86400".into())).await;
    let cfg = FetchConfig {
        max_retry_after: Duration::from_millis(500),
        ..config(true)
    };
    let gate = spy();
    let f = Fetcher::new(cfg, gate.clone()).unwrap();
    let c = run(&f, &format!("{base}/")).await;
    assert_eq!(c.ok().status, 200);
    assert!(c.took < Duration::from_secs(2), "{:?}", c.took);
    assert_eq!(
        gate.back_offs.lock().unwrap()[0].1,
        Duration::from_millis(500)
    );
}

#[tokio::test]
async fn rate_limited_after_every_retry_is_unknown_and_pauses_the_host() {
    let base = serve(limited(u32::MAX, || "1".into())).await;
    let f = fetcher();
    let c = run(&f, &format!("{base}/")).await;
    assert_eq!(
        (c.verdict.state, c.verdict.status),
        (LinkState::Unknown, Some(429))
    );
    // Even a one-shot visit that met a 429 leaves the host paused for the next request.
    let once = FetchOptions {
        once: true,
        ..FetchOptions::default()
    };
    let url = Url::parse(&format!("{base}/")).unwrap();
    let first = f.fetch(&url, &once).await.unwrap();
    assert_eq!(first.status, 429);
    let t = Instant::now();
    let _ = tokio::time::timeout(LIMIT, f.fetch(&url, &once))
        .await
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn unavailable_after_every_retry_is_broken() {
    let n = Arc::new(AtomicU32::new(0));
    let seen = n.clone();
    let app = Router::new().route(
        "/",
        get(move || {
            seen.fetch_add(1, Ordering::SeqCst);
            async { html(StatusCode::SERVICE_UNAVAILABLE, "<title>503</title>") }
        }),
    );
    let base = serve(app).await;
    let c = run(&fetcher(), &format!("{base}/")).await;
    assert_eq!(
        (c.verdict.state, c.verdict.reason.as_str()),
        (LinkState::Broken, "HTTP 503")
    );
    assert_eq!(n.load(Ordering::SeqCst), 2, "one try and one retry");
}

/// Time spent queued at the host gate is the pool's, not the site's: a fast site reached
/// after a long wait — its slots held by other requests, or the host paused after a 429 — is
/// not a timeout. (An availability visit that counted the wait would report a healthy site as
/// unreachable whenever its host was busy.)
#[tokio::test]
async fn waiting_at_the_host_gate_is_not_the_sites_time() {
    let base = serve(Router::new().route(
        "/",
        get(|| async { html(StatusCode::OK, "<title>首页</title>") }),
    ))
    .await;
    let url = Url::parse(&format!("{base}/")).unwrap();
    let once = FetchOptions {
        timeout: Some(Duration::from_millis(300)),
        once: true,
        ..FetchOptions::default()
    };
    let wait = Duration::from_millis(900);

    let gate = Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 1));
    let f = Fetcher::new(config(true), gate.clone()).unwrap();
    // Answered, after waiting at least `wait` at the gate.
    let answered_after_the_wait = async |what: &str| {
        let t = Instant::now();
        let got = tokio::time::timeout(LIMIT, f.fetch(&url, &once))
            .await
            .unwrap();
        assert_eq!(got.map(|g| g.status), Ok(200), "{what}");
        assert!(t.elapsed() >= wait, "{what}: {:?}", t.elapsed());
    };

    let held = gate.enter("127.0.0.1", None).await;
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        drop(held);
    });
    answered_after_the_wait("behind a held slot").await;

    gate.back_off("127.0.0.1", wait).await;
    answered_after_the_wait("behind a pause").await;
}
