//! The one-process mode: scheduler, worker, collector and report on the in-process queue
//! and store — a small city needs nothing more. With the `sim` feature it also runs rounds on
//! the simulated city, as `demo` and the tests do.

mod city;

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::Round;
use spotcheck_politeness::MemoryGates;
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::{EnvSecrets, Secrets};
use spotcheck_worker::{Worker, WorkerConfig};
use tokio::sync::{Notify, watch};

pub use city::{round_on_sim, spot_and_recheck_on_sim};

use crate::error::CliError;
use crate::finished::Finished;

/// How a round runs in this process: jobs in flight at once, where WeChat secrets come from,
/// and whether a progress bar is drawn (only on a terminal).
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
    Ok(Finished {
        round,
        evidence: spotcheck_report::Evidence::whole(results),
    })
}
