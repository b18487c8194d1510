//! `spotcheck round start | recheck | status | prune`: rounds on the pool, started into
//! RabbitMQ and Redis, followed in the store, and removed from it when old.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use spotcheck_core::Period;
use spotcheck_core::ports::Progress;
use spotcheck_core::round::{Round, RoundId};
use spotcheck_notify::{Delivery, Ledger, RedisLedger};
use spotcheck_store::RedisStore;

use crate::args::{Connection, RoundArgs};
use crate::commands::inputs;
use crate::error::CliError;
use crate::pool;

pub async fn start(conn: &Connection, args: &RoundArgs) -> Result<(), CliError> {
    let input = inputs::round_input(args)?;
    let round = spotcheck_scheduler::build_round(input).map_err(CliError::input)?;
    let store = conn.store().await?;
    let jobs = publish(conn, &store, &round).await?;
    eprintln!("round {} started with {jobs} jobs", round.id);
    println!("{}", round.id);
    Ok(())
}

/// Starts the re-check of a finished round: only its targets with problems.
pub async fn recheck(conn: &Connection, id: &str, as_of: Option<&str>) -> Result<(), CliError> {
    let id = inputs::round_id(id)?;
    let store = conn.store().await?;
    let parent = pool::finished(&store, &conn.namespace, &id).await?;
    let progress = pool::progress_of(&store, &id).await?;
    spotcheck_scheduler::ensure_complete(&id, &progress)
        .map_err(|e| CliError::input(e.to_string()))?;
    let round = parent.recheck(inputs::as_of(as_of)?);
    let jobs = publish(conn, &store, &round).await?;
    eprintln!(
        "re-check {} of round {id} started with {jobs} jobs",
        round.id
    );
    println!("{}", round.id);
    Ok(())
}

/// Stores the round and publishes its jobs; how many.
async fn publish(conn: &Connection, store: &RedisStore, round: &Round) -> Result<usize, CliError> {
    let queue = conn.queue().await?;
    spotcheck_scheduler::start_round(store, queue.as_ref(), round)
        .await
        .map_err(|e| CliError::failed(e.to_string()))
}

pub async fn status(conn: &Connection, id: &str, json: bool, watch: bool) -> Result<(), CliError> {
    let id = inputs::round_id(id)?;
    let store = conn.store().await?;
    let first = pool::progress(&store, &conn.namespace, &id).await?;
    let show_bar = !json && std::io::stderr().is_terminal();
    if show_bar && watch {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} jobs ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("round {id}"));
        let mut p = first;
        loop {
            bar.set_length(p.total);
            bar.set_position(p.done);
            if p.complete {
                bar.finish();
                print_status(&id, &p, &notices(&store, &id).await?, false);
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            p = pool::progress_of(&store, &id).await?;
        }
    }
    print_status(&id, &first, &notices(&store, &id).await?, json);
    Ok(())
}

/// What became of the round's notifications (none before it completes, or without
/// `[notify]`).
async fn notices(store: &RedisStore, id: &RoundId) -> Result<Vec<Delivery>, CliError> {
    RedisLedger::new(store)
        .deliveries(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))
}

/// Removes the old rounds, keeping those a kept re-check refers to.
pub async fn prune(conn: &Connection, older_than: Period) -> Result<(), CliError> {
    let store = conn.store().await?;
    let pruned = store
        .prune(older_than.0)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    for id in &pruned.removed {
        println!("removed {id}");
    }
    for id in &pruned.kept_for_rechecks {
        println!("kept {id}: a later re-check refers to it");
    }
    eprintln!(
        "{} rounds removed, {} kept for their re-checks",
        pruned.removed.len(),
        pruned.kept_for_rechecks.len()
    );
    Ok(())
}

fn print_status(id: &RoundId, p: &Progress, notices: &[Delivery], json: bool) {
    if json {
        let mut status = p.status_json(id);
        status["notifications"] = serde_json::to_value(notices).unwrap_or_default();
        println!("{status}");
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
        for d in notices {
            println!("{d}");
        }
    }
}
