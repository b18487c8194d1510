//! `spotcheck worker`: takes jobs from the pool's queue until SIGTERM, then drains.

use std::sync::Arc;
use std::time::Duration;

use spotcheck_politeness::RedisGates;
use spotcheck_worker::secrets::EnvSecrets;
use spotcheck_worker::{Worker, WorkerConfig};

use super::stop_on_signal;
use crate::args::WorkerArgs;
use crate::error::CliError;
use crate::ops::{self, MeteredGates, PoolProbe, Role};

pub async fn worker(args: WorkerArgs) -> Result<(), CliError> {
    let WorkerArgs {
        conn,
        prefetch,
        grace,
        drill_panic_on: panic_on,
        gates,
        ops,
    } = args;
    let grace = Duration::from_secs(grace);
    let store = conn.store().await?;
    let queue = conn.queue().await?;
    let stop = stop_on_signal();
    let probe = PoolProbe {
        queue: queue.clone(),
        store: store.clone(),
        stall: None,
    };
    ops::serve(ops.metrics_listen, Role::Worker, probe, stop.clone()).await?;
    // Per-host limits in Redis, on the worker's own connection: the plan's politeness holds
    // for the whole pool, however many workers run, and for every other deployment with the
    // same gate namespace. Measured for /metrics on the way.
    let gates = Arc::new(MeteredGates::new(Arc::new(RedisGates::new(
        &store,
        gates.gate_namespace,
    ))));
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
    // Ready means ready: the trusted roots are read before the first job waits for them.
    let _ = tokio::task::spawn_blocking(spotcheck_worker::fetch::warm_up).await;
    tracing::info!(namespace = %conn.namespace, prefetch, grace_secs = grace.as_secs(), "worker ready");
    let result = worker.run(stop).await;
    queue.close().await;
    result.map_err(|e| CliError::failed(format!("worker stopped: {e}")))
}
