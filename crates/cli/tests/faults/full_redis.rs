//! A Redis that refuses writes (`maxmemory` with `noeviction`, filled mid-round): the
//! collector holds the results it could not write — unacknowledged, never returned to the
//! queue, where the delivery limit would dead-letter them — says so in its log and in
//! `/healthz`, and writes them when memory frees; nothing is lost and nothing counted twice.
//! The Redis is the test's own, on another loopback port: the shared one is never filled.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use spotcheck_core::ports::Lane;

use crate::support::{City, LIMIT, Pool, Role};

/// A redis-server of this test's own, with a memory limit and no eviction.
struct OwnRedis {
    child: Child,
    url: String,
}

/// Sizes of filler values, largest first: Redis refuses a command whose own arguments would
/// take it over the limit, so smaller values fill the space the larger ones leave.
/// The smallest are written again a few times, a moment apart: Redis frees the buffers of
/// the commands it refused, which would let a small write in.
const FILLERS: [usize; 8] = [1 << 20, 1 << 16, 1 << 12, 1 << 8, 16, 16, 16, 16];

impl OwnRedis {
    fn start(maxmemory_mb: u32) -> OwnRedis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--maxmemory", &format!("{maxmemory_mb}mb")])
            .args(["--maxmemory-policy", "noeviction"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is needed for this test; run ./tests/run");
        let redis = OwnRedis {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while redis.connection().is_err() {
            assert!(
                start.elapsed() < LIMIT,
                "redis-server on {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        let mut c = redis::Client::open(self.url.as_str())?.get_connection()?;
        redis::cmd("PING").query::<String>(&mut c)?;
        Ok(c)
    }

    /// Writes filler values until Redis refuses even a small one for memory; returns how many
    /// it took.
    fn fill(&self) -> usize {
        let mut c = self.connection().unwrap();
        let mut n = 0;
        for size in FILLERS {
            let value = vec![b'x'; size];
            loop {
                match redis::cmd("SET")
                    .arg(format!("filler:{n}"))
                    .arg(&value)
                    .query::<()>(&mut c)
                {
                    Ok(()) => n += 1,
                    Err(e) if e.to_string().contains("OOM") => {
                        std::thread::sleep(Duration::from_millis(100));
                        break;
                    }
                    Err(e) => panic!("filling Redis: {e}"),
                }
            }
        }
        n
    }

    fn free(&self, n: usize) {
        let mut c = self.connection().unwrap();
        for i in 0..n {
            redis::cmd("DEL")
                .arg(format!("filler:{i}"))
                .query::<i64>(&mut c)
                .unwrap();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_redis_holds_results_until_memory_frees() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let redis = OwnRedis::start(64);
    let pool = Pool::on_redis("fullredis", &redis.url).await;
    let collector = pool.spawn(&city, "collector", &["collector"], "info", true);
    collector.wait_ready(LIMIT);
    let id = pool.start_round(&city);
    // Full once the round is under way, before its first result: every one meets it.
    let fillers = redis.fill();
    let _workers: Vec<Role> = (0..2)
        .map(|i| pool.spawn(&city, &format!("worker{i}"), &["worker"], "warn", false))
        .collect();

    let line = collector.wait_log(
        "cannot write a result; holding it unacknowledged until it goes in",
        LIMIT,
    );
    assert!(line["error"].as_str().unwrap().contains("OOM"), "{line}");
    let health = collector.wait_health(503, LIMIT);
    let store = health["store"].as_str().unwrap();
    assert!(store.contains("held") && store.contains("OOM"), "{health}");
    // Longer than five returns to the queue took before it was dead-lettered: nothing is.
    // (The store cannot even be asked for progress now: its reads run in transactions.)
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(pool.queue.depth(Lane::Dead).await.unwrap(), 0);
    assert_eq!(
        crate::lines_starting(&[&collector], "round complete"),
        0,
        "the round completed on a full Redis"
    );

    redis.free(fillers);
    let p = pool.assert_completes_as(&city, &id, &reference).await;
    assert_eq!(p.dead, 0, "{p:?}");
    collector.wait_log("held result written", LIMIT);
    collector.wait_health(200, LIMIT);
    let start = Instant::now();
    loop {
        let written = collector
            .scrape()
            .sum("spotcheck_collector_results_written_total", &[]);
        if written == p.total as f64 {
            break;
        }
        assert!(
            written < p.total as f64 && start.elapsed() < LIMIT,
            "{written} results written for {} jobs",
            p.total
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pool.finish().await;
}
