//! Who may do what: nothing without a session or token, viewers read only, every change
//! carries a CSRF token, wrong passwords are rate-limited, bad input never starts anything.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use support::{
    OPERATOR, Running, Setup, VIEWER, base, clean, client, console, csrf_of, get, get_api, id_of,
    login, page, post_api, round_of, seed_city,
};

const PAGES: [&str; 10] = [
    "/",
    "/rounds",
    "/rounds/events",
    "/rounds/new",
    "/rounds/2020Q4-abcdef",
    "/rounds/2020Q4-abcdef/events",
    "/rounds/2020Q4-abcdef/report.docx",
    "/rounds/2020Q4-abcdef/notices.zip",
    "/rounds/2020Q4-abcdef/notices/0",
    "/trends",
];
const API_GETS: [&str; 4] = [
    "/api/rounds",
    "/api/rounds/2020Q4-abcdef",
    "/api/rounds/2020Q4-abcdef/report.json",
    "/api/rounds/2020Q4-abcdef/report.xlsx",
];

#[tokio::test]
async fn nothing_is_served_without_a_session_or_token() {
    let running = Running::start(Setup::default()).await;
    let base = running.base.as_str();
    let c = client();
    for page in PAGES {
        let r = get(&c, base, page).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{page}");
        let to = r.headers()[LOCATION].to_str().unwrap();
        assert!(to.starts_with("/login?next="), "{page} → {to}");
    }
    for post in ["/rounds", "/rounds/2020Q4-abcdef/recheck", "/logout"] {
        let r = c.post(format!("{base}{post}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {post}");
    }
    for api in API_GETS {
        let r = get(&c, base, api).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{api}");
        let r = c
            .get(format!("{base}{api}"))
            .bearer_auth("wrong-token")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{api} with a wrong token"
        );
    }
    for api in ["/api/rounds", "/api/rounds/2020Q4-abcdef/recheck"] {
        let r = c
            .post(format!("{base}{api}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "POST {api}");
    }
    // The token opens the API; an unknown round is then a 404, not a 401.
    let r = get_api(&c, base, "/api/rounds/2020Q4-abcdef").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    running.stop().await;
}

#[tokio::test]
async fn sessions_are_httponly_strict_cookies_and_unknown_rounds_are_404_pages() {
    let running = Running::start(Setup::default()).await;
    let base = running.base.as_str();
    let c = client();
    let r = login(&c, base, OPERATOR.0, OPERATOR.1).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("spotcheck_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no TLS here: {cookie}");

    let r = get(&c, base, "/rounds").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("抽查轮次"));
    let r = get(&c, base, "/rounds/2020Q4-abcdef").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("没有轮次 2020Q4-abcdef"));
    let r = get(&c, base, "/rounds/..%2F..%2Fetc").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = get(&c, base, "/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    running.stop().await;
}

#[tokio::test]
async fn a_viewer_cannot_start_a_round_and_changes_need_the_csrf_token() {
    let running = Running::start(Setup::default()).await;
    let base = running.base.as_str();
    let viewer = client();
    assert_eq!(
        login(&viewer, base, VIEWER.0, VIEWER.1).await.status(),
        StatusCode::SEE_OTHER
    );
    let r = get(&viewer, base, "/rounds/new").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let form = reqwest::multipart::Form::new()
        .text("source", "upload")
        .text("registry", "x");
    let r = viewer
        .post(format!("{base}/rounds"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = viewer
        .post(format!("{base}/rounds/2020Q4-abcdef/recheck"))
        .form(&[("as_of", "2021-01-05")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let operator = client();
    assert_eq!(
        login(&operator, base, OPERATOR.0, OPERATOR.1)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let page = page(&operator, base, "/rounds/new").await;
    let csrf = csrf_of(&page);
    // Without the token, and with a wrong one: refused before anything is read or started.
    for token in [None, Some("forged")] {
        let mut form = reqwest::multipart::Form::new()
            .text("source", "upload")
            .text("registry", "x");
        if let Some(t) = token {
            form = form.text("csrf", t);
        }
        let r = operator
            .post(format!("{base}/rounds"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "csrf {token:?}");
    }
    let r = operator
        .post(format!("{base}/rounds/2020Q4-abcdef/recheck"))
        .form(&[("as_of", "2021-01-05")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = operator
        .post(format!("{base}/api/rounds"))
        .json(&serde_json::json!({"registry": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a session's API call without X-CSRF-Token"
    );
    let r = operator
        .post(format!("{base}/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "logout without the token"
    );

    // With the token, a file that is not a registry comes back with its parse errors.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("source", "upload")
        .part(
            "registry",
            reqwest::multipart::Part::text("[meta]\nname = 1\n[[units]\nid=")
                .file_name("名册.toml"),
        );
    let r = operator
        .post(format!("{base}/rounds"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("输入有误，未发起抽查"), "{html}");
    assert!(html.contains("<td>名册.toml</td>"), "{html}");
    // A registry saved as GBK (as spreadsheets export it) is named, not a server error.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("source", "upload")
        .part(
            "registry",
            reqwest::multipart::Part::bytes(vec![0x5b, 0xc3, 0xfb, 0xb2, 0xe1, 0x5d])
                .file_name("gbk.toml"),
        );
    let r = operator
        .post(format!("{base}/rounds"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("gbk.toml 不是 UTF-8 编码的文本文件"),
        "{html}"
    );
    let r = get_api(&operator, base, "/api/rounds").await;
    assert_eq!(
        r.json::<Vec<serde_json::Value>>().await.unwrap(),
        Vec::<serde_json::Value>::new()
    );

    let r = operator
        .post(format!("{base}/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = get(&operator, base, "/rounds").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the session is gone after logout"
    );
    running.stop().await;
}

#[tokio::test]
async fn wrong_passwords_are_rate_limited() {
    let running = Running::start(Setup::default()).await;
    let base = running.base.as_str();
    let c = client();
    for _ in 0..5 {
        assert_eq!(
            login(&c, base, OPERATOR.0, "wrong").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    // Now even the right password is refused for a while.
    assert_eq!(
        login(&c, base, OPERATOR.0, OPERATOR.1).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let r = get(&c, base, "/rounds").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "no session was opened");
    // A login form without its token is refused too.
    let r = client()
        .post(format!("{base}/login"))
        .form(&[("name", VIEWER.0), ("password", VIEWER.1)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    running.stop().await;
}

/// A loopback URL where nothing listens.
fn dead(scheme: &str) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    match scheme {
        "amqp" => format!("amqp://guest:guest@127.0.0.1:{port}/%2f"),
        _ => format!("redis://127.0.0.1:{port}"),
    }
}

#[tokio::test]
async fn a_round_is_refused_with_the_reason_while_rabbitmq_or_redis_is_down_and_nothing_is_created()
{
    let sim = seed_city().await;
    let round = round_of(&sim);
    for (down, setup) in [
        (
            "RabbitMQ",
            Setup {
                amqp: Some(dead("amqp")),
                ..Setup::default()
            },
        ),
        (
            "Redis",
            Setup {
                redis: Some(dead("redis")),
                ..Setup::default()
            },
        ),
    ] {
        let (console, ns) = console(setup).await;
        let base = base(&console);
        let c = client();
        let r = post_api(&c, &base, "/api/rounds", &round).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{down} down");
        assert!(r.headers()[CONTENT_TYPE].to_str().unwrap().contains("json"));
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(down), "{body}");
        // The pages say so too, and the console keeps serving.
        assert_eq!(
            login(&c, &base, OPERATOR.0, OPERATOR.1).await.status(),
            StatusCode::SEE_OTHER
        );
        let r = get(&c, &base, "/rounds").await;
        if down == "Redis" {
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert!(r.text().await.unwrap().contains("无法连接 Redis"));
        } else {
            assert_eq!(r.status(), StatusCode::OK);
        }
        console.shutdown().await;
        // Nothing half-created: the store has no round of this namespace.
        let store = spotcheck_store::RedisStore::connect(&spotcheck_testkit::redis_url(), &ns)
            .await
            .unwrap();
        assert!(
            spotcheck_core::ports::Store::rounds(&store)
                .await
                .unwrap()
                .is_empty(),
            "{down} down"
        );
        clean(&ns).await;
    }
}

#[tokio::test]
async fn a_page_watching_a_running_round_does_not_hold_up_shutdown() {
    let sim = seed_city().await;
    // No workers: the round stays running.
    let (console, ns) = console(Setup::default()).await;
    let base = base(&console);
    let c = client();
    let r = post_api(&c, &base, "/api/rounds", &round_of(&sim)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = id_of(r).await;
    let mut events = get_api(&c, &base, &format!("/rounds/{id}/events")).await;
    assert_eq!(events.status(), StatusCode::OK);
    let first = String::from_utf8(events.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.starts_with("event: progress"), "{first}");
    assert!(first.contains("\"complete\":false"), "{first}");
    tokio::time::timeout(std::time::Duration::from_secs(10), console.shutdown())
        .await
        .expect("shutdown ends the event stream instead of waiting for the round");
    clean(&ns).await;
}
