//! The RabbitMQ queue: the same contract as [`crate::MemoryQueue`], for a pool of processes.
//!
//! Its parts, one concern to a file:
//!
//! - `options`: [`AmqpOptions`], what a queue is configured with;
//! - `topology`: the names and queues of a namespace, and how the delivery limit maps onto
//!   RabbitMQ's;
//! - `delay`: delayed messages, in a wait queue per delay bucket ([`delay_bucket`]);
//! - `connection`: connecting, reconnecting and closing ([`AmqpQueue::connect`],
//!   [`AmqpQueue::close`]);
//! - `publish`: persistent, confirmed publishing, retried until its deadline;
//! - `consume` and `settle`: consumers with a prefetch bound that resubscribe by themselves,
//!   and settling their deliveries;
//! - `admin`: a namespace's depth, purge and deletion, for tests and operators;
//! - `retry`: which failures another attempt may cure, and the backoff between attempts.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use spotcheck_core::ports::{Consumer, Lane, PortError, Queue};

mod admin;
mod connection;
mod consume;
mod delay;
mod options;
mod publish;
mod retry;
mod settle;
mod topology;

pub use connection::CLOSE_TIMEOUT;
use connection::{Inner, Link};
use consume::AmqpConsumer;
pub use delay::{MAX_DELAY, delay_bucket};
pub use options::AmqpOptions;
use retry::Failure;

/// A queue on RabbitMQ. Cloning shares the connection.
#[derive(Clone)]
pub struct AmqpQueue {
    inner: Arc<Inner>,
}

#[async_trait]
impl Queue for AmqpQueue {
    /// Returns once the broker confirmed the message. Retries (reconnecting as needed) until
    /// [`AmqpOptions::publish_timeout`]; a nack or a delay over [`MAX_DELAY`] fails at once.
    async fn publish(&self, lane: Lane, body: Vec<u8>, delay: Duration) -> Result<(), PortError> {
        self.inner.publish(lane, body, delay).await
    }

    /// Subscribes at once (failing if the broker cannot be reached now); afterwards the
    /// consumer resubscribes by itself whenever its channel or the connection drops.
    async fn consume(&self, lane: Lane, prefetch: u16) -> Result<Box<dyn Consumer>, PortError> {
        let consumer = AmqpConsumer::start(self.inner.clone(), lane, prefetch)
            .await
            .map_err(Failure::into_port)?;
        Ok(Box::new(consumer))
    }
}
