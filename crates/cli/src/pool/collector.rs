//! `spotcheck collector`: writes results into the store until SIGTERM.

use std::sync::Arc;

use spotcheck_collector::Collector;
use spotcheck_core::ports::{Queue, Store};
use spotcheck_core::round::RoundId;

use super::stop_on_signal;
use crate::args::{Connection, OpsArgs};
use crate::error::CliError;
use crate::ops::{self, PoolProbe, Role};

pub async fn collector(conn: &Connection, ops: &OpsArgs) -> Result<(), CliError> {
    let redis = conn.store().await?;
    let amqp = conn.queue().await?;
    let stop = stop_on_signal();
    let store: Arc<dyn Store> = redis.clone();
    let queue: Arc<dyn Queue> = amqp.clone();
    let collector = Collector::new(
        store,
        queue,
        Arc::new(|id: &RoundId| eprintln!("round {id} complete")),
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
