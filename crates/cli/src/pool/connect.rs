//! Reaching the pool's broker and store, with messages that tell an operator what to set.

use std::sync::Arc;
use std::time::Duration;

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_core::ports::redact_password;
use spotcheck_store::{RedisOptions, RedisStore};

use crate::args::Connection;
use crate::error::CliError;

impl Connection {
    pub async fn queue(&self) -> Result<Arc<AmqpQueue>, CliError> {
        let opts = AmqpOptions {
            delivery_limit: self.delivery_limit,
            heartbeat: Duration::from_secs(self.amqp_heartbeat),
            ..AmqpOptions::default()
        };
        AmqpQueue::connect(&self.amqp, &self.namespace, opts)
            .await
            .map(Arc::new)
            .map_err(|e| {
                CliError::failed(format!(
                    "cannot reach RabbitMQ at {} ({e}); is it running? set --amqp or SPOTCHECK_AMQP_URL",
                    redact_password(&self.amqp)
                ))
            })
    }

    pub async fn store(&self) -> Result<Arc<RedisStore>, CliError> {
        let opts = RedisOptions {
            response_timeout: Duration::from_millis(self.redis_timeout.max(1)),
            ..RedisOptions::default()
        };
        RedisStore::connect_with(&self.redis, &self.namespace, opts)
            .await
            .map(Arc::new)
            .map_err(|e| {
                CliError::failed(format!(
                    "cannot reach Redis at {} ({e}); is it running? set --redis or SPOTCHECK_REDIS_URL",
                    redact_password(&self.redis)
                ))
            })
    }
}
