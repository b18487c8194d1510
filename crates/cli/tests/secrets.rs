//! WeChat secrets stay secret through a whole round on the pool: no log line (at TRACE), no
//! queue message or Redis value, and no report file contains a secret or an access token.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::ports::Store;
use spotcheck_core::round::RoundId;
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::RedisStore;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_token_leaves_the_worker() {
    let amqp = env_or(
        "SPOTCHECK_AMQP_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f",
    );
    let redis_url = env_or("SPOTCHECK_REDIS_URL", "redis://127.0.0.1:6379");
    let ns = format!("t-secrets-{}", std::process::id());
    let store = RedisStore::connect(&redis_url, &ns)
        .await
        .unwrap_or_else(|e| panic!("Redis at {redis_url} is needed ({e}); run ./tests/run"));
    let queue = AmqpQueue::connect(&amqp, &ns, AmqpOptions::default())
        .await
        .unwrap_or_else(|e| panic!("RabbitMQ at {amqp} is needed ({e}); run ./tests/run"));

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
    let secrets = sim.secrets();
    assert!(!secrets.is_empty());

    let command = |role: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
        c.args(role)
            .env("SPOTCHECK_NAMESPACE", &ns)
            .env("SPOTCHECK_AMQP_URL", &amqp)
            .env("SPOTCHECK_REDIS_URL", &redis_url)
            .env("SPOTCHECK_LOG", "trace")
            .env("SPOTCHECK_METRICS_LISTEN", "127.0.0.1:0");
        for (k, v) in &secrets {
            c.env(k, v);
        }
        c
    };
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let mut roles = Vec::new();
    for (i, role) in ["collector", "worker", "worker"].iter().enumerate() {
        let log = std::fs::File::create(logs.join(format!("{role}-{i}.log"))).unwrap();
        roles.push(
            command(&[role])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
    }
    let (from, to) = sim.window();
    let out = command(&["round", "start", "--allow-private"])
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
    while !store.progress(&id).await.unwrap().complete {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "round did not complete"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let report_dir = dir.path().join("report");
    let status = command(&["report", &id.0, "--out"])
        .arg(&report_dir)
        .status()
        .unwrap();
    assert!(status.success());
    for mut r in roles {
        let _ = r.kill();
        let _ = r.wait();
    }

    // Tokens the fake API handed out during the round.
    let tokens: Vec<String> = sim
        .wechat_calls()
        .iter()
        .filter_map(|c| c.token.clone())
        .collect();
    assert!(!tokens.is_empty(), "the round read menus through the API");
    let needles: Vec<&str> = secrets
        .iter()
        .map(|(_, s)| s.as_str())
        .chain(tokens.iter().map(String::as_str))
        .collect();

    let mut haystacks: Vec<(String, String)> = Vec::new();
    for dir in [&logs, &report_dir] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            haystacks.push((
                p.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    let log_bytes: usize = haystacks
        .iter()
        .filter(|(p, _)| p.ends_with(".log"))
        .map(|(_, t)| t.len())
        .sum();
    assert!(
        log_bytes > 10_000,
        "TRACE logs were written ({log_bytes} bytes)"
    );
    // Every Redis value of the namespace: the round record, every result (and so every job
    // and result message as it travelled).
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = conn.keys(format!("{ns}:*")).await.unwrap();
    assert!(!keys.is_empty());
    for k in keys {
        let kind: String = redis::cmd("TYPE")
            .arg(&k)
            .query_async(&mut conn)
            .await
            .unwrap();
        let value = match kind.as_str() {
            "string" => conn.get::<_, String>(&k).await.unwrap(),
            "hash" => format!(
                "{:?}",
                conn.hgetall::<_, Vec<(String, String)>>(&k).await.unwrap()
            ),
            "set" => format!("{:?}", conn.smembers::<_, Vec<String>>(&k).await.unwrap()),
            "zset" => format!(
                "{:?}",
                conn.zrange::<_, Vec<String>>(&k, 0, -1).await.unwrap()
            ),
            "list" => format!(
                "{:?}",
                conn.lrange::<_, Vec<String>>(&k, 0, -1).await.unwrap()
            ),
            _ => String::new(),
        };
        haystacks.push((format!("redis {k}"), value));
    }
    for (place, text) in &haystacks {
        for n in &needles {
            assert!(!text.contains(n), "a secret or token appears in {place}");
        }
    }
    let _ = queue.delete_namespace().await;
    let _ = store.delete_namespace().await;
}
