//! The report benchmark: the peak memory of `spotcheck report` on a completed round of many
//! jobs, without fetching a single URL.
//!
//! For each size it writes, through the real Redis store, the round a pool would have
//! collected from a province of sites each linking `--links-per-site` articles
//! (`--broken-percent` of them broken): a homepage result per site listing its links, a link
//! check per link; the round is sealed, completes and is packed as the collector packs it.
//! Then `spotcheck report` runs on it (JSON only, as in the scale benchmark) and its peak RSS
//! is read from `wait4`. Sizes of 10⁵ and 10⁶ jobs show how the report grows per job.

use std::path::Path;
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use spotcheck_core::job::{Job, JobId, Task};
use spotcheck_core::outcome::{JobResult, Outcome, PageOutcome, Verdict};
use spotcheck_core::ports::Store;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Namespace, Plan, Registry};
use spotcheck_store::RedisStore;

use crate::{Args, Failure, proc};

/// Results written per call: as a collector writes a page's link checks.
const WRITE_BATCH: usize = 500;

/// One size's figures.
struct Figures {
    jobs: usize,
    sites: usize,
    write_s: f64,
    report_kib: u64,
    report_s: f64,
    findings: usize,
}

pub fn bench(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    spotcheck: &Path,
    work: &Path,
) -> Result<bool, Failure> {
    let mut rows = Vec::new();
    for &jobs in &args.report_jobs {
        rows.push(run(rt, args, spotcheck, work, jobs)?);
    }
    print(&rows);
    Ok(true)
}

fn run(
    rt: &tokio::runtime::Runtime,
    args: &Args,
    spotcheck: &Path,
    work: &Path,
    jobs: usize,
) -> Result<Figures, Failure> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let ns: Namespace = format!("bench-report-{}-{stamp}", std::process::id()).parse()?;
    let store = rt.block_on(RedisStore::connect(&args.redis, &ns))?;
    let per_site = args.links_per_site.max(1);
    // Each site is its homepage and its links.
    let sites = jobs.div_ceil(per_site + 1).max(1);
    let round = synthetic_round(sites)?;
    eprintln!(
        "writing a completed round of {sites} sites × {per_site} links into Redis (namespace {ns}) ..."
    );
    let started = Instant::now();
    let written = rt.block_on(write(&store, &round, per_site, args.broken_percent));
    let write_s = started.elapsed().as_secs_f64();
    let figures = written.and_then(|jobs| {
        eprintln!("written {jobs} jobs in {write_s:.1} s; running spotcheck report ...");
        let out = work.join(format!("report-{jobs}"));
        let mut cmd = Command::new(spotcheck);
        cmd.args(["report", &round.id.0, "--format", "json", "--out"])
            .arg(&out)
            .env("SPOTCHECK_NAMESPACE", ns.as_str())
            .env("SPOTCHECK_REDIS_URL", &args.redis)
            .env("SPOTCHECK_AMQP_URL", &args.amqp)
            .env("SPOTCHECK_LOG", "warn");
        let log = work.join(format!("report-{jobs}.log"));
        let (r, wall, _) = proc::run_measured(&mut cmd, &log)?;
        if r.code != Some(0) {
            return Err(format!("report failed; see {}", log.display()).into());
        }
        eprintln!(
            "report of {jobs} jobs: peak RSS {:.1} MiB, {:.1} s",
            r.max_rss_kib as f64 / 1024.0,
            wall.as_secs_f64()
        );
        Ok(Figures {
            jobs,
            sites,
            write_s,
            report_kib: r.max_rss_kib,
            report_s: wall.as_secs_f64(),
            findings: findings_in(&out)?,
        })
    });
    rt.block_on(store.delete_namespace())?;
    figures
}

/// A spot round over `sites` websites, one unit each.
fn synthetic_round(sites: usize) -> Result<Round, Failure> {
    let mut text =
        String::from("[meta]\nregion = \"基准省\"\nname = \"spotcheck report benchmark\"\n");
    for s in 0..sites {
        text.push_str(&format!(
            "\n[[units]]\nid = \"u{s}\"\nname = \"基准单位{s}\"\n\n[[websites]]\nid = \"w{s}\"\nunit = \"u{s}\"\nname = \"基准网站{s}\"\nurl = \"{}\"\n",
            homepage(s)
        ));
    }
    let registry = Registry::parse(&text, Path::new("registry.toml"))?;
    let as_of = "2021-01-05".parse()?;
    Ok(Round {
        id: RoundId::new(as_of, "report-bench"),
        kind: RoundKind::Spot,
        parent: None,
        window: "2020-10-01..2020-12-31".parse()?,
        as_of,
        registry,
        plan: Plan::default(),
        allow_private: false,
        menus: Default::default(),
        dictionaries: Vec::new(),
        scope: None,
    })
}

fn homepage(s: usize) -> String {
    format!("http://www.s{s:05}.bench.gov.cn/")
}

/// Writes every site's homepage result and link checks, seals and packs the round; its jobs.
async fn write(
    store: &RedisStore,
    round: &Round,
    per_site: usize,
    broken_percent: usize,
) -> Result<usize, Failure> {
    store.create_round(round).await?;
    let mut pending: Vec<JobResult> = Vec::with_capacity(WRITE_BATCH);
    let mut jobs = 0;
    for (s, site) in round.registry.websites.iter().enumerate() {
        let home = homepage(s);
        let links: Vec<url::Url> = (0..per_site)
            .map(|n| format!("{home}a/{n}.html").parse())
            .collect::<Result<_, _>>()?;
        let page = Job::new(
            &round.id,
            Task::Page {
                site: site.id.clone(),
                url: home.parse()?,
                depth: 0,
            },
        );
        for (n, url) in links.iter().enumerate() {
            let verdict = if n % 100 < broken_percent {
                Verdict::broken(Some(404), "HTTP 404")
            } else {
                Verdict::ok(200)
            };
            let job = Job::new(&round.id, Task::Link { url: url.clone() });
            pending.push(JobResult::new(job, Outcome::Link(verdict)));
        }
        pending.push(JobResult::new(
            page,
            Outcome::Page(PageOutcome {
                verdict: Verdict::ok(200),
                links,
                newest: None,
            }),
        ));
        if pending.len() >= WRITE_BATCH {
            jobs += flush(store, &round.id, &mut pending).await?;
        }
    }
    jobs += flush(store, &round.id, &mut pending).await?;
    store.seal(&round.id).await?;
    if !store.progress(&round.id).await?.complete {
        return Err("the synthetic round did not complete".into());
    }
    // As the collector packs a round it completes (`false` when a retried call found it
    // packed by the first).
    store.pack(&round.id).await?;
    Ok(jobs)
}

/// Adds the results' jobs to the round and records them; how many.
async fn flush(
    store: &RedisStore,
    round: &RoundId,
    pending: &mut Vec<JobResult>,
) -> Result<usize, Failure> {
    let ids: Vec<JobId> = pending.iter().map(|r| r.job.id.clone()).collect();
    store.add_jobs(round, &ids).await?;
    for chunk in pending.chunks(WRITE_BATCH) {
        store.record_batch(chunk).await?;
    }
    let n = pending.len();
    pending.clear();
    Ok(n)
}

/// Findings in a report.json.
fn findings_in(dir: &Path) -> Result<usize, Failure> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    Ok(v["findings"].as_array().map_or(0, Vec::len))
}

fn print(rows: &[Figures]) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!("Report benchmark, {cores} cores:");
    println!(
        "| jobs | sites | written in (s) | findings | report peak RSS (MiB) | RSS per job (B) | report wall (s) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for f in rows {
        println!(
            "| {} | {} | {:.1} | {} | {:.1} | {:.0} | {:.1} |",
            f.jobs,
            f.sites,
            f.write_s,
            f.findings,
            f.report_kib as f64 / 1024.0,
            f.report_kib as f64 * 1024.0 / f.jobs.max(1) as f64,
            f.report_s,
        );
    }
}
