//! What an [`AmqpQueue`](super::AmqpQueue) is configured with: the delivery limit, the bound
//! on queued messages, and how long to wait for and between attempts at the broker.

use std::time::Duration;

/// Settings of an [`AmqpQueue`](super::AmqpQueue). The queue arguments among them
/// (`delivery_limit`, `max_queued`) are fixed when the queues are first declared: RabbitMQ
/// refuses to re-declare a queue with other arguments, and
/// [`AmqpQueue::connect`](super::AmqpQueue::connect) then fails with
/// [`PortError::Invalid`](spotcheck_core::ports::PortError::Invalid) naming the queue.
#[derive(Debug, Clone)]
pub struct AmqpOptions {
    /// Deliveries of one message before it is dead-lettered (as [`crate::MemoryQueue::new`]);
    /// at least 1. Default 5.
    pub delivery_limit: u32,
    /// How long [`Queue::publish`](spotcheck_core::ports::Queue::publish) keeps retrying
    /// (reconnecting as needed) before it gives up with
    /// [`PortError::Unavailable`](spotcheck_core::ports::PortError::Unavailable). Default 30 s.
    pub publish_timeout: Duration,
    /// Limit of one connection attempt (TCP and AMQP handshake). Default 10 s.
    pub connect_timeout: Duration,
    /// First wait between reconnect or publish attempts; it doubles up to `backoff_max`.
    /// Default 100 ms.
    pub backoff_min: Duration,
    /// Longest wait between reconnect or publish attempts. Default 5 s.
    pub backoff_max: Duration,
    /// Bounds the jobs and results queues (`x-max-length`, `x-overflow = reject-publish`):
    /// when one is full the broker refuses (nacks) publishes and
    /// [`Queue::publish`](spotcheck_core::ports::Queue::publish) fails, so a runaway producer
    /// meets back-pressure instead of filling the broker's disk. Default none.
    pub max_queued: Option<u32>,
    /// The AMQP heartbeat asked of the broker (whole seconds; zero turns it off). A network
    /// path that fails without a reset leaves a connection open that nothing crosses: with
    /// no frame from the broker for two heartbeats, the connection is closed and opened
    /// again, and the broker, hearing nothing from us as long, returns our unsettled
    /// deliveries to their queue. A `heartbeat` in the URL is replaced by this. Default 10 s
    /// (RabbitMQ's own default of 60 s would hold a silently dead worker's jobs for two
    /// minutes).
    pub heartbeat: Duration,
}

impl Default for AmqpOptions {
    fn default() -> AmqpOptions {
        AmqpOptions {
            delivery_limit: 5,
            publish_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
            max_queued: None,
            heartbeat: Duration::from_secs(10),
        }
    }
}
