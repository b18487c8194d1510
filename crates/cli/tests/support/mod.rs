//! What the tests that run rounds across processes share: a simulated city, a namespace on
//! the real RabbitMQ and Redis, role processes whose JSON log is captured line by line, and a
//! small HTTP client and Prometheus text reader for their `/metrics` and `/healthz`.
//!
//! The services must be running (`./tests/run` starts them); these tests fail loudly when they
//! are not. Every test uses its own namespace, so tests never share queues or keys.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::Namespace;
use spotcheck_core::ports::{Progress, Store};
use spotcheck_core::round::{Round, RoundId};
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::RedisStore;

mod scrape;

pub use scrape::{Metrics, http_get};
pub use spotcheck_testkit::{amqp_url, redis_url};

/// A simulated city with its registry and plan written to a folder.
pub struct City {
    pub sim: Sim,
    pub dir: tempfile::TempDir,
}

impl City {
    /// The small city: every kind of check and fault in a round of seconds.
    pub async fn start() -> City {
        City::fixture("small-city.toml").await
    }

    /// A city from `tests/fixtures/`.
    pub async fn fixture(name: &str) -> City {
        City::fixture_with(name, |_| {}).await
    }

    /// A city from `tests/fixtures/`, changed by `edit` before it is served (e.g. a plan
    /// key of its `[plan]` table).
    pub async fn fixture_with(name: &str, edit: impl FnOnce(&mut Scenario)) -> City {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap();
        let mut scenario = Scenario::from_toml(&text).unwrap();
        edit(&mut scenario);
        let sim = Sim::start(scenario, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("registry.toml"), sim.registry_toml()).unwrap();
        std::fs::write(dir.path().join("plan.toml"), sim.plan_toml()).unwrap();
        City { sim, dir }
    }

    pub fn round_args(&self) -> Vec<String> {
        let (from, to) = self.sim.window();
        vec![
            "--registry".into(),
            self.dir.path().join("registry.toml").display().to_string(),
            "--plan".into(),
            self.dir.path().join("plan.toml").display().to_string(),
            "--window".into(),
            format!("{from}..{to}"),
            "--as-of".into(),
            self.sim.as_of().to_string(),
        ]
    }

    /// The round an operator would start on this city, built in this process: its registry
    /// and plan, the simulator's window and date, private addresses allowed.
    pub fn round(&self) -> Round {
        let (from, to) = self.sim.window();
        let args = spotcheck::args::RoundArgs {
            registry: Some(self.dir.path().join("registry.toml")),
            plan: Some(self.dir.path().join("plan.toml")),
            window: Some(format!("{from}..{to}")),
            as_of: Some(self.sim.as_of().to_string()),
            allow_private: true,
        };
        spotcheck_scheduler::build_round(spotcheck::commands::round_input(&args).unwrap()).unwrap()
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
        for (k, v) in self.sim.secrets() {
            c.env(k, v);
        }
        c.env("SPOTCHECK_LOG", "warn");
        c
    }

    /// The report of the same round run in one process.
    pub fn embedded_report(&self) -> serde_json::Value {
        self.embedded_report_in("embedded")
    }

    /// The same, written into the folder `name` (for a later `run --recheck-of`).
    pub fn embedded_report_in(&self, name: &str) -> serde_json::Value {
        let out = self.dir.path().join(name);
        let status = self
            .command()
            .arg("run")
            .args(self.round_args())
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        read_report(&out)
    }
}

pub fn read_report(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    // Only the round ids may differ between two runs of the same round.
    v["round"]["id"] = serde_json::Value::Null;
    v["round"]["parent"] = serde_json::Value::Null;
    v
}

/// The report of a round equals the reference; when it does not, the failure shows the lines
/// that differ, not two reports of a hundred lines each.
pub fn assert_same_report(got: &serde_json::Value, want: &serde_json::Value) {
    if got != want {
        let pretty = |v| serde_json::to_string_pretty(v).unwrap();
        pretty_assertions::assert_eq!(pretty(got), pretty(want), "report vs reference");
    }
}

/// A role process (`worker`, `collector`) with its JSON log lines collected as they come.
pub struct Role {
    pub name: String,
    pub child: Child,
    log: Arc<Mutex<Vec<serde_json::Value>>>,
    pub metrics: Option<SocketAddr>,
}

impl Role {
    /// The log lines so far (JSON objects; lines that are not JSON are kept as strings).
    pub fn log(&self) -> Vec<serde_json::Value> {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a log line whose `message` is `message`; returns it.
    pub fn wait_log(&self, message: &str, limit: Duration) -> serde_json::Value {
        let start = Instant::now();
        loop {
            if let Some(l) = self.log().into_iter().find(|l| l["message"] == message) {
                return l;
            }
            assert!(
                start.elapsed() < limit,
                "{}: no log line {message:?} within {limit:?}; log so far:\n{}",
                self.name,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log_text(&self) -> String {
        self.log()
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn addr(&self) -> SocketAddr {
        self.metrics
            .unwrap_or_else(|| panic!("{} serves no metrics", self.name))
    }

    pub fn scrape(&self) -> Metrics {
        let (status, body) = http_get(self.addr(), "/metrics")
            .unwrap_or_else(|e| panic!("{}: GET /metrics failed: {e}", self.name));
        assert_eq!(
            status, 200,
            "{}: /metrics answered {status}: {body}",
            self.name
        );
        Metrics::parse(&body)
    }

    pub fn healthz(&self) -> (u16, serde_json::Value) {
        let (status, body) = http_get(self.addr(), "/healthz")
            .unwrap_or_else(|e| panic!("{}: GET /healthz failed: {e}", self.name));
        let v = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{}: /healthz is not JSON ({e}): {body}", self.name));
        (status, v)
    }

    /// Waits until `/healthz` says ready.
    pub fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        loop {
            let (status, body) = self.healthz();
            if status == 200 {
                assert_eq!(body["ready"], true);
                return;
            }
            assert!(
                start.elapsed() < limit,
                "{}: not ready within {limit:?}: {status} {body}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `/healthz` answers `status`; returns its body.
    pub fn wait_health(&self, status: u16, limit: Duration) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let (got, body) = self.healthz();
            if got == status {
                return body;
            }
            assert!(
                start.elapsed() < limit,
                "{}: /healthz answered {got}, not {status}: {body}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL: a crash, with no chance to return anything.
    pub fn kill9(&mut self) {
        self.signal("-9");
        let _ = self.child.wait();
    }

    pub fn terminate(&self) {
        self.signal("-TERM");
    }

    /// Sends the process `signal` (as `kill` names it) the way an operator or the system would.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, failing after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < limit,
                "{} did not exit within {limit:?}; log:\n{}",
                self.name,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One namespace on the shared broker and store.
pub struct Pool {
    pub ns: Namespace,
    /// The Redis this pool's processes use.
    pub redis: String,
    pub store: RedisStore,
    pub queue: AmqpQueue,
    /// Extra environment for every process of the pool (e.g. a drill).
    pub env: Vec<(String, String)>,
}

impl Pool {
    pub async fn new(test: &str) -> Pool {
        Pool::on_redis(test, &redis_url()).await
    }

    /// A pool whose processes use the Redis at `redis` (one a test started for itself).
    pub async fn on_redis(test: &str, redis: &str) -> Pool {
        let ns: Namespace = format!("t-{test}-{}", std::process::id())
            .parse()
            .expect("a test name keeps to the namespace alphabet");
        let store = RedisStore::connect(redis, &ns).await.unwrap_or_else(|e| {
            panic!("Redis at {redis} is needed for this test ({e}); run ./tests/run")
        });
        let queue = AmqpQueue::connect(&amqp_url(), &ns, AmqpOptions::default())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "RabbitMQ at {} is needed for this test ({e}); run ./tests/run",
                    amqp_url()
                )
            });
        Pool {
            ns,
            redis: redis.to_string(),
            store,
            queue,
            env: Vec::new(),
        }
    }

    /// Points a command at this pool's broker, store and namespace. Its host limits are its
    /// own too: the simulators of tests running at once serve the same host names, and each
    /// is owed the plan's rate by itself.
    pub fn env(&self, c: &mut Command) {
        c.env("SPOTCHECK_NAMESPACE", self.ns.as_str())
            .env("SPOTCHECK_GATE_NAMESPACE", self.ns.as_str())
            .env("SPOTCHECK_AMQP_URL", amqp_url())
            .env("SPOTCHECK_REDIS_URL", &self.redis)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
    }

    /// A `spotcheck` command of this pool, with the city's secrets.
    pub fn command(&self, city: &City) -> Command {
        let mut c = city.command();
        self.env(&mut c);
        c
    }

    /// Starts a role with JSON logs at `log` level; with `metrics`, it serves them on a port
    /// of its choosing, read from its log.
    pub fn spawn(&self, city: &City, name: &str, args: &[&str], log: &str, metrics: bool) -> Role {
        self.spawn_with(city, name, args, log, metrics, &[])
    }

    /// The same, with `env` over the pool's (e.g. one role's link through a proxy).
    pub fn spawn_with(
        &self,
        city: &City,
        name: &str,
        args: &[&str],
        log: &str,
        metrics: bool,
        env: &[(&str, &str)],
    ) -> Role {
        let mut c = city.command();
        self.env(&mut c);
        c.envs(env.iter().copied());
        c.args(["--log-format", "json"])
            .args(args)
            // The line that says where metrics are served is an info line of `spotcheck::ops`.
            .env("SPOTCHECK_LOG", format!("{log},spotcheck::ops=info"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if metrics {
            c.args(["--metrics-listen", "127.0.0.1:0"]);
        }
        let mut child = c.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let v = serde_json::from_str(&line).unwrap_or(serde_json::Value::String(line));
                sink.lock().unwrap().push(v);
            }
        });
        let mut role = Role {
            name: name.to_string(),
            child,
            log: lines,
            metrics: None,
        };
        if metrics {
            let line = role.wait_log("serving /metrics, /healthz and /livez", LIMIT);
            let addr = line["listen"].as_str().unwrap().parse().unwrap();
            role.metrics = Some(addr);
        }
        role
    }

    pub fn start_round(&self, city: &City) -> RoundId {
        printed_round(self.round_start(city).output().unwrap())
    }

    /// The `round start` command of the city's round on this pool, not yet run.
    pub fn round_start(&self, city: &City) -> Command {
        let mut c = city.command();
        self.env(&mut c);
        c.args(["round", "start", "--allow-private"])
            .args(city.round_args());
        c
    }

    pub fn report(&self, city: &City, id: &RoundId) -> serde_json::Value {
        let out = city.dir.path().join(format!("pool-{}", id.0));
        let mut c = city.command();
        self.env(&mut c);
        let status = c
            .args(["report", &id.0, "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        read_report(&out)
    }

    pub async fn progress(&self, id: &RoundId) -> Progress {
        self.store.progress(id).await.unwrap()
    }

    /// Waits until `done` holds for the round's progress, failing after `limit`.
    pub async fn wait_for(
        &self,
        id: &RoundId,
        limit: Duration,
        what: &str,
        done: impl Fn(&Progress) -> bool,
    ) -> Progress {
        let start = Instant::now();
        loop {
            let p = self.progress(id).await;
            if done(&p) {
                return p;
            }
            assert!(
                start.elapsed() < limit,
                "{what} not reached within {limit:?}: {p:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every job has exactly one result.
    pub async fn assert_one_result_per_job(&self, id: &RoundId) {
        let p = self.progress(id).await;
        let results = self.store.results(id).await.unwrap();
        assert_eq!(results.len() as u64, p.total, "results vs jobs");
        assert_eq!(p.done, p.total);
        let mut ids: Vec<_> = results.iter().map(|r| r.job.id.clone()).collect();
        ids.dedup();
        assert_eq!(ids.len(), results.len());
    }

    /// Waits until the round is under way (sealed, five jobs done) and fails when it is
    /// already complete: `victim`, a role, can then be killed mid-round.
    pub async fn mid_round(&self, id: &RoundId, victim: &str) -> Progress {
        let p = self
            .wait_for(id, ROUND_LIMIT, "a round in progress", |p| {
                p.sealed && p.done >= 5
            })
            .await;
        assert!(
            !p.complete,
            "the round finished before {victim} could be killed: {p:?}"
        );
        p
    }

    /// Waits for the round to complete, then checks that every job has one result and that
    /// the pool's report is `reference`; the completed progress is returned.
    pub async fn assert_completes_as(
        &self,
        city: &City,
        id: &RoundId,
        reference: &serde_json::Value,
    ) -> Progress {
        let p = self
            .wait_for(id, ROUND_LIMIT, "completion", |p| p.complete)
            .await;
        self.assert_one_result_per_job(id).await;
        assert_same_report(&self.report(city, id), reference);
        p
    }

    pub async fn finish(self) {
        let _ = self.queue.delete_namespace().await;
        let _ = self.store.delete_namespace().await;
    }
}

/// What a command that must succeed printed on stdout; its stderr is the failure message.
pub fn stdout_of(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The id a `round start` or `round recheck` that must succeed printed.
pub fn printed_round(out: Output) -> RoundId {
    RoundId(stdout_of(out).trim().to_string())
}

/// Limit for a process to start, answer, or drain.
pub const LIMIT: Duration = Duration::from_secs(30);
/// Limit for a whole round of the small city.
pub const ROUND_LIMIT: Duration = Duration::from_secs(120);

/// The most requests any one-second window holds, over request times in order of arrival.
pub fn busiest_second(times: &[Instant]) -> usize {
    times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// The workspace root (for `deploy/`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
