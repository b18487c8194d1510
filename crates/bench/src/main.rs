//! `spotcheck-bench`: links per second and peak memory of spotcheck — one process
//! (`spotcheck run`) and a pool (`spotcheck worker` ×N + `spotcheck collector` on RabbitMQ and
//! Redis) — and of lychee when it is on PATH, on the same local workload, in one invocation.
//!
//! The workload is one page with 10,000 links over 10 loopback hosts, 10 % of them broken
//! (see [`workload`]). Every tool starts from that page and checks every link on it. Wall
//! time runs from the start of the run (the `spotcheck run` or `lychee` process; the pool's
//! `round start`) to its end (process exit; the store saying the round is complete); the
//! pool's processes are started and ready before the clock starts, as a deployed pool is.
//! Peak memory and CPU time are each process's own from `wait4` (summed over the pool's
//! processes, whose CPU time includes their start-up). Each tool runs `--runs` times (3 by
//! default), in turns, and the ratios compare medians: on a shared machine a single run of
//! any tool can be a fifth slower than the next.
//!
//! ```sh
//! cargo build --release -p spotcheck -p spotcheck-bench
//! target/release/spotcheck-bench            # add --lychee PATH if lychee is not on PATH
//! ```

mod pool;
mod proc;
mod province;
mod scale;
mod services;
mod stored;
mod timeline;
mod workload;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::Parser;
use timeline::Phases;

/// Links per second and peak memory of spotcheck (embedded and pool) and lychee, on a local
/// workload of one page with many links over loopback hosts.
#[derive(Parser, Debug)]
#[command(name = "spotcheck-bench")]
struct Args {
    /// The spotcheck binary [default: `spotcheck` next to this binary, i.e. the same
    /// target/release folder].
    #[arg(long)]
    spotcheck: Option<PathBuf>,
    /// The lychee binary [default: `lychee` on PATH; lychee is skipped when there is none].
    #[arg(long)]
    lychee: Option<PathBuf>,
    /// Links on the page.
    #[arg(long, default_value_t = 10_000)]
    links: usize,
    /// Loopback hosts the links are spread over (127.0.0.1 ..= 127.0.0.N).
    #[arg(long, default_value_t = 10)]
    hosts: usize,
    /// Share of the links that answer 404, in percent.
    #[arg(long, default_value_t = 10)]
    broken_percent: usize,
    /// Requests in flight: `spotcheck run --concurrency`, the pool's total prefetch (split over
    /// its workers), and lychee's `--max-concurrency`.
    #[arg(long, default_value_t = 128)]
    concurrency: u16,
    /// Requests in flight to one host: the plan's `per_host_concurrency` and lychee's
    /// `--host-concurrency`, so both tools keep the same limit per host (lychee's own default
    /// is 10; at 128 neither holds requests back for their host).
    #[arg(long, default_value_t = 128)]
    host_concurrency: u16,
    /// Worker processes in the pool.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Runtime threads of each pool worker (`spotcheck worker --threads`) [default: the
    /// machine's cores shared out over the workers, at least one each].
    #[arg(long)]
    worker_threads: Option<usize>,
    /// Runs of each tool, taken in turns (embedded, pool, lychee, embedded, …); the ratios
    /// compare their medians, so one run slowed by the machine does not decide them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    runs: u16,
    /// What to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = ["embedded".to_string(), "pool".to_string(), "lychee".to_string()])]
    only: Vec<String>,
    #[arg(
        long,
        env = "SPOTCHECK_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    amqp: String,
    #[arg(
        long,
        env = "SPOTCHECK_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    redis: String,
    /// Keep the registry, plan, reports and logs in this folder (default: a temporary one,
    /// removed at the end).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Only serve the workload (and write the registry and plan into --work) until
    /// interrupted: for profiling a run by hand. With --scale, the province at full size.
    #[arg(long)]
    serve: bool,
    /// Run the scale benchmark instead: a simulated province (`--sites` sites on `--scale-hosts`
    /// loopback hosts, `--links-per-site` links on each homepage) on the pool, and the same at
    /// a tenth of its size; prints wall time, jobs/s, Redis bytes per job during the round and
    /// once it is complete, RabbitMQ's peak memory, and the collector's and `report`'s peak RSS.
    #[arg(long)]
    scale: bool,
    /// Run the report benchmark instead, at each of these sizes (comma-separated job counts,
    /// e.g. `100000,1000000`): a completed round of that many jobs written straight into Redis
    /// (`--links-per-site` link checks a site, `--broken-percent` broken), then the peak RSS of
    /// `spotcheck report` on it. Nothing is fetched.
    #[arg(long, value_delimiter = ',')]
    report_jobs: Vec<usize>,
    #[arg(long, default_value_t = 2_000)]
    sites: usize,
    #[arg(long, default_value_t = 200)]
    scale_hosts: usize,
    #[arg(long, default_value_t = 100)]
    links_per_site: usize,
    /// With --scale --serve: a per-address rate in the plan that makes a round over the
    /// province take at least this many minutes (the soak's long round) [default: no limit].
    #[arg(long)]
    round_minutes: Option<u64>,
    /// Exit 1 when a target is missed (embedded ≥ 2.0× lychee's links/s at ≤ ½ its peak
    /// memory and ≤ 0.5 CPU seconds per 10,000 links; the pool ≥ 1.5× lychee's links/s).
    #[arg(long)]
    check: bool,
}

/// One measured run.
struct Row {
    name: String,
    wall: Duration,
    /// CPU time of the run's processes (for the pool: its roles from start-up to exit).
    cpu: Duration,
    rss_kib: u64,
    broken: Option<usize>,
    requests: u64,
    /// When the wall clock started.
    started: Instant,
    /// When the workload served the page and the links, from `started`.
    phases: Option<Phases>,
    /// CPU time Redis and RabbitMQ spent during the run (the pool's).
    services_cpu: Option<Duration>,
}

impl Row {
    fn links_per_s(&self, links: usize) -> f64 {
        links as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// CPU seconds per 10,000 links: what a run costs whatever else shares the machine, so it
/// reads the same on an idle machine and a busy one, unlike links/s.
fn cpu_per_10k(cpu: Duration, links: usize) -> f64 {
    cpu.as_secs_f64() * 10_000.0 / links.max(1) as f64
}

/// The targets `--check` holds the runs to, as ratios to lychee's medians.
const EMBEDDED_SPEED: f64 = 2.0;
const EMBEDDED_MEMORY: f64 = 0.5;
const EMBEDDED_CPU_PER_10K: f64 = 0.5;
const POOL_SPEED: f64 = 1.5;

/// One tool's runs, taken together.
struct Summary {
    runs: usize,
    /// The median wall time (of an even number of runs, the upper one of the middle two).
    wall: Duration,
    /// The median peak memory.
    rss_kib: u64,
    /// The median CPU time.
    cpu: Duration,
}

impl Summary {
    fn of<'a>(rows: impl Iterator<Item = &'a Row>) -> Option<Summary> {
        let rows: Vec<&Row> = rows.collect();
        let mut walls: Vec<Duration> = rows.iter().map(|r| r.wall).collect();
        let mut rss: Vec<u64> = rows.iter().map(|r| r.rss_kib).collect();
        let mut cpus: Vec<Duration> = rows.iter().map(|r| r.cpu).collect();
        walls.sort();
        rss.sort();
        cpus.sort();
        Some(Summary {
            runs: rows.len(),
            wall: *walls.get(walls.len() / 2)?,
            rss_kib: *rss.get(rss.len() / 2)?,
            cpu: *cpus.get(cpus.len() / 2)?,
        })
    }
}

type Failure = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args = Args::parse();
    match bench(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("spotcheck-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn bench(args: &Args) -> Result<bool, Failure> {
    let spotcheck = match &args.spotcheck {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .map(|d| d.join("spotcheck"))
            .ok_or("cannot tell where this binary is; pass --spotcheck")?,
    };
    let wants = |what: &str| args.only.iter().any(|o| o == what);
    if (wants("embedded") || wants("pool")) && !spotcheck.is_file() {
        return Err(format!(
            "no spotcheck binary at {}: build it (cargo build --release -p spotcheck) or pass --spotcheck",
            spotcheck.display()
        )
        .into());
    }
    let lychee = args.lychee.clone().or_else(|| on_path("lychee"));

    let temp;
    let work = match &args.work {
        Some(w) => {
            std::fs::create_dir_all(w)?;
            w.clone()
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };

    let rt = tokio::runtime::Runtime::new()?;
    if args.scale && args.serve {
        return scale::serve(&rt, args, &work);
    }
    if args.scale {
        return scale::bench(&rt, args, &spotcheck, &work);
    }
    if !args.report_jobs.is_empty() {
        return stored::bench(&rt, args, &spotcheck, &work);
    }
    let load = rt.block_on(workload::start(args.links, args.hosts, args.broken_percent))?;
    write_inputs(&work, &load.page_url, args.host_concurrency)?;
    println!(
        "workload: {} links over {} hosts ({} .. {}), {} broken; page {}",
        load.links,
        load.hosts.len(),
        load.hosts[0],
        load.hosts[load.hosts.len() - 1],
        load.broken,
        load.page_url
    );

    if args.serve {
        println!(
            "registry and plan in {}; serving until interrupted",
            work.display()
        );
        rt.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        return Ok(true);
    }

    if wants("lychee") && lychee.is_none() {
        println!("lychee: not on PATH (pass --lychee PATH); skipped");
    }
    let mut rows: Vec<Row> = Vec::new();
    for run in 1..=args.runs {
        eprintln!("run {run} of {}", args.runs);
        let mut measure = |run: &dyn Fn() -> Result<Row, Failure>| -> Result<(), Failure> {
            let before = load.served();
            load.timeline.reset();
            let row = run()?;
            rows.push(Row {
                requests: load.served() - before,
                phases: Some(load.timeline.since(row.started)),
                ..row
            });
            Ok(())
        };
        if wants("embedded") {
            measure(&|| embedded(&spotcheck, &work, args.concurrency))?;
        }
        if wants("pool") {
            measure(&|| pool::pool(&rt, args, &spotcheck, &work))?;
        }
        if let (true, Some(l)) = (wants("lychee"), &lychee) {
            measure(&|| run_lychee(l, &work, &load.page_url, args))?;
        }
    }
    Ok(print(&rows, load.links, load.broken, args.check))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The registry and plan of the round: one site whose homepage is the workload page, its
/// links checked once each, politeness far above what the workload needs.
fn write_inputs(work: &Path, page: &str, host_concurrency: u16) -> std::io::Result<()> {
    std::fs::write(
        work.join("registry.toml"),
        format!(
            r#"[meta]
region = "基准市"
name = "spotcheck benchmark"

[network]
allow_private = true

[[units]]
id = "bench"
name = "基准单位"

[[websites]]
id = "bench"
unit = "bench"
name = "基准网站"
url = "{page}"
"#
        ),
    )?;
    std::fs::write(
        work.join("plan.toml"),
        format!(
            r#"[availability]
probes = 1

[links]
depth = 0
external = true

[politeness]
per_host_rate = "1000000/s"
per_host_concurrency = {host_concurrency}
"#
        ),
    )
}

fn round_args(work: &Path) -> Vec<String> {
    vec![
        "--registry".into(),
        work.join("registry.toml").display().to_string(),
        "--plan".into(),
        work.join("plan.toml").display().to_string(),
        "--window".into(),
        "2020-10-01..2020-12-31".into(),
        "--as-of".into(),
        "2021-01-05".into(),
        "--allow-private".into(),
    ]
}

fn embedded(spotcheck: &Path, work: &Path, concurrency: u16) -> Result<Row, Failure> {
    let out = work.join("embedded");
    let mut cmd = Command::new(spotcheck);
    cmd.arg("run")
        .args(round_args(work))
        .arg("--out")
        .arg(&out)
        .arg("--concurrency")
        .arg(concurrency.to_string())
        // The report as JSON only, as lychee's: the notice's Word and Excel files are not
        // link checking.
        .args(["--format", "json"])
        .env("SPOTCHECK_LOG", "warn");
    eprintln!("running spotcheck run ...");
    let started = Instant::now();
    let (reaped, wall, _) = proc::run_measured(&mut cmd, &work.join("embedded.log"))?;
    if reaped.code != Some(0) {
        return Err(format!(
            "spotcheck run failed ({:?}); see {}",
            reaped.code,
            work.join("embedded.log").display()
        )
        .into());
    }
    Ok(Row {
        name: "spotcheck run (embedded)".into(),
        wall,
        cpu: reaped.cpu,
        rss_kib: reaped.max_rss_kib,
        broken: Some(broken_in_report(&out)?),
        requests: 0,
        started,
        phases: None,
        services_cpu: None,
    })
}

/// Findings of broken links in a report.json.
fn broken_in_report(dir: &Path) -> Result<usize, Failure> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    Ok(v["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|x| x["indicator"] == "links.broken" && x["severity"] != "notice")
                .count()
        })
        .unwrap_or(0))
}

/// lychee's arguments: the same requests in flight, in all and per host, as spotcheck's
/// (`write_inputs`), and no pause between a host's requests (spotcheck's plan has none).
fn lychee_args(args: &Args, page: &str) -> Vec<String> {
    [
        "--max-concurrency",
        &args.concurrency.to_string(),
        "--host-concurrency",
        &args.host_concurrency.to_string(),
        "--host-request-interval",
        "0ms",
        "--no-progress",
        "--format",
        "json",
        page,
    ]
    .map(str::to_string)
    .to_vec()
}

fn run_lychee(lychee: &Path, work: &Path, page: &str, args: &Args) -> Result<Row, Failure> {
    let version = Command::new(lychee)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "lychee".into());
    let mut cmd = Command::new(lychee);
    cmd.args(lychee_args(args, page)).current_dir(work);
    eprintln!("running {version} ...");
    let started = Instant::now();
    let (reaped, wall, out) = proc::run_measured(&mut cmd, &work.join("lychee.log"))?;
    // lychee exits 2 when it found broken links, as it should here.
    if !matches!(reaped.code, Some(0 | 2)) {
        return Err(format!(
            "lychee failed ({:?}); see {}",
            reaped.code,
            work.join("lychee.log").display()
        )
        .into());
    }
    let broken = serde_json::from_str::<serde_json::Value>(&out)
        .ok()
        .and_then(|v| v["errors"].as_u64())
        .map(|n| n as usize);
    Ok(Row {
        name: version,
        wall,
        cpu: reaped.cpu,
        rss_kib: reaped.max_rss_kib,
        broken,
        requests: 0,
        started,
        phases: None,
        services_cpu: None,
    })
}

/// Prints where each run's wall time went: when the page and the first and last links were
/// served, from the start of its clock, the longest gap between two links served, and when it
/// was done; and, for the pool, what Redis and RabbitMQ spent meanwhile.
fn print_phases(rows: &[Row]) {
    let ms = |d: Option<Duration>| d.map_or("–".to_string(), |d| d.as_millis().to_string());
    println!();
    println!(
        "| run | page served (ms) | first link (ms) | last link (ms) | longest gap (ms) | done (ms) | Redis + RabbitMQ CPU (s) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        let Some(p) = r.phases else { continue };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            ms(p.page),
            ms(p.first_link),
            ms(p.last_link),
            ms(p.gap),
            ms(Some(r.wall)),
            r.services_cpu
                .map_or("–".to_string(), |c| format!("{:.2}", c.as_secs_f64()))
        );
    }
}

/// Prints the table and the ratios; false when `check` and a target was missed.
fn print(rows: &[Row], links: usize, broken: usize, check: bool) -> bool {
    println!();
    println!(
        "| run | wall (s) | links/s | CPU (s) | CPU s / 10k links | peak RSS (MiB) | broken found (of {broken}) | requests served |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        println!(
            "| {} | {:.2} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} |",
            r.name,
            r.wall.as_secs_f64(),
            r.links_per_s(links),
            r.cpu.as_secs_f64(),
            cpu_per_10k(r.cpu, links),
            r.rss_kib as f64 / 1024.0,
            r.broken.map_or("?".to_string(), |b| b.to_string()),
            r.requests
        );
    }
    print_phases(rows);
    let find = |p: &str| Summary::of(rows.iter().filter(|r| r.name.starts_with(p)));
    let mut met = true;
    let missed = |ok: bool| if ok { "" } else { "  — MISSED" };
    println!();
    for (label, prefix) in [
        ("embedded", "spotcheck run"),
        ("pool", "spotcheck pool"),
        ("lychee", "lychee"),
    ] {
        let Some(t) = find(prefix) else { continue };
        let cpu = cpu_per_10k(t.cpu, links);
        if label == "embedded" {
            let ok = cpu <= EMBEDDED_CPU_PER_10K;
            met &= ok;
            println!(
                "{label}: {cpu:.2} CPU s per 10,000 links, median of {} (target ≤ {EMBEDDED_CPU_PER_10K}){}",
                t.runs,
                missed(ok)
            );
        } else {
            println!(
                "{label}: {cpu:.2} CPU s per 10,000 links, median of {}",
                t.runs
            );
        }
    }
    if let Some(l) = find("lychee") {
        println!();
        if l.runs > 1 {
            println!(
                "Ratios of each tool's medians over {} runs (wall time and peak memory).",
                l.runs
            );
        }
        if let Some(e) = find("spotcheck run") {
            let speed = l.wall.as_secs_f64() / e.wall.as_secs_f64().max(1e-9);
            let memory = e.rss_kib as f64 / l.rss_kib.max(1) as f64;
            let ok = speed >= EMBEDDED_SPEED && memory <= EMBEDDED_MEMORY;
            met &= ok;
            println!(
                "embedded vs lychee: {speed:.2}× links/s (target ≥ {EMBEDDED_SPEED:.1}×), {memory:.2}× peak memory (target ≤ {EMBEDDED_MEMORY}×){}",
                missed(ok)
            );
        }
        if let Some(p) = find("spotcheck pool") {
            let speed = l.wall.as_secs_f64() / p.wall.as_secs_f64().max(1e-9);
            let memory = p.rss_kib as f64 / l.rss_kib.max(1) as f64;
            let ok = speed >= POOL_SPEED;
            met &= ok;
            println!(
                "pool vs lychee: {speed:.2}× links/s (target ≥ {POOL_SPEED:.1}×), {memory:.2}× peak memory (all pool processes){}",
                missed(ok)
            );
        }
    }
    met || !check
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both tools keep the same limit per host: the plan spotcheck runs and lychee's flags.
    #[test]
    fn both_tools_get_the_same_limit_per_host() {
        let args = Args::parse_from(["spotcheck-bench", "--host-concurrency", "7"]);
        let dir = tempfile::tempdir().unwrap();
        write_inputs(dir.path(), "http://127.0.0.1:1/", args.host_concurrency).unwrap();
        let path = dir.path().join("plan.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let plan = spotcheck_core::plan::Plan::parse(&text, &path).unwrap();
        assert_eq!(plan.politeness.per_host_concurrency, 7);
        let flags = lychee_args(&args, "http://127.0.0.1:1/");
        let at = flags
            .iter()
            .position(|f| f == "--host-concurrency")
            .unwrap();
        assert_eq!(flags[at + 1], "7");
        let at = flags.iter().position(|f| f == "--max-concurrency").unwrap();
        assert_eq!(flags[at + 1], args.concurrency.to_string());
    }
}
