//! `spotcheck collector`: writes results into the store until SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use spotcheck_collector::Collector;
use spotcheck_core::Period;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_notify::{Notifier, RedisLedger};
use spotcheck_store::RedisStore;

use super::stop_on_signal;
use crate::args::{Connection, OpsArgs};
use crate::error::CliError;
use crate::ops::{self, PoolProbe, Role};

/// How often a collector with a retention prunes.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

pub async fn collector(
    conn: &Connection,
    ops: &OpsArgs,
    prune_older_than: Option<Period>,
) -> Result<(), CliError> {
    let redis = conn.store().await?;
    let amqp = conn.queue().await?;
    let stop = stop_on_signal();
    let notifier = Arc::new(Notifier::new(Arc::new(RedisLedger::new(&redis))));
    if let Some(age) = prune_older_than {
        tokio::spawn(prune_hourly(redis.clone(), age.0));
    }
    let store: Arc<dyn Store> = redis.clone();
    let queue: Arc<dyn Queue> = amqp.clone();
    let announce_from = store.clone();
    let collector = Collector::new(
        store,
        queue,
        Arc::new(move |id: &RoundId| {
            eprintln!("round {id} complete");
            notifier.spawn_for_stored(announce_from.clone(), id.clone());
        }),
    );
    let probe = PoolProbe {
        queue: amqp.clone(),
        store: redis,
        stall: Some(collector.stall()),
    };
    ops::serve(ops.metrics_listen, Role::Collector, probe, stop.clone()).await?;
    tracing::info!(namespace = %conn.namespace, "collector ready");
    let result = collector.run(stop).await;
    amqp.close().await;
    result.map_err(|e| CliError::failed(format!("collector stopped: {e}")))
}

/// Removes rounds older than `age` now and every [`PRUNE_EVERY`]; a failure is logged and
/// tried again at the next turn.
async fn prune_hourly(store: Arc<RedisStore>, age: Duration) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        match store.prune(age).await {
            Ok(p) if p.removed.is_empty() => {}
            Ok(p) => {
                tracing::info!(removed = ?p.removed, kept = ?p.kept_for_rechecks, "old rounds pruned")
            }
            Err(e) => tracing::warn!("pruning old rounds failed: {e}"),
        }
    }
}
