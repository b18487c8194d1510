//! The SSRF guard: internal targets, and redirect hops to them, are refused before any request
//! reaches them.

use super::*;

/// A server that counts the requests it gets: a refused target must get none.
async fn counting(ip: &str) -> (String, Arc<AtomicU32>) {
    let n = Arc::new(AtomicU32::new(0));
    let seen = n.clone();
    let app = Router::new().fallback(move || {
        seen.fetch_add(1, Ordering::SeqCst);
        async { html(StatusCode::OK, "<title>内部系统</title>") }
    });
    (serve_on(ip, app).await, n)
}

fn assert_refused(c: &Case, what: &str) {
    assert!(
        matches!(c.err(), FetchError::Refused(_)),
        "{what}: {:?}",
        c.fetched
    );
    assert_eq!(c.verdict.state, LinkState::Unknown, "{what}");
    assert!(
        c.verdict.reason.starts_with("not checked: "),
        "{what}: {}",
        c.verdict.reason
    );
    assert!(c.took < Duration::from_secs(1), "{what}: {:?}", c.took);
}

#[tokio::test]
async fn the_guard_refuses_internal_targets() {
    let (base, hits) = counting("127.0.0.1").await;
    let port = Url::parse(&base).unwrap().port().unwrap();
    let mut cfg = config(false);
    cfg.resolve
        .insert("intranet.gov.cn".into(), "10.0.0.5".parse().unwrap());
    cfg.resolve
        .insert("loop.gov.cn".into(), "127.0.0.1".parse().unwrap());
    let f = Fetcher::new(cfg, gate()).unwrap();
    for url in [
        format!("{base}/"),
        format!("http://localhost:{port}/"),
        format!("http://loop.gov.cn:{port}/"),
        format!("http://[::1]:{port}/"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.1.2.3/".to_string(),
        "http://192.168.1.1/".to_string(),
        "http://100.64.0.1/".to_string(),
        "http://intranet.gov.cn/".to_string(),
    ] {
        let c = run(&f, &url).await;
        assert_refused(&c, &url);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a refused target was contacted"
    );
}

#[tokio::test]
async fn the_guard_refuses_every_redirect_hop() {
    // 127.0.0.1 stands for a public site; everything it redirects to is internal.
    let (inside, hits) = counting("127.0.0.2").await;
    let inside = inside.clone();
    let to = move |target: String| {
        get(move || {
            let t = target.clone();
            async move { (StatusCode::FOUND, [(header::LOCATION, t)]).into_response() }
        })
    };
    let app = Router::new()
        .route("/loopback", to(format!("{inside}/admin")))
        .route(
            "/metadata",
            to("http://169.254.169.254/latest/meta-data/".into()),
        )
        .route("/private", to("http://10.0.0.1/".into()))
        .route("/cgnat", to("http://100.64.1.1/".into()))
        .route("/named", to("http://intranet.gov.cn/".into()))
        .route("/twice", to("/loopback".into()));
    let base = serve(app).await;
    let mut cfg = config(false);
    cfg.resolve
        .insert("intranet.gov.cn".into(), "192.168.1.10".parse().unwrap());
    let trusted: IpAddr = "127.0.0.1".parse().unwrap();
    let f = Fetcher::trusting(cfg, gate(), vec![trusted]).unwrap();
    for path in [
        "/loopback",
        "/metadata",
        "/private",
        "/cgnat",
        "/named",
        "/twice",
    ] {
        let c = run(&f, &format!("{base}{path}")).await;
        assert_refused(&c, path);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a redirect reached an internal address"
    );
}
