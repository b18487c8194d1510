//! Reaching the pool's broker and store, with messages that tell an operator what to set.

use std::sync::Arc;

use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_store::RedisStore;

use crate::args::Connection;
use crate::error::CliError;

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
