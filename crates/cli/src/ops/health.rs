//! Readiness: does this role reach its broker and its store right now?

use std::sync::Arc;
use std::time::Duration;

use spotcheck_bus::AmqpQueue;
use spotcheck_collector::Stall;
use spotcheck_core::ports::{Lane, Store};
use spotcheck_store::RedisStore;

/// How long each dependency may take to answer a readiness check.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// What a readiness check found: `Err` carries what failed, for the operator.
#[derive(Debug, Clone)]
pub struct Health {
    pub broker: Result<u32, String>,
    pub store: Result<usize, String>,
}

impl Health {
    pub fn ready(&self) -> bool {
        self.broker.is_ok() && self.store.is_ok()
    }
}

/// The cheapest calls that prove a role can work: the store lists its rounds, the broker
/// reports the depth of the jobs queue (a passive declare on a fresh channel). A collector
/// adds its [`Stall`]: a Redis that answers reads but refuses writes (full, read-only) is
/// not one it can work with.
pub struct PoolProbe {
    pub queue: Arc<AmqpQueue>,
    pub store: Arc<RedisStore>,
    pub stall: Option<Stall>,
}

impl PoolProbe {
    /// Both checks run at once, each within [`CHECK_TIMEOUT`]. Updates `spotcheck_ready` and
    /// `spotcheck_queue_ready_messages{lane="jobs"}`.
    pub async fn check(&self) -> Health {
        let broker = async {
            match tokio::time::timeout(CHECK_TIMEOUT, self.queue.depth(Lane::Jobs)).await {
                Ok(Ok(n)) => Ok(n),
                Ok(Err(e)) => Err(format!("RabbitMQ: {e}")),
                Err(_) => Err(format!("RabbitMQ did not answer within {CHECK_TIMEOUT:?}")),
            }
        };
        let store = async {
            match tokio::time::timeout(CHECK_TIMEOUT, self.store.rounds()).await {
                Ok(Ok(r)) => match self.stall.as_ref().and_then(Stall::failing) {
                    Some(why) => Err(format!("Redis or RabbitMQ refuses writes: {why}")),
                    None => Ok(r.len()),
                },
                Ok(Err(e)) => Err(format!("Redis: {e}")),
                Err(_) => Err(format!("Redis did not answer within {CHECK_TIMEOUT:?}")),
            }
        };
        let (broker, store) = tokio::join!(broker, store);
        let health = Health { broker, store };
        metrics::gauge!("spotcheck_ready").set(if health.ready() { 1.0 } else { 0.0 });
        if let Ok(n) = health.broker {
            metrics::gauge!("spotcheck_queue_ready_messages", "lane" => "jobs").set(f64::from(n));
        }
        health
    }
}
