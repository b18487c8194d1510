//! The one-process mode: scheduler, worker, collector and report on the in-process queue
//! and store — a small city needs nothing more. `demo` and `sim` bring the simulated city.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::Round;
use spotcheck_core::{Plan, Registry};
use spotcheck_politeness::MemoryGates;
use spotcheck_report::Report;
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::{EnvSecrets, MapSecrets, Secrets};
use spotcheck_worker::{Worker, WorkerConfig};
use tokio::sync::{Notify, watch};

use crate::cli::{CliError, DemoArgs, SimArgs};
use crate::output;

pub struct Options {
    pub concurrency: u16,
    pub secrets: Arc<dyn Secrets>,
    pub progress: bool,
}

impl Options {
    pub fn new(concurrency: u16) -> Options {
        Options {
            concurrency,
            secrets: Arc::new(EnvSecrets),
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }
}

/// A round run to completion, with every result: enough to report on it or re-check it.
pub struct Finished {
    pub round: Round,
    pub results: Vec<JobResult>,
}

impl Finished {
    /// The report: a spot round's own, or a re-check's on top of its parent (the report
    /// crate decides which).
    pub fn report(&self, parent: Option<&Finished>) -> Report {
        spotcheck_report::report_of(self.evidence(), parent.map(Finished::evidence))
    }

    fn evidence(&self) -> spotcheck_report::Finished<'_> {
        spotcheck_report::Finished {
            round: &self.round,
            results: &self.results,
        }
    }

    /// Keeps the round and its results next to its reports, so it can be re-checked later
    /// (`run --recheck-of DIR`).
    pub fn save(&self, dir: &Path) -> Result<(), CliError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
        write_json(&dir.join(ROUND_FILE), &self.round)?;
        write_json(&dir.join(RESULTS_FILE), &self.results)
    }

    /// A round saved by [`Finished::save`].
    pub fn load(dir: &Path) -> Result<Finished, CliError> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| {
                CliError::input(format!(
                    "{} is not a finished round's folder ({name}: {e})",
                    dir.display()
                ))
            })
        };
        let round = serde_json::from_str(&read(ROUND_FILE)?)
            .map_err(|e| CliError::input(format!("{}: {e}", dir.join(ROUND_FILE).display())))?;
        let results = serde_json::from_str(&read(RESULTS_FILE)?)
            .map_err(|e| CliError::input(format!("{}: {e}", dir.join(RESULTS_FILE).display())))?;
        Ok(Finished { round, results })
    }
}

/// Writes `value` as JSON, streamed to the file: a large round's results are never all in
/// one string.
fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), CliError> {
    let failed = |e: &dyn std::fmt::Display| {
        CliError::failed(format!("cannot write {}: {e}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(|e| failed(&e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut out, value).map_err(|e| failed(&e))?;
    std::io::Write::flush(&mut out).map_err(|e| failed(&e))
}

const ROUND_FILE: &str = "round.json";
const RESULTS_FILE: &str = "results.json";

/// Runs a round to completion in this process.
pub async fn execute(round: Round, opts: Options) -> Result<Finished, CliError> {
    let queue = MemoryQueue::new(5);
    let store = Arc::new(MemoryStore::new());
    let q: Arc<dyn Queue> = Arc::new(queue.clone());
    let s: Arc<dyn Store> = store.clone();
    let (stop_tx, stop_rx) = watch::channel(false);
    let complete = Arc::new(Notify::new());
    let signal = complete.clone();
    let collector = Collector::new(s.clone(), q.clone(), Arc::new(move |_| signal.notify_one()));
    let collector = tokio::spawn(collector.run(stop_rx.clone()));
    let worker = Worker::new(
        q.clone(),
        s.clone(),
        Arc::new(MemoryGates::default()),
        opts.secrets.clone(),
        WorkerConfig {
            prefetch: opts.concurrency.max(1),
            grace: Duration::from_secs(5),
            panic_on: None,
        },
    );
    let worker = tokio::spawn(worker.run(stop_rx));

    spotcheck_scheduler::start_round(s.as_ref(), q.as_ref(), &round)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;

    let bar = opts.progress.then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} jobs ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("round {}", round.id));
        bar
    });
    let done = complete.notified();
    tokio::pin!(done);
    loop {
        if let Ok(p) = s.progress(&round.id).await {
            if let Some(bar) = &bar {
                bar.set_length(p.total);
                bar.set_position(p.done);
            }
            if p.complete {
                break;
            }
        }
        tokio::select! {
            _ = &mut done => {}
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let _ = stop_tx.send(true);
    queue.close();
    for task in [collector, worker] {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("role ended with an error: {e}"),
            Err(e) => tracing::warn!("role task failed: {e}"),
        }
    }
    let results = store.take_results(&round.id);
    Ok(Finished { round, results })
}

/// A re-check of a finished round, as of `as_of`: only its targets with problems.
pub fn recheck_of(parent: &Finished, as_of: chrono::NaiveDate) -> Round {
    let scope = spotcheck_report::recheck_scope(&parent.report(None));
    let salt = format!("{:016x}", fastrand::u64(..));
    spotcheck_scheduler::recheck_round(&parent.round, scope, as_of, &salt)
}

fn load_scenario(path: Option<&Path>) -> Result<Scenario, CliError> {
    match path {
        Some(p) => Scenario::load(p).map_err(|e| CliError::input(format!("{}: {e}", p.display()))),
        None => Ok(Scenario::seed()),
    }
}

/// The registry and plan of a running simulator, parsed like an operator's files.
fn sim_inputs(sim: &Sim) -> Result<(Registry, Plan), CliError> {
    let registry = Registry::parse(&sim.registry_toml(), Path::new("simulated-registry.toml"))
        .map_err(|e| CliError::failed(format!("the simulator's registry is invalid: {e}")))?;
    let plan = Plan::parse(&sim.plan_toml(), Path::new("simulated-plan.toml"))
        .map_err(|e| CliError::failed(format!("the simulator's plan is invalid: {e}")))?;
    Ok((registry, plan))
}

/// Runs a round on a running simulator, as an operator would with its registry and plan.
pub async fn round_on_sim(sim: &Sim) -> Result<Finished, CliError> {
    let (registry, plan) = sim_inputs(sim)?;
    let (from, to) = sim.window();
    let input = spotcheck_scheduler::RoundInput {
        registry,
        plan,
        window: spotcheck_core::Window { from, to },
        as_of: sim.as_of(),
        allow_private: true,
        salt: format!("{:016x}", fastrand::u64(..)),
    };
    let round = spotcheck_scheduler::build_round(input).map_err(CliError::failed)?;
    execute(round, sim_options(sim)).await
}

/// Runs on a simulator with its WeChat secrets handed over in memory.
fn sim_options(sim: &Sim) -> Options {
    let secrets: HashMap<String, String> = sim.secrets().into_iter().collect();
    let mut opts = Options::new(64);
    opts.secrets = Arc::new(MapSecrets(secrets));
    opts
}

/// The demo's two rounds: the spot round, then — after the simulated units fix what they
/// fix — the re-check.
pub async fn spot_and_recheck_on_sim(sim: &Sim) -> Result<(Finished, Finished), CliError> {
    let spot = round_on_sim(sim).await?;
    sim.rectify();
    let recheck = execute(recheck_of(&spot, sim.as_of()), sim_options(sim)).await?;
    Ok((spot, recheck))
}

pub async fn demo(args: DemoArgs) -> Result<(), CliError> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let sim = Sim::start(scenario, "127.0.0.1:0".parse().expect("constant address"))
        .await
        .map_err(|e| CliError::failed(format!("cannot start the simulated city: {e}")))?;
    let (spot, recheck) = spot_and_recheck_on_sim(&sim).await?;
    let out = args.out.unwrap_or_else(default_out);
    let spot_report = spot.report(None);
    let recheck_report = recheck.report(Some(&spot));
    for (name, finished, report) in [
        ("spot", &spot, &spot_report),
        ("recheck", &recheck, &recheck_report),
    ] {
        let dir = out.join(name);
        output::write_reports(&dir, report, &args.format.formats)?;
        finished.save(&dir)?;
    }
    println!("{}", spotcheck_report::render::to_markdown(&spot_report));
    println!("{}", spotcheck_report::render::to_markdown(&recheck_report));
    eprintln!(
        "reports written to {}/spot and {}/recheck",
        out.display(),
        out.display()
    );
    Ok(())
}

fn default_out() -> PathBuf {
    PathBuf::from(format!(
        "spotcheck-demo-{}",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    ))
}

pub async fn sim(args: SimArgs) -> Result<(), CliError> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let sim = Sim::start(scenario, args.listen).await.map_err(|e| {
        CliError::failed(format!(
            "cannot start the simulated city on {}: {e}",
            args.listen
        ))
    })?;
    if let Some(dir) = &args.write {
        std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(dir.join("registry.toml"), sim.registry_toml()))
            .and_then(|_| std::fs::write(dir.join("plan.toml"), sim.plan_toml()))
            .map_err(|e| CliError::failed(format!("cannot write into {}: {e}", dir.display())))?;
        eprintln!("registry.toml and plan.toml written to {}", dir.display());
    }
    println!("{}", sim.registry_toml());
    let (from, to) = sim.window();
    eprintln!(
        "simulated city on {} — try: spotcheck run --registry registry.toml --plan plan.toml --window {from}..{to} --as-of {} --out out/ (secrets: {})",
        sim.addr(),
        sim.as_of(),
        sim.secrets()
            .iter()
            .map(|(k, _)| k.as_str())
            .take(3)
            .collect::<Vec<_>>()
            .join(", ")
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::failed(format!("cannot wait for Ctrl-C: {e}")))?;
    Ok(())
}
