//! The distributed roles: a round started into RabbitMQ and Redis, workers and a collector
//! as separate processes, status and reports read from Redis.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_collector::Collector;
use spotcheck_core::ports::{Progress, Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_politeness::RedisGates;
use spotcheck_store::RedisStore;
use spotcheck_worker::secrets::EnvSecrets;
use spotcheck_worker::{Worker, WorkerConfig};
use tokio::sync::watch;

use crate::cli::{CliError, RoundArgs};
use crate::embedded::Finished;
use crate::ops::{self, MeteredGates, OpsArgs, PoolProbe, Role};
use crate::output;

/// Where the pool's broker and store are.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// RabbitMQ URL.
    #[arg(
        long,
        env = "SPOTCHECK_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    pub amqp: String,
    /// Redis URL.
    #[arg(
        long,
        env = "SPOTCHECK_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis: String,
    /// Prefix of every queue and key: deployments (and test runs) sharing a broker and a
    /// store never collide.
    #[arg(long, env = "SPOTCHECK_NAMESPACE", default_value = "spotcheck")]
    pub namespace: String,
    /// Deliveries of a job before it is dead-lettered.
    #[arg(long, env = "SPOTCHECK_DELIVERY_LIMIT", default_value_t = 5)]
    pub delivery_limit: u32,
}

impl Connection {
    pub async fn queue(&self) -> Result<Arc<AmqpQueue>, CliError> {
        let opts = AmqpOptions {
            delivery_limit: self.delivery_limit,
            ..AmqpOptions::default()
        };
        AmqpQueue::connect(&self.amqp, &self.namespace, opts)
            .await
            .map(Arc::new)
            .map_err(|e| {
                CliError::failed(format!(
                    "cannot reach RabbitMQ at {} ({e}); is it running? set --amqp or SPOTCHECK_AMQP_URL",
                    redact(&self.amqp)
                ))
            })
    }

    pub async fn store(&self) -> Result<Arc<RedisStore>, CliError> {
        RedisStore::connect(&self.redis, &self.namespace)
            .await
            .map(Arc::new)
            .map_err(|e| {
                CliError::failed(format!(
                    "cannot reach Redis at {} ({e}); is it running? set --redis or SPOTCHECK_REDIS_URL",
                    redact(&self.redis)
                ))
            })
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Turns true on SIGTERM or Ctrl-C.
pub fn stop_on_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stop requested: finishing in-flight work");
        let _ = tx.send(true);
    });
    rx
}

pub async fn start(conn: &Connection, args: &RoundArgs) -> Result<(), CliError> {
    let input = crate::cli::round_input(args)?;
    let round = spotcheck_scheduler::build_round(input).map_err(CliError::input)?;
    let store = conn.store().await?;
    let queue = conn.queue().await?;
    let jobs = spotcheck_scheduler::start_round(store.as_ref(), queue.as_ref(), &round)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    eprintln!("round {} started with {jobs} jobs", round.id);
    println!("{}", round.id);
    Ok(())
}

fn round_id(id: &str) -> Result<RoundId, CliError> {
    if RoundId::is_valid(id) {
        Ok(RoundId(id.to_string()))
    } else {
        Err(CliError::input(format!("`{id}` is not a round id")))
    }
}

pub async fn status(conn: &Connection, id: &str, json: bool, watch: bool) -> Result<(), CliError> {
    let id = round_id(id)?;
    let store = conn.store().await?;
    if store
        .round(&id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?
        .is_none()
    {
        return Err(CliError::input(format!(
            "no round {id} in the store (namespace {})",
            conn.namespace
        )));
    }
    let read = || async {
        store
            .progress(&id)
            .await
            .map_err(|e| CliError::failed(e.to_string()))
    };
    let show_bar = !json && std::io::stderr().is_terminal();
    if show_bar && watch {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} jobs ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("round {id}"));
        loop {
            let p = read().await?;
            bar.set_length(p.total);
            bar.set_position(p.done);
            if p.complete {
                bar.finish();
                print_status(&id, &p, false);
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let p = read().await?;
    print_status(&id, &p, json);
    Ok(())
}

fn print_status(id: &RoundId, p: &Progress, json: bool) {
    if json {
        let v = serde_json::json!({
            "round": id.0,
            "jobs": { "total": p.total, "done": p.done, "dead_lettered": p.dead, "pending": p.total.saturating_sub(p.done) },
            "sealed": p.sealed,
            "complete": p.complete,
        });
        println!("{v}");
    } else {
        let state = if p.complete {
            "complete"
        } else if p.sealed {
            "running"
        } else {
            "starting"
        };
        println!(
            "round {id}: {state}; {} of {} jobs done, {} dead-lettered",
            p.done, p.total, p.dead
        );
    }
}

pub async fn worker(
    conn: &Connection,
    ops: &OpsArgs,
    prefetch: u16,
    grace: Duration,
    panic_on: Option<String>,
) -> Result<(), CliError> {
    let store = conn.store().await?;
    let queue = conn.queue().await?;
    let stop = stop_on_signal();
    let probe = PoolProbe {
        queue: queue.clone(),
        store: store.clone(),
    };
    ops::serve(ops, Role::Worker, probe, stop.clone()).await?;
    // Per-host limits in Redis, on the worker's own connection: the plan's politeness holds
    // for the whole pool, however many workers run. Measured for /metrics on the way.
    let gates = Arc::new(MeteredGates::new(Arc::new(RedisGates::new(&store))));
    let worker = Worker::new(
        queue.clone(),
        store,
        gates,
        Arc::new(EnvSecrets),
        WorkerConfig {
            prefetch,
            grace,
            panic_on,
        },
    );
    tracing::info!(namespace = %conn.namespace, prefetch, grace_secs = grace.as_secs(), "worker ready");
    let result = worker.run(stop).await;
    queue.close().await;
    result.map_err(|e| CliError::failed(format!("worker stopped: {e}")))
}

pub async fn collector(conn: &Connection, ops: &OpsArgs) -> Result<(), CliError> {
    let redis = conn.store().await?;
    let amqp = conn.queue().await?;
    let stop = stop_on_signal();
    let probe = PoolProbe {
        queue: amqp.clone(),
        store: redis.clone(),
    };
    ops::serve(ops, Role::Collector, probe, stop.clone()).await?;
    let store: Arc<dyn Store> = redis;
    let queue: Arc<dyn Queue> = amqp.clone();
    let collector = Collector::new(
        store,
        queue,
        Arc::new(|id: &RoundId| eprintln!("round {id} complete")),
    );
    tracing::info!(namespace = %conn.namespace, "collector ready");
    let result = collector.run(stop).await;
    amqp.close().await;
    result.map_err(|e| CliError::failed(format!("collector stopped: {e}")))
}

/// A round and its results from the store.
async fn finished(
    conn: &Connection,
    store: &RedisStore,
    id: &RoundId,
) -> Result<Finished, CliError> {
    let round = store
        .round(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?
        .ok_or_else(|| {
            CliError::input(format!(
                "no round {id} in the store (namespace {})",
                conn.namespace
            ))
        })?;
    let results = store
        .results(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    Ok(Finished { round, results })
}

/// Starts the re-check of a finished round: only its targets with problems.
pub async fn recheck(conn: &Connection, id: &str, as_of: Option<&str>) -> Result<(), CliError> {
    let id = round_id(id)?;
    let store = conn.store().await?;
    let parent = finished(conn, &store, &id).await?;
    let progress = store
        .progress(&id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    if !progress.complete {
        return Err(CliError::input(format!(
            "round {id} is not complete ({} of {} jobs done); re-check it when it is",
            progress.done, progress.total
        )));
    }
    let as_of = match as_of {
        Some(d) => spotcheck_core::window::parse_date(d)
            .map_err(|e| CliError::input(format!("--as-of: {e}")))?,
        None => chrono::Local::now().date_naive(),
    };
    let round = crate::embedded::recheck_of(&parent, as_of);
    let queue = conn.queue().await?;
    let jobs = spotcheck_scheduler::start_round(store.as_ref(), queue.as_ref(), &round)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    eprintln!(
        "re-check {} of round {id} started with {jobs} jobs",
        round.id
    );
    println!("{}", round.id);
    Ok(())
}

pub async fn report(
    conn: &Connection,
    id: &str,
    out: &Path,
    formats: &[output::Format],
) -> Result<(), CliError> {
    let id = round_id(id)?;
    let store = conn.store().await?;
    let round = finished(conn, &store, &id).await?;
    let progress = store
        .progress(&id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    if !progress.complete {
        eprintln!(
            "warning: round {id} is not complete ({} of {} jobs done); the report covers what is done",
            progress.done, progress.total
        );
    }
    let parent = match &round.round.parent {
        Some(p) => Some(finished(conn, &store, p).await?),
        None => None,
    };
    let report = round.report(parent.as_ref());
    output::write_reports(out, &report, formats)?;
    eprintln!("reports written to {}", out.display());
    Ok(())
}
