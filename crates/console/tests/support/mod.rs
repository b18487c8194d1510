//! What the console's tests share: a console on the test pool with known accounts, and a
//! browser-like HTTP client that logs in.

#![allow(dead_code)]

use std::sync::OnceLock;

use spotcheck_console::{Account, Accounts, Config, Console, Pool, Role, hash_password};
use spotcheck_core::Namespace;

pub const OPERATOR: (&str, &str) = ("wang", "operator-password-1");
pub const VIEWER: (&str, &str) = ("li", "viewer-password-1");
pub const TOKEN: &str = "api-token-for-tests";

/// The test accounts (hashing is slow: done once per test binary).
pub fn accounts() -> Accounts {
    static HASHES: OnceLock<(String, String)> = OnceLock::new();
    let (op, view) = HASHES.get_or_init(|| {
        (
            hash_password(OPERATOR.1).unwrap(),
            hash_password(VIEWER.1).unwrap(),
        )
    });
    let mut a = Accounts::default();
    a.add(Account {
        name: OPERATOR.0.into(),
        role: Role::Operator,
        hash: op.clone(),
    });
    a.add(Account {
        name: VIEWER.0.into(),
        role: Role::Viewer,
        hash: view.clone(),
    });
    a
}

/// How a test console is made.
#[derive(Default)]
pub struct Setup {
    pub workers: usize,
    pub demo: bool,
    /// Another broker URL (e.g. one where nothing listens).
    pub amqp: Option<String>,
    /// Another Redis URL.
    pub redis: Option<String>,
    pub audit_log: Option<std::path::PathBuf>,
}

/// A console on loopback, in a namespace of its own on the test pool.
pub async fn console(setup: Setup) -> (Console, Namespace) {
    let namespace = spotcheck_testkit::namespace();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        pool: Pool {
            amqp: setup.amqp.unwrap_or_else(spotcheck_testkit::amqp_url),
            redis: setup.redis.unwrap_or_else(spotcheck_testkit::redis_url),
            namespace: namespace.clone(),
            gates: namespace.clone(),
            delivery_limit: 5,
        },
        workers: setup.workers,
        demo: setup.demo,
        accounts: accounts(),
        api_token: Some(TOKEN.into()),
        secure_cookies: false,
        audit_log: setup.audit_log,
    };
    let console = Console::start(config).await.expect("console starts");
    (console, namespace)
}

/// A test console with its base URL; [`Running::stop`] shuts it down and removes its
/// namespace.
pub struct Running {
    pub console: Console,
    pub ns: Namespace,
    pub base: String,
}

impl Running {
    pub async fn start(setup: Setup) -> Running {
        let (console, ns) = console(setup).await;
        let base = base(&console);
        Running { console, ns, base }
    }

    pub async fn stop(self) {
        self.console.shutdown().await;
        clean(&self.ns).await;
    }
}

pub fn base(console: &Console) -> String {
    format!("http://{}", console.addr())
}

/// A client that keeps cookies and does not follow redirects, as the tests look at them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// The value of the first `name="csrf"` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// GET `path` on the console, as the client's session (if any) may.
pub async fn get(c: &reqwest::Client, base: &str, path: &str) -> reqwest::Response {
    c.get(format!("{base}{path}")).send().await.unwrap()
}

/// GET `path` with the API token.
pub async fn get_api(c: &reqwest::Client, base: &str, path: &str) -> reqwest::Response {
    c.get(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
}

/// POST `body` as JSON to `path` with the API token.
pub async fn post_api(
    c: &reqwest::Client,
    base: &str,
    path: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    c.post(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The text of page `path`, whatever its status.
pub async fn page(c: &reqwest::Client, base: &str, path: &str) -> String {
    get(c, base, path).await.text().await.unwrap()
}

/// The simulated city of the seed scenario, served on loopback.
pub async fn seed_city() -> spotcheck_sim::Sim {
    spotcheck_sim::Sim::start(
        spotcheck_sim::Scenario::seed(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

/// A round on the simulated city in the API's shape: its registry, plan, window and check
/// point, its loopback targets allowed.
pub fn round_of(sim: &spotcheck_sim::Sim) -> serde_json::Value {
    let (from, to) = sim.window();
    serde_json::json!({
        "registry": sim.registry_toml(), "plan": sim.plan_toml(),
        "window": format!("{from}..{to}"), "as_of": sim.as_of().to_string(), "allow_private": true,
    })
}

/// The units whose faults the simulated city keeps through rectification: exactly the ones
/// a re-check must find not rectified.
pub fn still_broken(sim: &spotcheck_sim::Sim) -> std::collections::BTreeSet<String> {
    sim.truth()
        .broken_menu_links
        .iter()
        .map(|m| m.unit_name.clone())
        .collect()
}

/// The `id` in the API's answer to a round it created.
pub async fn id_of(r: reqwest::Response) -> String {
    r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Logs in through the login form, with the form's CSRF token; the form's answer.
pub async fn login(
    c: &reqwest::Client,
    base: &str,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = csrf_of(&page(c, base, "/login").await);
    c.post(format!("{base}/login"))
        .form(&[
            ("name", name),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/rounds"),
        ])
        .send()
        .await
        .unwrap()
}

/// Removes the namespace's keys and queues.
pub async fn clean(namespace: &Namespace) {
    if let Ok(s) =
        spotcheck_store::RedisStore::connect(&spotcheck_testkit::redis_url(), namespace).await
    {
        let _ = s.delete_namespace().await;
    }
    if let Ok(q) = spotcheck_bus::AmqpQueue::connect(
        &spotcheck_testkit::amqp_url(),
        namespace,
        spotcheck_bus::AmqpOptions::default(),
    )
    .await
    {
        let _ = q.delete_namespace().await;
        q.close().await;
    }
}
