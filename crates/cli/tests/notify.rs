//! Notifications of a round on the pool and in one process: two collectors see the round
//! through, the WeCom group gets one message, the webhook that answers 500 is retried and
//! then reported as failed by `round status` (text and JSON) — and the round is complete and
//! its report written all the same. Needs RabbitMQ and Redis (`./tests/run` starts them).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use support::{City, LIMIT, Pool, ROUND_LIMIT, assert_same_report};

/// Counts the POSTs to `/wecom` (answered as a WeCom robot does) and `/hook` (answered 500).
async fn fake() -> (std::net::SocketAddr, Arc<Mutex<(u32, u32)>>) {
    let hits = Arc::new(Mutex::new((0, 0)));
    let (w, h) = (hits.clone(), hits.clone());
    let app = Router::new()
        .route(
            "/wecom",
            post(move || async move {
                w.lock().unwrap().0 += 1;
                r#"{"errcode":0,"errmsg":"ok"}"#
            }),
        )
        .route(
            "/hook",
            post(move || async move {
                h.lock().unwrap().1 += 1;
                (StatusCode::INTERNAL_SERVER_ERROR, "down for maintenance")
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

fn add_notify(city: &City, addr: std::net::SocketAddr) {
    let path = city.dir.path().join("plan.toml");
    let mut plan = std::fs::read_to_string(&path).unwrap();
    plan.push_str(&format!(
        "\n[notify]\nattempts = 2\nretry_backoff = \"100ms\"\n\n\
         [notify.wecom]\nurl = \"http://{addr}/wecom?key=secret-key\"\n\n\
         [notify.webhook]\nurl = \"http://{addr}/hook\"\n"
    ));
    std::fs::write(path, plan).unwrap();
}

fn failed_line(addr: std::net::SocketAddr) -> String {
    format!(
        "notification webhook to endpoint: failed after 2 attempts: http://{addr}/… answered 500 Internal Server Error: down for maintenance"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_round_notifies_once_and_reports_a_failing_webhook() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let (addr, hits) = fake().await;
    add_notify(&city, addr);
    let pool = Pool::new("notify").await;
    let _collectors = [
        pool.spawn(&city, "collector", &["collector"], "warn", false),
        pool.spawn(&city, "collector", &["collector"], "warn", false),
    ];
    let _worker = pool.spawn(&city, "worker", &["worker"], "warn", false);
    let id = pool.start_round(&city);
    pool.wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;

    let status = |json: bool| {
        let mut c = pool.command(&city);
        c.args(["round", "status", &id.0]);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let start = Instant::now();
    let json: serde_json::Value = loop {
        let v: serde_json::Value = serde_json::from_str(&status(true)).unwrap();
        let notices = v["notifications"].as_array().unwrap();
        if notices.len() == 2 && notices.iter().all(|n| n["state"] != "pending") {
            break v;
        }
        assert!(start.elapsed() < LIMIT, "notifications not settled: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(json["complete"], true, "existing fields stay");
    assert_eq!(
        json["notifications"],
        serde_json::json!([
            {
                "channel": "webhook", "recipient": "endpoint", "state": "failed", "attempts": 2,
                "last_error": format!("http://{addr}/… answered 500 Internal Server Error: down for maintenance"),
            },
            {"channel": "wecom", "recipient": "group", "state": "sent", "attempts": 1},
        ])
    );
    let text = status(false);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(&format!("round {id}: complete;")),
        "{text}"
    );
    assert_eq!(
        &lines[1..],
        [
            failed_line(addr).as_str(),
            "notification wecom to group: sent (1 attempt)"
        ]
    );
    assert!(!text.contains("secret-key"));
    // Two collectors, one message; the webhook tried twice.
    assert_eq!(*hits.lock().unwrap(), (1, 2));
    // The round is unaffected: its report is the one `run` writes.
    assert_same_report(&pool.report(&city, &id), &reference);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_notifies_after_writing_its_reports_and_still_succeeds() {
    let city = City::start().await;
    let (addr, hits) = fake().await;
    add_notify(&city, addr);
    let out_dir = city.dir.path().join("run");
    let out = city
        .command()
        .arg("run")
        .args(city.round_args())
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(out_dir.join("report.json").exists());
    assert!(stderr.contains(&failed_line(addr)), "{stderr}");
    assert!(
        stderr.contains("notification wecom to group: sent (1 attempt)"),
        "{stderr}"
    );
    assert_eq!(*hits.lock().unwrap(), (1, 2));
}
