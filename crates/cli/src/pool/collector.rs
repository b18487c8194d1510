//! `spotcheck collector`: writes results into the store until SIGTERM.

use std::sync::Arc;

use spotcheck_collector::Collector;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_notify::{Notifier, RedisLedger};

use super::stop_on_signal;
use crate::args::{Connection, OpsArgs};
use crate::error::CliError;
use crate::ops::{self, PoolProbe, Role};

pub async fn collector(conn: &Connection, ops: &OpsArgs) -> Result<(), CliError> {
    let redis = conn.store().await?;
    let amqp = conn.queue().await?;
    let stop = stop_on_signal();
    let probe = PoolProbe {
        queue: amqp.clone(),
        store: redis.clone(),
    };
    ops::serve(ops.metrics_listen, Role::Collector, probe, stop.clone()).await?;
    let notifier = Arc::new(Notifier::new(Arc::new(RedisLedger::new(&redis))));
    let store: Arc<dyn Store> = redis;
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
    tracing::info!(namespace = %conn.namespace, "collector ready");
    let result = collector.run(stop).await;
    amqp.close().await;
    result.map_err(|e| CliError::failed(format!("collector stopped: {e}")))
}
