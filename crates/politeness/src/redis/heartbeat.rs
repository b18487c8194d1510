//! The gate's heartbeat: it keeps the gate's holder key alive in Redis while the gate runs,
//! so when a worker is killed mid-request its leases are freed as soon as the key lapses,
//! not when they expire.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::task::AbortHandle;

use super::coordinator::Coordinator;
use super::millis;

/// Starts beating the gate's holder key: every third of its time to live, until aborted (the
/// gate dropped). A beat that fails is only logged — the next one may get through.
pub(super) fn start(coordinator: Arc<Coordinator>) -> AbortHandle {
    tokio::spawn(async move {
        let ttl = coordinator.limits.holder_ttl;
        let key = format!("{}{}", coordinator.holder_prefix, coordinator.holder);
        let mut conn = coordinator.conn.clone();
        let mut every = tokio::time::interval(ttl / 3);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let mut set = ::redis::cmd("SET");
            set.arg(&key).arg(1).arg("PX").arg(millis(ttl));
            match set.query_async::<()>(&mut conn).await {
                Ok(()) => coordinator.beaten.store(true, Ordering::Relaxed),
                Err(e) => {
                    tracing::debug!(%key, error = %e, "host gate: holder beat failed")
                }
            }
        }
    })
    .abort_handle()
}
