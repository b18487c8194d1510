//! The HTTPS check (`site.tls`) against TLS servers on loopback with rcgen certificates:
//! good, expired, expiring in 10 days, for another name, self-signed; plain HTTP sent to HTTPS
//! and not; and servers that speak garbage or never finish the handshake.

mod net_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use net_support::{Ca, context, leaf, own_loopback, round, serve, serve_tls};
use spotcheck_core::transport::TlsOutcome;
use spotcheck_worker::checks::tls;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Runs the check of the round's only site, within a bound no case may reach.
async fn check(ctx: &spotcheck_worker::RoundContext) -> (TlsOutcome, Duration) {
    let site = &ctx.round.registry.websites[0];
    let start = Instant::now();
    let o = tokio::time::timeout(Duration::from_secs(10), tls::check(ctx, site))
        .await
        .expect("the check is bounded in time");
    (o, start.elapsed())
}

/// One named HTTPS site on a port of 127.0.0.1, its certificate from `leaf`.
async fn https_site(name: &str, leaf: net_support::Leaf, ca: &Ca) -> TlsOutcome {
    let addr = serve_tls("127.0.0.1:0".parse().unwrap(), leaf).await;
    let url = format!("https://{name}:{}/", addr.port());
    let r = round(&[("s", &url)], &[(name, "\"127.0.0.1\"")], true);
    check(&context(r, vec![ca.der.clone()])).await.0
}

#[tokio::test]
async fn a_good_certificate_is_recorded_as_good() {
    let ca = Ca::new();
    let o = https_site("good.test", ca.issue("good.test", 200), &ca).await;
    assert_eq!(o.error, None);
    let c = o.certificate.expect("a certificate");
    assert!(c.name_ok);
    assert_eq!(c.untrusted, None, "the tests' CA is trusted");
    assert!(!c.expired());
    assert!((199..=200).contains(&c.days_left()), "{}", c.days_left());
    assert_eq!(c.names, ["good.test"]);
    // The homepage names its port: its plain-HTTP twin is unknown and not tried.
    assert_eq!(o.http, None);
}

#[tokio::test]
async fn an_expired_certificate() {
    let ca = Ca::new();
    let o = https_site("old.test", ca.issue("old.test", -3), &ca).await;
    let c = o.certificate.expect("read although expired");
    assert!(c.expired());
    assert!((-4..=-3).contains(&c.days_left()), "{}", c.days_left());
    assert!(c.name_ok);
}

#[tokio::test]
async fn a_certificate_expiring_in_ten_days() {
    let ca = Ca::new();
    let o = https_site("soon.test", ca.issue("soon.test", 10), &ca).await;
    let c = o.certificate.unwrap();
    assert!(!c.expired());
    assert!((9..=10).contains(&c.days_left()), "{}", c.days_left());
    assert_eq!(c.untrusted, None);
}

#[tokio::test]
async fn a_certificate_for_another_name() {
    let ca = Ca::new();
    let o = https_site("mine.test", ca.issue("other.test", 200), &ca).await;
    let c = o.certificate.unwrap();
    assert!(!c.name_ok);
    assert_eq!(c.names, ["other.test"]);
    // The name is the only fault: the chain itself is trusted.
    assert_eq!(c.untrusted, None);
}

#[tokio::test]
async fn a_self_signed_certificate_is_untrusted_and_its_name_still_judged() {
    let ca = Ca::new();
    let o = https_site("self.test", leaf("self.test", 200, None), &ca).await;
    let c = o.certificate.unwrap();
    assert!(c.untrusted.is_some());
    assert!(c.name_ok);
    let o = https_site("self2.test", leaf("elsewhere.test", 200, None), &ca).await;
    assert!(!o.certificate.unwrap().name_ok);
}

/// Plain HTTP redirects (twice) to an HTTPS address whose certificate is self-signed: the
/// redirect is recorded without fetching over that certificate, and the certificate inspected.
#[tokio::test]
async fn plain_http_sent_to_https_is_followed_to_its_certificate() {
    let ca = Ca::new();
    let tls = serve_tls(
        "127.0.0.1:0".parse().unwrap(),
        leaf("redir.test", 200, None),
    )
    .await;
    let target = format!("https://redir.test:{}/index.html", tls.port());
    let to = target.clone();
    let app =
        Router::new()
            .route(
                "/",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/home")]) }),
            )
            .route(
                "/home",
                get(move || {
                    let to = to.clone();
                    async move {
                        (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response()
                    }
                }),
            );
    let http = serve("127.0.0.1:0".parse().unwrap(), app).await;
    let home = format!("http://redir.test:{}/", http.port());
    let r = round(&[("s", &home)], &[("redir.test", "\"127.0.0.1\"")], true);
    let (o, _) = check(&context(r, vec![ca.der.clone()])).await;
    let plain = o.http.expect("the plain address was tried");
    assert_eq!(
        plain.https.as_ref().map(|u| u.as_str()),
        Some(target.as_str())
    );
    assert!(!plain.serves_plain());
    assert_eq!(o.url.as_str(), target);
    assert_eq!(plain.status, Some(301));
    let c = o.certificate.expect("the certificate where HTTP led");
    assert!(c.name_ok && !c.expired());
    assert!(c.untrusted.is_some());
}

/// Ports 80 and 443 of an address of its own: plain HTTP serving a page, and HTTPS.
#[tokio::test]
async fn plain_http_that_is_not_sent_to_https() {
    let ca = Ca::new();
    let ip = own_loopback();
    serve_tls(SocketAddr::new(ip, 443), ca.issue("plain.test", 200)).await;
    let app = Router::new().route("/", get(|| async { "<html><title>首页</title></html>" }));
    serve(SocketAddr::new(ip, 80), app).await;
    let to = format!("\"{ip}\"");
    for home in ["http://plain.test/", "https://plain.test/"] {
        let r = round(&[("s", home)], &[("plain.test", &to)], true);
        let (o, _) = check(&context(r, vec![ca.der.clone()])).await;
        let plain = o.http.expect("the plain address was tried");
        assert_eq!(plain.url.as_str(), "http://plain.test/", "{home}");
        assert_eq!(plain.status, Some(200));
        assert!(plain.serves_plain(), "{home}");
        assert_eq!(o.url.as_str(), "https://plain.test/", "{home}");
        assert!(o.certificate.unwrap().name_ok, "{home}");
    }
}

#[tokio::test]
async fn no_https_at_all() {
    let ip = own_loopback();
    let app = Router::new().route("/", get(|| async { "<html><title>首页</title></html>" }));
    let http = serve(SocketAddr::new(ip, 0), app).await;
    let home = format!("http://none.test:{}/", http.port());
    let r = round(
        &[("s", &home)],
        &[("none.test", &format!("\"{ip}\""))],
        true,
    );
    let (o, _) = check(&context(r, Vec::new())).await;
    assert_eq!(o.url.as_str(), "https://none.test/");
    assert_eq!(o.certificate, None);
    assert_eq!(o.error.as_deref(), Some("connection refused"));
    assert!(o.http.unwrap().serves_plain());
}

/// Binds a server on 127.0.0.1 that runs `talk` on every connection.
async fn raw<F, Fut>(talk: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(talk(tcp));
        }
    });
    addr
}

#[tokio::test]
async fn a_server_speaking_garbage_is_a_tls_failure() {
    let addr = raw(|mut tcp| async move {
        let _ = tcp
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
            .await;
    })
    .await;
    let home = format!("https://junk.test:{}/", addr.port());
    let r = round(&[("s", &home)], &[("junk.test", "\"127.0.0.1\"")], true);
    let (o, _) = check(&context(r, Vec::new())).await;
    assert_eq!(o.certificate, None);
    let e = o.error.expect("a failure in words");
    assert!(e.starts_with("TLS: "), "{e}");
}

#[tokio::test]
async fn a_handshake_that_hangs_times_out() {
    let addr = raw(|tcp| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(tcp);
    })
    .await;
    let home = format!("https://hang.test:{}/", addr.port());
    let r = round(&[("s", &home)], &[("hang.test", "\"127.0.0.1\"")], true);
    let (o, took) = check(&context(r, Vec::new())).await;
    assert_eq!(o.certificate, None);
    let e = o.error.expect("a failure in words");
    assert!(e.starts_with("timed out"), "{e}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn the_guard_refuses_an_https_address_inside() {
    let ca = Ca::new();
    let addr = serve_tls("127.0.0.1:0".parse().unwrap(), ca.issue("in.test", 200)).await;
    let home = format!("https://in.test:{}/", addr.port());
    let r = round(&[("s", &home)], &[("in.test", "\"127.0.0.1\"")], false);
    let (o, _) = check(&context(r, vec![ca.der.clone()])).await;
    assert!(o.refused);
    assert_eq!(o.certificate, None);
    assert!(o.error.unwrap().contains("loopback"));
}

#[tokio::test]
async fn a_page_over_https_is_fetched_only_under_a_trusted_root() {
    use spotcheck_worker::fetch::FetchError;
    use spotcheck_worker::fetch::client::FetchOptions;
    let ca = Ca::new();
    let good = serve_tls("127.0.0.1:0".parse().unwrap(), ca.issue("good.test", 200)).await;
    let stranger = serve_tls("127.0.0.1:0".parse().unwrap(), leaf("good.test", 200, None)).await;
    let resolve = [("good.test", "\"127.0.0.1\"")];
    // The round trusts the tests' CA beside the system's roots; a second round does not.
    let trusting = context(
        round(&[("s", "https://good.test/")], &resolve, true),
        vec![ca.der.clone()],
    );
    let plain = context(
        round(&[("s", "https://good.test/")], &resolve, true),
        Vec::new(),
    );
    let url = |port: u16| url::Url::parse(&format!("https://good.test:{port}/")).unwrap();
    let opts = FetchOptions::default();
    let f = trusting.fetcher.fetch(&url(good.port()), &opts).await;
    assert_eq!(f.expect("trusted").status, 200);
    let f = trusting.fetcher.fetch(&url(stranger.port()), &opts).await;
    assert!(matches!(f, Err(FetchError::Tls(_))), "self-signed: {f:?}");
    let f = plain.fetcher.fetch(&url(good.port()), &opts).await;
    assert!(matches!(f, Err(FetchError::Tls(_))), "unknown CA: {f:?}");
}
