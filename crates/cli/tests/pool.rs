//! The pool on the real RabbitMQ and Redis: 1 collector and 3 worker processes produce the
//! same report.json as `spotcheck run`, and keep doing so when a worker or the collector is
//! killed mid-round, or when a job can never be processed.
//!
//! The services must be running (`./tests/run` starts them); these tests fail loudly when
//! they are not. Every test uses its own namespace, so tests never share queues or keys.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::ports::{Progress, Store};
use spotcheck_core::round::RoundId;
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::RedisStore;

fn amqp_url() -> String {
    std::env::var("SPOTCHECK_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}
fn redis_url() -> String {
    std::env::var("SPOTCHECK_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A simulated city with its registry and plan written to a folder.
struct City {
    sim: Sim,
    dir: tempfile::TempDir,
}

impl City {
    async fn start() -> City {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small-city.toml"),
        )
        .unwrap();
        let sim = Sim::start(
            Scenario::from_toml(&text).unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("registry.toml"), sim.registry_toml()).unwrap();
        std::fs::write(dir.path().join("plan.toml"), sim.plan_toml()).unwrap();
        City { sim, dir }
    }

    fn round_args(&self) -> Vec<String> {
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

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
        for (k, v) in self.sim.secrets() {
            c.env(k, v);
        }
        c.env("SPOTCHECK_LOG", "warn");
        c
    }

    /// The report of the same round run in one process.
    fn embedded_report(&self) -> serde_json::Value {
        self.embedded_report_in("embedded")
    }

    fn embedded_report_in(&self, name: &str) -> serde_json::Value {
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

fn read_report(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    // Only the round ids may differ between two runs of the same round.
    v["round"]["id"] = serde_json::Value::Null;
    v["round"]["parent"] = serde_json::Value::Null;
    v
}

/// One namespace on the shared broker and store, with its processes.
struct Pool {
    ns: String,
    store: RedisStore,
    queue: AmqpQueue,
    collector: Option<Child>,
    workers: Vec<Child>,
    drill: Option<String>,
}

impl Pool {
    async fn new(test: &str) -> Pool {
        let ns = format!("t-{test}-{}", std::process::id());
        let store = RedisStore::connect(&redis_url(), &ns)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "Redis at {} is needed for this test ({e}); run ./tests/run",
                    redis_url()
                )
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
            store,
            queue,
            collector: None,
            workers: Vec::new(),
            drill: None,
        }
    }

    fn spawn(&self, city: &City, role: &str) -> Child {
        let mut c = city.command();
        c.arg(role)
            .env("SPOTCHECK_NAMESPACE", &self.ns)
            .env("SPOTCHECK_AMQP_URL", amqp_url())
            .env("SPOTCHECK_REDIS_URL", redis_url())
            .stdout(Stdio::null());
        if let Some(d) = &self.drill {
            c.env("SPOTCHECK_DRILL_PANIC_ON", d);
        }
        c.spawn().unwrap()
    }

    fn start_roles(&mut self, city: &City, workers: usize) {
        self.collector = Some(self.spawn(city, "collector"));
        for _ in 0..workers {
            let w = self.spawn(city, "worker");
            self.workers.push(w);
        }
    }

    fn start_round(&self, city: &City) -> RoundId {
        let out = city
            .command()
            .args(["round", "start", "--allow-private"])
            .args(city.round_args())
            .env("SPOTCHECK_NAMESPACE", &self.ns)
            .env("SPOTCHECK_AMQP_URL", amqp_url())
            .env("SPOTCHECK_REDIS_URL", redis_url())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        RoundId(String::from_utf8(out.stdout).unwrap().trim().to_string())
    }

    async fn progress(&self, id: &RoundId) -> Progress {
        self.store.progress(id).await.unwrap()
    }

    /// Waits until `done` holds for the round's progress, failing after `limit`.
    async fn wait_for(
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

    fn report(&self, city: &City, id: &RoundId) -> serde_json::Value {
        let out = city.dir.path().join(format!("pool-{}", id.0));
        let status = city
            .command()
            .args(["report", &id.0, "--out"])
            .arg(&out)
            .env("SPOTCHECK_NAMESPACE", &self.ns)
            .env("SPOTCHECK_REDIS_URL", redis_url())
            .env("SPOTCHECK_AMQP_URL", amqp_url())
            .status()
            .unwrap();
        assert!(status.success());
        read_report(&out)
    }

    /// Every job has exactly one result.
    async fn assert_one_result_per_job(&self, id: &RoundId) {
        let p = self.progress(id).await;
        let results = self.store.results(id).await.unwrap();
        assert_eq!(results.len() as u64, p.total, "results vs jobs");
        assert_eq!(p.done, p.total);
        let mut ids: Vec<_> = results.iter().map(|r| r.job.id.clone()).collect();
        ids.dedup();
        assert_eq!(ids.len(), results.len());
    }

    async fn finish(mut self) {
        for mut c in self.workers.drain(..).chain(self.collector.take()) {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.queue.delete_namespace().await;
        let _ = self.store.delete_namespace().await;
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for c in self.workers.iter_mut().chain(self.collector.as_mut()) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn kill9(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
}

const ROUND_LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_and_a_collector_write_the_embedded_report() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let mut pool = Pool::new("same").await;
    pool.start_roles(&city, 3);
    let id = pool.start_round(&city);
    pool.wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    pool.assert_one_result_per_job(&id).await;
    assert_eq!(pool.report(&city, &id), reference);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_round_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let mut pool = Pool::new("killw").await;
    pool.start_roles(&city, 3);
    let id = pool.start_round(&city);
    let p = pool
        .wait_for(&id, ROUND_LIMIT, "a round in progress", |p| {
            p.sealed && p.done >= 5
        })
        .await;
    assert!(
        !p.complete,
        "the round finished before a worker could be killed: {p:?}"
    );
    kill9(&mut pool.workers[0]);
    pool.wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    pool.assert_one_result_per_job(&id).await;
    assert_eq!(pool.report(&city, &id), reference);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_killed_and_restarted_loses_nothing() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let mut pool = Pool::new("killc").await;
    pool.start_roles(&city, 3);
    let id = pool.start_round(&city);
    let p = pool
        .wait_for(&id, ROUND_LIMIT, "a round in progress", |p| {
            p.sealed && p.done >= 5
        })
        .await;
    assert!(
        !p.complete,
        "the round finished before the collector could be killed: {p:?}"
    );
    let mut collector = pool.collector.take().unwrap();
    kill9(&mut collector);
    let frozen = pool.progress(&id).await;
    pool.collector = Some(pool.spawn(&city, "collector"));
    let p = pool
        .wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    assert!(p.done > frozen.done);
    pool.assert_one_result_per_job(&id).await;
    assert_eq!(pool.report(&city, &id), reference);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_always_crashes_is_dead_lettered_and_the_round_says_so() {
    let city = City::start().await;
    let mut pool = Pool::new("poison").await;
    // The menu of one account: its check panics in every worker, on every delivery.
    pool.drill = Some("menu|renshe-wx".into());
    pool.start_roles(&city, 3);
    let id = pool.start_round(&city);
    let p = pool
        .wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    assert_eq!(p.dead, 1);
    pool.assert_one_result_per_job(&id).await;

    let out = city
        .command()
        .args(["round", "status", &id.0, "--json"])
        .env("SPOTCHECK_NAMESPACE", &pool.ns)
        .env("SPOTCHECK_REDIS_URL", redis_url())
        .output()
        .unwrap();
    assert!(out.status.success());
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["jobs"]["dead_lettered"], 1);
    assert_eq!(status["complete"], true);

    let report = pool.report(&city, &id);
    assert_eq!(report["summary"]["jobs"]["dead"], 1);
    let failed: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["indicator"] == "round.job_failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["target"], "测试人社");
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recheck_on_the_pool_matches_the_embedded_recheck() {
    let city = City::start().await;
    city.embedded_report_in("spot");
    let mut pool = Pool::new("recheck").await;
    pool.start_roles(&city, 2);
    let spot = pool.start_round(&city);
    pool.wait_for(&spot, ROUND_LIMIT, "spot round", |p| p.complete)
        .await;

    city.sim.rectify();
    let as_of = city.sim.as_of().to_string();
    let embedded = city.dir.path().join("recheck");
    let status = city
        .command()
        .args(["run", "--as-of", &as_of, "--recheck-of"])
        .arg(city.dir.path().join("spot"))
        .arg("--out")
        .arg(&embedded)
        .status()
        .unwrap();
    assert!(status.success());
    let reference = read_report(&embedded);

    let out = city
        .command()
        .args(["round", "recheck", &spot.0, "--as-of", &as_of])
        .env("SPOTCHECK_NAMESPACE", &pool.ns)
        .env("SPOTCHECK_AMQP_URL", amqp_url())
        .env("SPOTCHECK_REDIS_URL", redis_url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recheck = RoundId(String::from_utf8(out.stdout).unwrap().trim().to_string());
    pool.wait_for(&recheck, ROUND_LIMIT, "re-check", |p| p.complete)
        .await;
    // Only targets with problems are visited again: the healthy account is not.
    let scope = pool
        .store
        .round(&recheck)
        .await
        .unwrap()
        .unwrap()
        .scope
        .unwrap();
    assert_eq!(scope.accounts, vec!["gongan-wx", "renshe-wx"]);
    assert_eq!(scope.websites.len(), 4);
    let report = pool.report(&city, &recheck);
    assert_eq!(report, reference);
    assert_eq!(report["round"]["kind"], "recheck");
    assert_eq!(
        report["rectification"]["not_rectified"],
        serde_json::json!(["市公安局"])
    );
    assert_eq!(
        report["rectification"]["rectified"],
        serde_json::json!(["市政府办", "市人社局", "市教育局"])
    );
    pool.finish().await;
}
