//! Politeness holds for the whole pool: three worker processes on one host limited to 5
//! requests a second never send it more than 6 in any one-second window, as the host's own
//! request log shows, and the round still completes.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::ports::Store;
use spotcheck_core::round::RoundId;
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::RedisStore;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_keep_one_hosts_limit_together() {
    let amqp = env_or(
        "SPOTCHECK_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f",
    );
    let redis_url = env_or("SPOTCHECK_REDIS_URL", "redis://127.0.0.1:6379");
    let ns = format!("t-polite-{}", std::process::id());
    let store = RedisStore::connect(&redis_url, &ns)
        .await
        .unwrap_or_else(|e| panic!("Redis at {redis_url} is needed ({e}); run ./tests/run"));
    let queue = AmqpQueue::connect(&amqp, &ns, AmqpOptions::default())
        .await
        .unwrap_or_else(|e| panic!("RabbitMQ at {amqp} is needed ({e}); run ./tests/run"));
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/polite-city.toml"),
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

    let command = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
        c.args(args)
            .env("SPOTCHECK_NAMESPACE", &ns)
            .env("SPOTCHECK_AMQP_URL", &amqp)
            .env("SPOTCHECK_REDIS_URL", &redis_url)
            .stdout(Stdio::null());
        c
    };
    let mut roles: Vec<Child> = ["collector", "worker", "worker", "worker"]
        .iter()
        .map(|r| command(&[r]).spawn().unwrap())
        .collect();
    let (from, to) = sim.window();
    let out = command(&["round", "start", "--allow-private"])
        .stdout(Stdio::piped())
        .arg("--registry")
        .arg(dir.path().join("registry.toml"))
        .arg("--plan")
        .arg(dir.path().join("plan.toml"))
        .args([
            "--window",
            &format!("{from}..{to}"),
            "--as-of",
            &sim.as_of().to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = RoundId(String::from_utf8(out.stdout).unwrap().trim().to_string());
    let start = Instant::now();
    let progress = loop {
        let p = store.progress(&id).await.unwrap();
        if p.complete {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "round did not complete: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for r in &mut roles {
        let _ = r.kill();
        let _ = r.wait();
    }

    let times: Vec<Instant> = sim
        .requests()
        .into_iter()
        .filter(|r| r.host == "www.test.gov.cn")
        .map(|r| r.at)
        .collect();
    assert!(
        times.len() >= 100,
        "the host served {} requests",
        times.len()
    );
    assert!(progress.total >= 100);
    // Sliding one-second windows over the host's log.
    let mut worst = 0;
    for (i, t) in times.iter().enumerate() {
        let n = times[i..]
            .iter()
            .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        worst = worst.max(n);
    }
    assert!(worst <= 6, "{worst} requests to the host within one second");
    let _ = queue.delete_namespace().await;
    let _ = store.delete_namespace().await;
}
