//! The pool for a benchmark run: a collector and N workers (`spotcheck collector`,
//! `spotcheck worker`) on a namespace of their own, started and ready before the clock starts,
//! as a deployed pool is; and the bench's pool row, one round on it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::Namespace;
use spotcheck_core::ports::Store;
use spotcheck_core::round::RoundId;
use spotcheck_store::RedisStore;

use crate::proc::{self, Reaped, Role};
use crate::services;
use crate::{Args, Failure, Row, broken_in_report, round_args};

/// The pool's processes and where they keep their state.
pub struct Pool {
    pub ns: Namespace,
    pub workers: usize,
    roles: Vec<Role>,
    spotcheck: PathBuf,
    amqp: String,
    redis: String,
}

impl Pool {
    /// Starts the collector and the workers, each logging into `work`, and waits until every
    /// one says it is ready.
    pub fn start(args: &Args, spotcheck: &Path, work: &Path) -> Result<Pool, Failure> {
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
        let ns: Namespace = format!("bench-{}-{stamp}", std::process::id()).parse()?;
        let workers = args.workers.max(1);
        let prefetch = (usize::from(args.concurrency)).div_ceil(workers).max(1);
        // The workers share this machine's cores, as several workers on one machine should.
        let threads = args.worker_threads.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            cores / workers
        });
        let threads = threads.max(1).to_string();
        let mut pool = Pool {
            ns,
            workers,
            roles: Vec::new(),
            spotcheck: spotcheck.to_path_buf(),
            amqp: args.amqp.clone(),
            redis: args.redis.clone(),
        };
        eprintln!(
            "starting the pool: {workers} workers (prefetch {prefetch}, {threads} runtime threads each) and a collector, namespace {} ...",
            pool.ns
        );
        let collector = Role::spawn(
            "collector",
            &mut pool.command(&["collector"]),
            &work.join("collector.log"),
            "collector ready",
        )?;
        pool.roles.push(collector);
        for i in 0..workers {
            let p = prefetch.to_string();
            let worker = Role::spawn(
                &format!("worker {i}"),
                &mut pool.command(&["worker", "--prefetch", &p, "--threads", &threads]),
                &work.join(format!("worker-{i}.log")),
                "worker ready",
            )?;
            pool.roles.push(worker);
        }
        for r in &pool.roles {
            if let Err(e) = r.wait_ready(Duration::from_secs(60)) {
                pool.stop();
                return Err(format!("{e}; see the logs in {}", work.display()).into());
            }
        }
        Ok(pool)
    }

    /// A `spotcheck` command on the pool's broker, store and namespace.
    pub fn command(&self, role: &[&str]) -> Command {
        let mut c = Command::new(&self.spotcheck);
        c.args(role)
            .env("SPOTCHECK_NAMESPACE", self.ns.as_str())
            .env("SPOTCHECK_AMQP_URL", &self.amqp)
            .env("SPOTCHECK_REDIS_URL", &self.redis)
            .env("SPOTCHECK_LOG", "warn,spotcheck::pool=info");
        c
    }

    /// Starts the round of `work`'s registry and plan; its id.
    pub fn start_round(&self, work: &Path) -> Result<RoundId, Failure> {
        let args = round_args(work);
        let out = self.command(&["round", "start"]).args(&args).output()?;
        if !out.status.success() {
            return Err(format!(
                "round start failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(RoundId(String::from_utf8(out.stdout)?.trim().to_string()))
    }

    /// Stops every role (SIGTERM) and reaps it: each one's name and how it ended.
    pub fn stop(&self) -> Vec<(&str, Option<Reaped>)> {
        for r in &self.roles {
            proc::terminate(&r.child);
        }
        self.roles
            .iter()
            .map(|r| match proc::reap(&r.child) {
                Ok(reaped) => (r.name.as_str(), Some(reaped)),
                Err(e) => {
                    eprintln!("{}: {e}", r.name);
                    (r.name.as_str(), None)
                }
            })
            .collect()
    }

    /// Deletes the pool's keys and queues.
    pub fn delete(&self, rt: &tokio::runtime::Runtime) {
        rt.block_on(async {
            if let Ok(s) = RedisStore::connect(&self.redis, &self.ns).await {
                let _ = s.delete_namespace().await;
            }
            if let Ok(q) = AmqpQueue::connect(&self.amqp, &self.ns, AmqpOptions::default()).await {
                let _ = q.delete_namespace().await;
                q.close().await;
            }
        });
    }
}

/// One round on a fresh pool: the bench's pool row.
pub fn pool(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    spotcheck: &Path,
    work: &Path,
) -> Result<Row, Failure> {
    let pool = Pool::start(args, spotcheck, work)?;
    let result = measure_pool(rt, &args.redis, &pool, work);
    // Stop the pool whatever happened, and read each process's peak memory as it is reaped.
    let mut rss = 0;
    let mut cpu_total = Duration::ZERO;
    let mut by_role = Vec::new();
    for (name, reaped) in pool.stop() {
        if let Some(r) = reaped {
            rss += r.max_rss_kib;
            cpu_total += r.cpu;
            by_role.push(format!(
                "{name} {:.2} s, {:.1} MiB",
                r.cpu.as_secs_f64(),
                r.max_rss_kib as f64 / 1024.0
            ));
        }
    }
    eprintln!("pool CPU and peak RSS by role: {}", by_role.join("; "));
    // The report is read from the store before the namespace goes.
    let broken = match &result {
        Ok(m) => {
            let out = work.join("pool");
            match pool
                .command(&["report", &m.round.0, "--format", "json", "--out"])
                .arg(&out)
                .output()
            {
                Ok(o) if o.status.success() => Some(broken_in_report(&out)?),
                Ok(o) => {
                    eprintln!(
                        "spotcheck report failed: {}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                    None
                }
                Err(e) => {
                    eprintln!("spotcheck report: {e}");
                    None
                }
            }
        }
        Err(_) => None,
    };
    pool.delete(rt);
    let m = result?;
    Ok(Row {
        name: format!("spotcheck pool ({} workers + collector)", pool.workers),
        wall: m.wall,
        cpu: cpu_total,
        rss_kib: rss,
        broken,
        requests: 0,
        started: m.started,
        phases: None,
        services_cpu: m.services_cpu,
    })
}

/// A round measured on the pool.
struct Measured {
    round: RoundId,
    wall: Duration,
    /// When the clock started (just before `round start`).
    started: Instant,
    /// What Redis and RabbitMQ spent meanwhile.
    services_cpu: Option<Duration>,
}

/// Starts the round on the ready pool and waits until the store says it is complete. The
/// store is read directly, every 10 ms, rather than through `round status` processes whose
/// start-up would cost the pool's machine CPU and the measurement up to their period.
fn measure_pool(
    rt: &tokio::runtime::Runtime,
    redis: &str,
    pool: &Pool,
    work: &Path,
) -> Result<Measured, Failure> {
    let store = rt.block_on(RedisStore::connect(redis, &pool.ns))?;
    eprintln!("running a round on the pool ...");
    let services = services::cpu();
    let start = Instant::now();
    let round = pool.start_round(work)?;
    let limit = Duration::from_secs(1800);
    loop {
        if rt.block_on(store.progress(&round))?.complete {
            let wall = start.elapsed();
            return Ok(Measured {
                round,
                wall,
                started: start,
                services_cpu: services::cpu()
                    .zip(services)
                    .map(|(after, before)| after.saturating_sub(before)),
            });
        }
        if start.elapsed() > limit {
            return Err(format!("round {round} not complete after {limit:?}").into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
