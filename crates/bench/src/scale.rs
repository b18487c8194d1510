//! The scale benchmark: one round over a simulated province on the pool, at full size and at
//! a tenth of it, so the growth of each cost is visible.
//!
//! Per size it prints the wall time of the round (from `round start` to the store saying it
//! is complete), jobs per second, Redis bytes per job — the most seen while the round ran
//! (sampled every few seconds) and once it is complete and packed (`MEMORY USAGE` of every
//! key of the pool's namespace, exactly) — RabbitMQ's peak memory (the broker's RSS from
//! `rabbitmqctl status`, sampled; the broker is shared, so other users' queues count too),
//! and the peak RSS of the collector and of `spotcheck report` (from `wait4`).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spotcheck_core::Namespace;
use spotcheck_core::ports::Store;
use spotcheck_store::RedisStore;

use crate::pool::Pool;
use crate::province::{self, Shape};
use crate::{Args, Failure, proc};

/// How often the store's memory and the broker's are sampled while a round runs.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// How long the collector may take to pack a completed round before the bench gives up.
const PACK_LIMIT: Duration = Duration::from_secs(600);

/// One size's figures.
struct Figures {
    shape: Shape,
    jobs: u64,
    wall: Duration,
    during_per_job: u64,
    after_per_job: u64,
    rabbit_peak: Option<u64>,
    collector_kib: Option<u64>,
    report_kib: u64,
    report_wall: Duration,
}

pub fn bench(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    spotcheck: &Path,
    work: &Path,
) -> Result<bool, Failure> {
    let full = Shape {
        sites: args.sites,
        hosts: args.scale_hosts,
        links_per_site: args.links_per_site,
        broken_percent: args.broken_percent,
    };
    let mut rows = Vec::new();
    for shape in [full.divided(10), full] {
        rows.push(run(rt, args, spotcheck, work, shape)?);
    }
    print(&rows);
    Ok(true)
}

/// Only serves the full-size province and writes its registry and plan into `work`, until
/// interrupted: for a round run by hand or by a script (the soak). With `minutes`, the plan's
/// per-address rate makes a round take at least that long.
pub fn serve(rt: &tokio::runtime::Runtime, args: &Args, work: &Path) -> Result<bool, Failure> {
    let shape = Shape {
        sites: args.sites,
        hosts: args.scale_hosts,
        links_per_site: args.links_per_site,
        broken_percent: args.broken_percent,
    };
    let rate = args.round_minutes.map(|m| shape.rate_for(m * 60));
    let province = rt.block_on(province::start(shape))?;
    std::fs::write(work.join("registry.toml"), province.registry())?;
    std::fs::write(
        work.join("plan.toml"),
        province::plan(rate.as_deref(), args.concurrency),
    )?;
    println!(
        "province: {} sites on {} hosts, {} links a homepage ({} link checks, {} requests to the busiest host at {})",
        shape.sites,
        province.hosts.len(),
        shape.links_per_site,
        shape.links(),
        shape.requests_per_host(),
        rate.as_deref().unwrap_or("no limit")
    );
    println!(
        "registry and plan in {}; serving until interrupted",
        work.display()
    );
    rt.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    Ok(true)
}

fn run(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    spotcheck: &Path,
    work: &Path,
    shape: Shape,
) -> Result<Figures, Failure> {
    let dir = work.join(format!("scale-{}", shape.sites));
    std::fs::create_dir_all(&dir)?;
    let province = rt.block_on(province::start(shape))?;
    std::fs::write(dir.join("registry.toml"), province.registry())?;
    std::fs::write(
        dir.join("plan.toml"),
        province::plan(None, args.concurrency),
    )?;
    println!(
        "province: {} sites on {} hosts, {} links a homepage ({} link checks)",
        shape.sites,
        province.hosts.len(),
        shape.links_per_site,
        shape.links()
    );
    let pool = Pool::start(args, spotcheck, &dir)?;
    let measured = measure(rt, args, &pool, &dir);
    let reaped = pool.stop();
    let collector_kib = reaped
        .iter()
        .find(|(name, _)| *name == "collector")
        .and_then(|(_, r)| r.map(|r| r.max_rss_kib));
    let figures = measured.and_then(|(jobs, wall, during, after, rabbit, id)| {
        eprintln!("writing the report of {id} ...");
        let out = dir.join("report");
        let mut report = pool.command(&["report", &id, "--format", "json", "--out"]);
        report.arg(&out);
        let (r, report_wall, _) = proc::run_measured(&mut report, &dir.join("report.log"))?;
        if r.code != Some(0) {
            return Err(format!("report failed; see {}", dir.join("report.log").display()).into());
        }
        Ok(Figures {
            shape,
            jobs,
            wall,
            during_per_job: during,
            after_per_job: after,
            rabbit_peak: rabbit,
            collector_kib,
            report_kib: r.max_rss_kib,
            report_wall,
        })
    });
    pool.delete(rt);
    figures
}

type Measured = (u64, Duration, u64, u64, Option<u64>, String);

/// Runs the round: its jobs, wall time, Redis bytes per job during and after, RabbitMQ's
/// peak, and its id.
fn measure(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    pool: &Pool,
    dir: &Path,
) -> Result<Measured, Failure> {
    let store = rt.block_on(RedisStore::connect(&args.redis, &pool.ns))?;
    let mut raw =
        rt.block_on(redis::Client::open(args.redis.as_str())?.get_multiplexed_async_connection())?;
    let stop = Arc::new(AtomicBool::new(false));
    let rabbit_peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak) = (stop.clone(), rabbit_peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(rss) = rabbit_rss() {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
        })
    };
    eprintln!("running the province's round on the pool ...");
    let start = Instant::now();
    let round = pool.start_round(dir)?;
    let mut during = 0;
    let mut sampled = Instant::now();
    let progress = loop {
        let p = rt.block_on(store.progress(&round))?;
        if p.complete {
            break p;
        }
        if sampled.elapsed() >= SAMPLE_EVERY && p.total > 0 {
            sampled = Instant::now();
            let bytes = rt.block_on(namespace_bytes(&mut raw, &pool.ns))?;
            during = during.max(bytes / p.total);
            eprintln!(
                "  {} of {} jobs done, {} B a job in Redis",
                p.done,
                p.total,
                bytes / p.total
            );
        }
        if start.elapsed() > Duration::from_secs(7200) {
            return Err(format!("round {round} not complete after two hours").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let wall = start.elapsed();
    let packed_by = Instant::now();
    let state = format!("{}:round:{}:state", pool.ns, round);
    loop {
        let packed: Option<String> = rt.block_on(
            redis::cmd("HGET")
                .arg(&state)
                .arg("packed")
                .query_async(&mut raw),
        )?;
        if packed.as_deref() == Some("1") {
            break;
        }
        if packed_by.elapsed() > PACK_LIMIT {
            return Err(format!("the collector did not pack {round} within {PACK_LIMIT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!(
        "packed {:.1} s after completion",
        packed_by.elapsed().as_secs_f64()
    );
    let after = rt.block_on(namespace_bytes(&mut raw, &pool.ns))? / progress.total.max(1);
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let rabbit = Some(rabbit_peak.load(Ordering::Relaxed)).filter(|b| *b > 0);
    Ok((progress.total, wall, during, after, rabbit, round.0))
}

/// Bytes Redis holds for every key of the namespace (`MEMORY USAGE … SAMPLES 0`: exact).
async fn namespace_bytes(
    c: &mut redis::aio::MultiplexedConnection,
    ns: &Namespace,
) -> redis::RedisResult<u64> {
    let mut total = 0;
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(1000)
            .query_async(c)
            .await?;
        if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for k in &keys {
                pipe.cmd("MEMORY").arg("USAGE").arg(k).arg("SAMPLES").arg(0);
            }
            let sizes: Vec<Option<u64>> = pipe.query_async(c).await?;
            total += sizes.into_iter().flatten().sum::<u64>();
        }
        cursor = next;
        if cursor == 0 {
            return Ok(total);
        }
    }
}

/// The broker's resident memory, from `rabbitmqctl status`; none when it cannot be asked.
fn rabbit_rss() -> Option<u64> {
    let out = Command::new("rabbitmqctl")
        .args(["status", "--formatter", "json"])
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["memory"]["total"]["rss"].as_u64()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn print(rows: &[Figures]) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!("Scale benchmark, {cores} cores:");
    println!(
        "| sites / hosts | jobs | wall (s) | jobs/s | Redis B/job during | Redis B/job after | RabbitMQ peak (MiB) | collector peak RSS (MiB) | report peak RSS (MiB) | report wall (s) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for f in rows {
        println!(
            "| {} / {} | {} | {:.1} | {:.0} | {} | {} | {} | {} | {:.1} | {:.1} |",
            f.shape.sites,
            f.shape.hosts,
            f.jobs,
            f.wall.as_secs_f64(),
            f.jobs as f64 / f.wall.as_secs_f64().max(1e-9),
            f.during_per_job,
            f.after_per_job,
            f.rabbit_peak
                .map_or("?".into(), |b| format!("{:.0}", mib(b))),
            f.collector_kib
                .map_or("?".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            f.report_kib as f64 / 1024.0,
            f.report_wall.as_secs_f64(),
        );
    }
    if let [small, big] = rows {
        let per_job = |f: &Figures| f.wall.as_secs_f64() / f.jobs.max(1) as f64;
        println!(
            "full size vs a tenth: {:.2}× wall time per job, {:.2}× Redis bytes per job once complete",
            per_job(big) / per_job(small).max(1e-12),
            big.after_per_job as f64 / small.after_per_job.max(1) as f64
        );
    }
}
