//! A finished round with problems, its `[notify]` pointed at fakes on loopback, and an HTTP
//! server that records what robots and webhooks are sent.

#![allow(dead_code)] // each test binary uses its part

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, PageOutcome, Verdict};
use spotcheck_core::round::Round;
use spotcheck_core::{Plan, Registry};
use spotcheck_report::Report;
use spotcheck_testkit::outcomes::visit;
use spotcheck_testkit::rounds::{self, RegistryText};
use url::Url;

/// Three units: 市政府办 passes; 市教育局 (with an email and a contact) and 市人社局 (with
/// neither) have a site that never opened.
pub fn registry() -> Registry {
    RegistryText::new("测试市", "测试市人民政府办公室")
        .unit("szf", "市政府办")
        .unit("jyj", "市教育局")
        .raw("email = \"jyj@test.gov.cn\"\ncontact = \"张科长\"\n")
        .unit("rsj", "市人社局")
        .website(
            "portal",
            "szf",
            "测试市人民政府网站",
            "http://www.test.gov.cn/",
        )
        .website("jyj", "jyj", "测试市教育局网站", "http://jyj.test.gov.cn/")
        .website("rsj", "rsj", "测试市人社局网站", "http://rsj.test.gov.cn/")
        .parse()
}

/// A plan with one visit per site and `notify` as its `[notify]` section (TOML text).
pub fn plan(notify: &str) -> Plan {
    let text = format!("[availability]\nprobes = 1\n\n{notify}");
    Plan::parse(&text, Path::new("plan.toml")).expect("the test's plan parses")
}

/// The round, complete: each site visited once and its homepage read; two sites did not open.
pub fn finished(plan: Plan) -> (Round, Vec<JobResult>) {
    let round = rounds::round("2020Q4-notify", registry(), plan);
    let mut results = Vec::new();
    for (site, ok) in [("portal", true), ("jyj", false), ("rsj", false)] {
        let url = round.registry.website(site).unwrap().url.clone();
        results.push(JobResult::new(
            Job::new(
                &round.id,
                Task::Visit {
                    site: site.into(),
                    n: 0,
                },
            ),
            visit(ok),
        ));
        results.push(JobResult::new(
            Job::new(
                &round.id,
                Task::Page {
                    site: site.into(),
                    url,
                    depth: 0,
                },
            ),
            Outcome::Page(PageOutcome {
                verdict: if ok {
                    Verdict::ok(200)
                } else {
                    Verdict::broken(None, "connection refused")
                },
                links: vec![],
                newest: ok.then(|| "2020-12-15".parse().unwrap()),
            }),
        ));
    }
    (round, results)
}

pub fn report(round: &Round, results: &[JobResult]) -> Report {
    spotcheck_report::compute(round, results)
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// A query parameter, decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        let url = Url::parse(&format!(
            "http://x/?{}",
            self.query.as_deref().unwrap_or("")
        ))
        .ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// An HTTP server on loopback that records every POST and answers each path as told:
/// `/dingtalk`, `/wecom` → `{"errcode":0}`, `/feishu` → `{"code":0}`, `/webhook` → 204,
/// `/broken` → 500.
pub struct Fake {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Fake {
    pub async fn start() -> Fake {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/{*path}", post(record))
            .with_state(requests.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fake {
            addr,
            requests,
            _task: task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests to `path`, in order.
    pub fn to(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

async fn record(
    State(requests): State<Arc<Mutex<Vec<Request>>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let path = uri.path().to_string();
    requests.lock().unwrap().push(Request {
        path: path.clone(),
        query: uri.query().map(str::to_string),
        headers,
        body,
    });
    match path.as_str() {
        "/dingtalk" | "/wecom" => (StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#.into()),
        "/feishu" => (StatusCode::OK, r#"{"code":0,"msg":"success"}"#.into()),
        "/webhook" => (StatusCode::NO_CONTENT, String::new()),
        "/refusing-robot" => (
            StatusCode::OK,
            r#"{"errcode":310000,"errmsg":"sign not match"}"#.into(),
        ),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal error".into()),
    }
}

/// HMAC-SHA256 in Base64, computed here independently of the crate under test.
pub fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
