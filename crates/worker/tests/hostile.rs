//! The hostile-server matrix: servers on 127.0.0.1 that misbehave the ways real (or malicious)
//! sites do. Every case is bounded in time (a timeout around the whole fetch) and in memory
//! (the body kept is never more than the cap), and is classified by `judge` as an operator
//! would: broken, unknown (a notice), or working.

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

// ---------------------------------------------------------------------------------------------
// Bodies too big to keep

#[tokio::test]
async fn huge_body_is_cut_at_the_cap() {
    let addr = raw(|mut s| async move {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000000\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/big.html")).await;
    let f = c.ok();
    assert_eq!((f.body.len(), f.truncated), (CAP, true));
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert!(c.took < Duration::from_secs(2), "{:?}", c.took);
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap() {
    let addr = raw(|mut s| async move {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let mut chunk = format!("{:x}\r\n", 16 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'<', 16 * 1024));
        chunk.extend_from_slice(b"\r\n");
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let c = run(&fetcher(), &format!("http://{addr}/stream.html")).await;
    let f = c.ok();
    assert_eq!((f.body.len(), f.truncated), (CAP, true));
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert!(c.took < Duration::from_secs(2), "{:?}", c.took);
}

#[tokio::test]
async fn decompression_bombs_are_cut_after_decompression() {
    // 32 MiB of zeros is 32 KiB of gzip: under the cap compressed, 512 times over it inflated.
    let zeros = vec![0u8; 32 << 20];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&zeros).unwrap();
    let gzip = Bytes::from(gz.finish().unwrap());
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(&zeros).unwrap();
    }
    let brotli = Bytes::from(br);
    assert!(gzip.len() < CAP && brotli.len() < CAP);
    let app = Router::new()
        .route(
            "/gzip.html",
            get(move || {
                let b = gzip.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        b,
                    )
                }
            }),
        )
        .route(
            "/br.html",
            get(move || {
                let b = brotli.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, "br"),
                        ],
                        b,
                    )
                }
            }),
        );
    let base = serve(app).await;
    let f = fetcher();
    for path in ["/gzip.html", "/br.html"] {
        let c = run(&f, &format!("{base}{path}")).await;
        let got = c.ok();
        assert_eq!((got.body.len(), got.truncated), (CAP, true), "{path}");
        assert!(got.body.iter().all(|b| *b == 0), "{path}: decompressed");
        assert!(c.took < Duration::from_secs(2), "{path}: {:?}", c.took);
    }
}

// ---------------------------------------------------------------------------------------------
// Servers too slow to wait for

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

// ---------------------------------------------------------------------------------------------
// Redirects

#[tokio::test]
async fn redirect_loop_is_broken() {
    let app = Router::new()
        .route(
            "/a",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/b")]) }),
        )
        .route(
            "/b",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/a")]) }),
        );
    let base = serve(app).await;
    let c = run(&fetcher(), &format!("{base}/a")).await;
    assert_eq!(c.err(), &FetchError::TooManyRedirects(5));
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert!(c.took < Duration::from_secs(2));
}

#[tokio::test]
async fn redirect_chains_are_recorded() {
    let app = Router::new()
        .route(
            "/old",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/mid")]) }),
        )
        .route(
            "/mid",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "/art/2020/11/2/new.html")],
                )
            }),
        )
        .route(
            "/art/2020/11/2/new.html",
            get(|| async { html(StatusCode::OK, "<title>通知</title><p>正文</p>") }),
        )
        .route(
            "/deep/gone.html",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/index.html")]) }),
        )
        .route(
            "/index.html",
            get(|| async { html(StatusCode::OK, "<title>首页</title>") }),
        );
    let base = serve(app).await;
    let f = fetcher();
    let c = run(&f, &format!("{base}/old")).await;
    let got = c.ok();
    assert_eq!(
        got.redirects.iter().map(Url::path).collect::<Vec<_>>(),
        ["/mid", "/art/2020/11/2/new.html"]
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
    assert_eq!(c.verdict.redirects.len(), 2);
    // A deep link that lands on the homepage: the page it named is gone.
    let c = run(&f, &format!("{base}/deep/gone.html")).await;
    assert_eq!(c.verdict.state, LinkState::Broken);
    assert!(
        c.verdict
            .reason
            .starts_with("soft 404: redirected to the homepage"),
        "{}",
        c.verdict.reason
    );
}

// ---------------------------------------------------------------------------------------------
// Content that is not what it says

#[tokio::test]
async fn invalid_bytes_in_a_declared_charset_do_not_garble_the_rest() {
    let (gbk, _, _) = encoding_rs::GBK
        .encode("<html><head><title>景德镇市人民政府</title></head><body><p>政务公开</p>");
    let mut broken_gbk = gbk.into_owned();
    broken_gbk.extend_from_slice(b"\x81\x20\xff\xfe\x80<p>");
    broken_gbk.extend_from_slice(&encoding_rs::GBK.encode("联系我们</p></body></html>").0);
    let broken_gbk = Bytes::from(broken_gbk);
    let mut broken_utf8 = "<html><title>浮梁县人民政府</title><body>"
        .as_bytes()
        .to_vec();
    broken_utf8.extend_from_slice(b"\xe6\x94\xbf\xff\xc3\x28");
    broken_utf8.extend_from_slice("<p>新闻</p></body></html>".as_bytes());
    let broken_utf8 = Bytes::from(broken_utf8);
    let app = Router::new()
        .route(
            "/gbk.html",
            get(move || {
                let b = broken_gbk.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=gbk")], b) }
            }),
        )
        .route(
            "/utf8.html",
            get(move || {
                let b = broken_utf8.clone();
                async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], b) }
            }),
        );
    let base = serve(app).await;
    let f = fetcher();
    let c = run(&f, &format!("{base}/gbk.html")).await;
    let text = c.text.as_deref().expect("an HTML page");
    assert!(text.contains("<title>景德镇市人民政府</title>"), "{text}");
    assert!(
        text.contains("联系我们") && text.contains('\u{FFFD}'),
        "{text}"
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
    let c = run(&f, &format!("{base}/utf8.html")).await;
    let text = c.text.as_deref().expect("an HTML page");
    assert!(
        text.contains("浮梁县人民政府") && text.contains("新闻"),
        "{text}"
    );
    assert_eq!(c.verdict.state, LinkState::Ok);
}

#[tokio::test]
async fn binary_content_at_an_html_url_is_not_parsed() {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.extend(std::iter::repeat_n(0xA5u8, 256 * 1024));
    let pdf = Bytes::from(pdf);
    let app = Router::new().route(
        "/art/2020/11/2/art_1.html",
        get(move || {
            let b = pdf.clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], b) }
        }),
    );
    let base = serve(app).await;
    let c = run(&fetcher(), &format!("{base}/art/2020/11/2/art_1.html")).await;
    assert!(c.text.is_none(), "a PDF was decoded as a page");
    assert!(c.ok().truncated && c.ok().body.len() == CAP);
    // A document that opens is a working link.
    assert_eq!(c.verdict.state, LinkState::Ok);
}

// ---------------------------------------------------------------------------------------------
// Pages that answer 200 and still say something else

#[tokio::test]
async fn soft_404_and_captcha_pages() {
    let app = Router::new()
        .route("/gone.html", get(|| async {
            html(StatusCode::OK, "<html><head><title>提示信息</title></head><body><div class=\"err\">您访问的页面不存在或已被删除！</div><a href=\"/\">返回首页</a></body></html>")
        }))
        .route("/wx-deleted", get(|| async {
            html(StatusCode::OK, "<html><body><p>该内容已被发布者删除</p></body></html>")
        }))
        .route("/busy.html", get(|| async {
            html(StatusCode::OK, "<html><title>访问验证</title><body><p>访问过于频繁，请稍后再试</p><img src=\"/captcha.jpg\"><p>请输入验证码</p></body></html>")
        }))
        .route("/waf.html", get(|| async {
            html(StatusCode::FORBIDDEN, "<html><title>安全验证</title><body>请完成安全验证后继续访问</body></html>")
        }))
        .route("/mp/s", get(|| async {
            (StatusCode::FOUND, [(header::LOCATION, "/mp/wappoc_appmsgcaptcha?poc_token=x")])
        }))
        .route("/mp/wappoc_appmsgcaptcha", get(|| async {
            html(StatusCode::OK, "<html><body>环境异常</body></html>")
        }))
        .route("/missing.html", get(|| async { html(StatusCode::NOT_FOUND, "<title>404</title>") }));
    let base = serve(app).await;
    let f = fetcher();
    for (path, state, reason) in [
        (
            "/gone.html",
            LinkState::Broken,
            "soft 404: 您访问的页面不存在",
        ),
        (
            "/wx-deleted",
            LinkState::Broken,
            "soft 404: 该内容已被发布者删除",
        ),
        (
            "/busy.html",
            LinkState::Unknown,
            "anti-crawler page: 访问过于频繁",
        ),
        (
            "/waf.html",
            LinkState::Unknown,
            "anti-crawler page: 安全验证",
        ),
        (
            "/mp/s",
            LinkState::Unknown,
            "anti-crawler page (wappoc_appmsgcaptcha)",
        ),
        ("/missing.html", LinkState::Broken, "HTTP 404"),
    ] {
        let c = run(&f, &format!("{base}{path}")).await;
        assert_eq!(
            (c.verdict.state, c.verdict.reason.as_str()),
            (state, reason),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hosts that say "too many"

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

// ---------------------------------------------------------------------------------------------
// Network failures

#[tokio::test]
async fn refused_connections_and_unknown_names_are_broken() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fetcher();
    let c = run(&f, &format!("http://127.0.0.1:{port}/")).await;
    assert_eq!(c.err(), &FetchError::ConnectionRefused);
    assert_eq!(
        (c.verdict.state, c.verdict.reason.as_str()),
        (LinkState::Broken, "connection refused")
    );
    let c = run(&f, "http://no-such-host.invalid/").await;
    assert!(matches!(c.err(), FetchError::Dns(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_a_tls_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            // Plain HTTP where the client expects a TLS handshake.
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await;
        }
    });
    let c = run(&fetcher(), &format!("https://{addr}/")).await;
    assert!(matches!(c.err(), FetchError::Tls(_)), "{:?}", c.fetched);
    assert_eq!(c.verdict.state, LinkState::Broken);
}

// ---------------------------------------------------------------------------------------------
// The SSRF guard

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
