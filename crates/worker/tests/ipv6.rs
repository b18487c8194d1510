//! The IPv6 check (`site.ipv6`) against servers on ::1 and 127.0.0.1: a name with an AAAA
//! record serving the same page over both, one serving a different page over IPv6, one
//! refusing over IPv6, one with no AAAA record, second-level links that fail over IPv6 only,
//! and the guard refusing ::1 as it refuses 127.0.0.0/8.

mod net_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use net_support::{context, round, serve};
use spotcheck_core::transport::{Difference, Ipv6Outcome};
use spotcheck_worker::checks::ipv6;

const HOME: &str = "<html><head><title>测试市人民政府</title></head><body>\
    <a href=/a.html>政务公开</a> <a href=/b.html>办事服务</a> <a href=http://other.test/x>外站</a>\
    <p>欢迎访问</p></body></html>";

/// A homepage and its pages; `count` numbers the homepage's visit counter (as real ones do).
fn site(title: &str, count: u32, broken: &'static [&'static str]) -> Router {
    let home = HOME
        .replace("测试市人民政府", title)
        .replace("欢迎访问", &format!("欢迎访问，您是第{count}位访客"));
    let mut app = Router::new().route("/", get(move || async move { axum::response::Html(home) }));
    for page in ["/a.html", "/b.html"] {
        let status = if broken.contains(&page) {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        app = app.route(
            page,
            get(move || async move { (status, axum::response::Html("<p>正文</p>")) }),
        );
    }
    app
}

/// Serves `v4` on 127.0.0.1 and `v6` (if any) on ::1, on one port.
async fn dual(v4: Router, v6: Option<Router>) -> u16 {
    for _ in 0..20 {
        let four = serve("127.0.0.1:0".parse().unwrap(), v4.clone()).await;
        let Some(v6) = &v6 else {
            return four.port();
        };
        let six: SocketAddr = format!("[::1]:{}", four.port()).parse().unwrap();
        if let Ok(l) = tokio::net::TcpListener::bind(six).await {
            let app = v6.clone();
            tokio::spawn(async move {
                let _ = axum::serve(l, app).await;
            });
            return four.port();
        }
    }
    panic!("no port free on both 127.0.0.1 and ::1");
}

async fn check(name: &str, port: u16, to: &str, allow_private: bool) -> Ipv6Outcome {
    let home = format!("http://{name}:{port}/");
    let r = round(&[("s", &home)], &[(name, to)], allow_private);
    let ctx = context(r, Vec::new());
    let site = &ctx.round.registry.websites[0];
    tokio::time::timeout(Duration::from_secs(20), ipv6::check(&ctx, site))
        .await
        .expect("the check is bounded in time")
}

const BOTH: &str = r#"["::1", "127.0.0.1"]"#;

#[tokio::test]
async fn the_same_page_over_both_protocols() {
    let port = dual(
        site("测试市人民政府", 123, &[]),
        Some(site("测试市人民政府", 456, &[])),
    )
    .await;
    let o = check("same.test", port, BOTH, true).await;
    assert_eq!(o.addresses, ["::1".parse::<std::net::IpAddr>().unwrap()]);
    assert!(o.homepage.as_ref().unwrap().is_ok(), "{:?}", o.homepage);
    assert_eq!(o.differences, [], "a visit counter is no difference");
    assert_eq!(o.links_tried, 2, "the same-site links only");
    assert_eq!(o.links_failed, []);
    assert_eq!(o.link_share(), Some(1.0));
}

#[tokio::test]
async fn a_different_page_over_ipv6() {
    let port = dual(
        site("测试市人民政府", 1, &[]),
        Some(site("网站建设中", 1, &[])),
    )
    .await;
    let o = check("differs.test", port, BOTH, true).await;
    assert!(o.homepage.as_ref().unwrap().is_ok());
    assert_eq!(
        o.differences,
        [Difference::Title {
            v4: "测试市人民政府".into(),
            v6: "网站建设中".into()
        },]
    );
    let v6: Router = Router::new().route(
        "/",
        get(|| async {
            axum::response::Html("<title>测试市人民政府</title><p>维护中</p>")
        }),
    );
    let port = dual(site("测试市人民政府", 1, &[]), Some(v6)).await;
    let o = check("differs2.test", port, BOTH, true).await;
    assert_eq!(
        o.differences,
        [
            Difference::Text,
            Difference::Links {
                only_v4: 3,
                only_v6: 0
            }
        ]
    );
}

#[tokio::test]
async fn a_homepage_refusing_over_ipv6() {
    let port = dual(site("测试市人民政府", 1, &[]), None).await;
    let o = check("refuses.test", port, BOTH, true).await;
    assert_eq!(o.addresses.len(), 1);
    let v = o.homepage.expect("tried over IPv6");
    assert!(!v.is_ok());
    assert_eq!(v.reason, "connection refused");
    assert_eq!(o.links_tried, 0);
}

#[tokio::test]
async fn no_aaaa_record() {
    let port = dual(site("测试市人民政府", 1, &[]), None).await;
    let o = check("v4only.test", port, "\"127.0.0.1\"", true).await;
    assert!(o.addresses.is_empty(), "{:?}", o.addresses);
    assert_eq!(o.homepage, None);
    assert_eq!(o.lookup_error, None);
}

#[tokio::test]
async fn second_level_links_failing_over_ipv6_only() {
    let port = dual(
        site("测试市人民政府", 1, &[]),
        Some(site("测试市人民政府", 1, &["/b.html"])),
    )
    .await;
    let o = check("links.test", port, BOTH, true).await;
    assert_eq!(o.differences, []);
    assert_eq!(o.links_tried, 2);
    assert_eq!(o.links_failed.len(), 1);
    assert_eq!(o.links_failed[0].url.path(), "/b.html");
    assert_eq!(o.links_failed[0].reason, "HTTP 404");
    assert_eq!(o.link_share(), Some(0.5));
}

#[tokio::test]
async fn the_guard_refuses_ipv6_loopback_as_it_refuses_127() {
    let hits = Arc::new(AtomicU32::new(0));
    let counted = {
        let hits = hits.clone();
        Router::new().route(
            "/",
            get(move || {
                hits.fetch_add(1, Ordering::SeqCst);
                async { "ok" }
            }),
        )
    };
    let port = dual(site("测试市人民政府", 1, &[]), Some(counted)).await;
    let o = check("inside.test", port, r#"["::1"]"#, false).await;
    let v = o.homepage.expect("a verdict");
    assert!(v.refused, "{v:?}");
    assert!(
        v.reason.contains("::1") && v.reason.contains("loopback"),
        "{}",
        v.reason
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "::1 was contacted");
}
