//! WeChat secrets stay secret through a whole round on the pool: no log line (at TRACE), no
//! queue message or Redis value, and no report file contains a secret or an access token.

mod support;

use redis::AsyncCommands;
use support::{City, Pool, ROUND_LIMIT, redis_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_token_leaves_the_worker() {
    let city = City::start().await;
    let secrets = city.sim.secrets();
    assert!(!secrets.is_empty());
    let pool = Pool::new("secrets").await;
    let roles: Vec<_> = ["collector", "worker", "worker"]
        .iter()
        .map(|r| pool.spawn(&city, r, &[r], "trace", false))
        .collect();
    let id = pool.start_round(&city);
    pool.wait_for(&id, ROUND_LIMIT, "completion", |p| p.complete)
        .await;
    pool.report(&city, &id);
    let report_dir = city.dir.path().join(format!("pool-{}", id.0));

    // Tokens the fake API handed out during the round.
    let tokens: Vec<String> = city
        .sim
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
    for r in &roles {
        haystacks.push((format!("the {} log", r.name), r.log_text()));
    }
    let log_bytes: usize = haystacks.iter().map(|(_, t)| t.len()).sum();
    assert!(
        log_bytes > 10_000,
        "TRACE logs were written ({log_bytes} bytes)"
    );
    for e in std::fs::read_dir(&report_dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        haystacks.push((
            p.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    // Every Redis value of the namespace: the round record and every result (and so every
    // job and result message as it travelled).
    let client = redis::Client::open(redis_url().as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = conn.keys(format!("{}:*", pool.ns)).await.unwrap();
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
            // A completed round's results are packed: deflated blocks, read inflated.
            "list" => conn
                .lrange::<_, Vec<Vec<u8>>>(&k, 0, -1)
                .await
                .unwrap()
                .iter()
                .map(|item| inflated(item))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        };
        haystacks.push((format!("redis {k}"), value));
    }
    for (place, text) in &haystacks {
        for n in &needles {
            assert!(!text.contains(n), "a secret or token appears in {place}");
        }
    }
    pool.finish().await;
}

/// A list item as text: inflated when it is a deflated block, else as it is.
fn inflated(item: &[u8]) -> String {
    use std::io::Write;
    let mut dec = flate2::write::DeflateDecoder::new(Vec::new());
    match dec.write_all(item).and_then(|()| dec.finish()) {
        Ok(text) => String::from_utf8_lossy(&text).into_owned(),
        Err(_) => String::from_utf8_lossy(item).into_owned(),
    }
}
