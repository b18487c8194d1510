//! The one-process mode: scheduler, worker, collector and report on the in-process queue
//! and store — a small city needs nothing more. `demo` and `sim` bring the simulated city.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::Round;
use spotcheck_core::{Plan, Registry};
use spotcheck_report::Report;
use spotcheck_sim::{Scenario, Sim};
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::{EnvSecrets, MapSecrets, Secrets};
use spotcheck_worker::{MemoryGates, Worker, WorkerConfig};
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

/// Runs a round to completion in this process and computes its report.
pub async fn run_round(round: Round, opts: Options) -> Result<Report, CliError> {
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
    let results = s
        .results(&round.id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    Ok(spotcheck_report::compute(&round, &results))
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
pub async fn round_on_sim(sim: &Sim) -> Result<Report, CliError> {
    let (registry, plan) = sim_inputs(sim)?;
    let (from, to) = sim.window();
    let input = spotcheck_scheduler::RoundInput {
        registry,
        plan,
        window: spotcheck_core::Window { from, to },
        as_of: sim.as_of(),
        allow_private: true,
        salt: format!("{:?}", std::time::SystemTime::now()),
    };
    let round = spotcheck_scheduler::build_round(input).map_err(CliError::failed)?;
    let secrets: HashMap<String, String> = sim.secrets().into_iter().collect();
    let mut opts = Options::new(64);
    opts.secrets = Arc::new(MapSecrets(secrets));
    run_round(round, opts).await
}

pub async fn demo(args: DemoArgs) -> Result<(), CliError> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let sim = Sim::start(scenario, "127.0.0.1:0".parse().expect("constant address"))
        .await
        .map_err(|e| CliError::failed(format!("cannot start the simulated city: {e}")))?;
    let report = round_on_sim(&sim).await?;
    let out = args.out.unwrap_or_else(default_out);
    output::write_reports(&out, &report)?;
    println!("{}", spotcheck_report::notice::markdown(&report));
    eprintln!("reports written to {}", out.display());
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
