//! The connection to the broker: one per [`AmqpQueue`] (clones share it), with one channel for
//! publishing and one per consumer.
//!
//! [`AmqpQueue::connect`] opens it and declares the topology, failing at once when the broker
//! cannot be reached. When the broker goes away, the next publish or resubscribing consumer opens
//! a fresh connection (declaring the topology again); reconnects are logged.
//! [`AmqpQueue::close`] closes the connection and so every channel at once: in-flight messages
//! return to their queues and consumers end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use lapin::options::ConfirmSelectOptions;
use lapin::uri::AMQPUri;
use lapin::{Channel, Connection, ConnectionProperties};
use spotcheck_core::namespace::Namespace;
use spotcheck_core::ports::PortError;
use tokio::sync::{Mutex, watch};

use super::retry::Failure;
use super::topology::{Names, declare_topology};
use super::{AmqpOptions, AmqpQueue};

/// How long [`AmqpQueue::close`] waits for the broker.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to the broker, with its publishing channel.
pub(super) struct Link {
    pub(super) connection: Connection,
    /// The publishing channel (confirm mode); replaced when it closes.
    pub(super) publisher: Mutex<Option<Channel>>,
    /// The topology must be declared again before the next publish (a message came back
    /// unroutable: someone deleted a queue).
    pub(super) redeclare: AtomicBool,
    /// Wait queues declared on this connection, and when (see the `delay` module on `x-expires`).
    pub(super) waits: StdMutex<HashMap<String, Instant>>,
    pub(super) serial: u64,
}

/// What every clone of an [`AmqpQueue`] shares.
pub(super) struct Inner {
    pub(super) url: String,
    pub(super) names: Names,
    pub(super) opts: AmqpOptions,
    pub(super) link: Mutex<Option<Arc<Link>>>,
    pub(super) serial: AtomicU64,
    /// Set by [`AmqpQueue::close`]: publishing fails and consumers end.
    pub(super) closed: watch::Sender<bool>,
    pub(super) consumers: AtomicU64,
}

impl Inner {
    pub(super) fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// The current connection, or a new one (with the topology declared) if it dropped.
    pub(super) async fn link(&self) -> Result<Arc<Link>, Failure> {
        if self.is_closed() {
            return Err(Failure::Fatal(PortError::Unavailable(
                "the queue is closed".into(),
            )));
        }
        let mut slot = self.link.lock().await;
        if let Some(link) = slot.as_ref() {
            if link.connection.status().connected() {
                return Ok(link.clone());
            }
            tracing::warn!(
                namespace = %self.names.ns,
                connection = link.serial,
                "connection to RabbitMQ lost; reconnecting"
            );
            *slot = None;
        }
        let link = Arc::new(self.open().await?);
        tracing::info!(
            namespace = %self.names.ns,
            connection = link.serial,
            "connected to RabbitMQ"
        );
        *slot = Some(link.clone());
        Ok(link)
    }

    async fn open(&self) -> Result<Link, Failure> {
        let serial = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        let props = ConnectionProperties::default()
            .with_connection_name(format!("spotcheck {} #{serial}", self.names.ns).into());
        let uri = broker_uri(&self.url, self.opts.heartbeat)?;
        let connection = tokio::time::timeout(
            self.opts.connect_timeout,
            Connection::connect_uri(uri, props),
        )
        .await
        .map_err(|_| {
            Failure::Retry(format!(
                "connecting to RabbitMQ timed out after {:?}",
                self.opts.connect_timeout
            ))
        })?
        .map_err(|e| Failure::from_lapin("connecting to RabbitMQ", &e))?;
        let ch = connection
            .create_channel()
            .await
            .map_err(|e| Failure::from_lapin("opening a channel", &e))?;
        declare_topology(&ch, &self.names, &self.opts).await?;
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| Failure::from_lapin("enabling publisher confirms", &e))?;
        Ok(Link {
            connection,
            publisher: Mutex::new(Some(ch)),
            redeclare: AtomicBool::new(false),
            waits: StdMutex::new(HashMap::new()),
            serial,
        })
    }
}

impl AmqpQueue {
    /// Connects to `url` (e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`) and declares the
    /// namespace's topology (its queues and exchange, described in the `topology` module).
    /// Fails at once — no retry — when the broker cannot be reached, so a misconfigured process
    /// says so on start; reconnecting later is automatic.
    pub async fn connect(
        url: &str,
        namespace: &Namespace,
        opts: AmqpOptions,
    ) -> Result<AmqpQueue, PortError> {
        let (closed, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            url: url.to_string(),
            names: Names::new(namespace),
            opts,
            link: Mutex::new(None),
            serial: AtomicU64::new(0),
            closed,
            consumers: AtomicU64::new(0),
        });
        inner.link().await.map_err(Failure::into_port)?;
        Ok(AmqpQueue { inner })
    }

    /// Closes the connection cleanly, and with it every channel: the broker returns unsettled
    /// deliveries to their queues at once, consumers' `next` returns `None`, and later publishes
    /// fail. Call it on shutdown, after in-flight work is settled (or to hand it back).
    ///
    /// A broker that does not answer within [`CLOSE_TIMEOUT`] is not waited for any longer:
    /// the process can still exit, and when its socket closes the broker returns the
    /// unsettled deliveries all the same.
    pub async fn close(&self) {
        self.inner.closed.send_replace(true);
        let closing = async {
            let link = self.inner.link.lock().await.take();
            if let Some(link) = link {
                if let Some(ch) = link.publisher.lock().await.take() {
                    close_quietly(&ch).await;
                }
                if let Err(e) = link.connection.close(200, "spotcheck closing".into()).await {
                    tracing::debug!(error = %e, "closing the RabbitMQ connection");
                }
            }
        };
        if tokio::time::timeout(CLOSE_TIMEOUT, closing).await.is_err() {
            tracing::warn!(
                timeout_secs = CLOSE_TIMEOUT.as_secs(),
                "RabbitMQ did not answer the close; leaving the connection to the operating system"
            );
        }
    }
}

/// Frame size asked of the broker unless the URL names one (`?frame_max=`). The client keeps
/// send and receive buffers of 32 frames each: at the broker's usual 128 KiB that is 8 MB,
/// zero-filled on connecting and resident in every process of the pool, where 32 KiB keeps
/// 2 MB. Messages are a few hundred KB at most; more frames to a message cost nothing here.
const FRAME_MAX: u32 = 32 * 1024;

/// The broker's URL as the client connects to it: the heartbeat set, the frame size kept
/// small. The URL holds the password: never put it in a message.
fn broker_uri(url: &str, heartbeat: Duration) -> Result<AMQPUri, Failure> {
    let mut uri: AMQPUri = url
        .parse()
        .map_err(|_| Failure::Fatal(PortError::Invalid("bad RabbitMQ URL".into())))?;
    uri.query.heartbeat = Some(heartbeat_secs(heartbeat));
    uri.query.frame_max.get_or_insert(FRAME_MAX);
    Ok(uri)
}

/// The heartbeat as AMQP carries it: whole seconds, at least one unless it is off, at most
/// what the field holds.
fn heartbeat_secs(d: Duration) -> u16 {
    if d.is_zero() {
        return 0;
    }
    u16::try_from(d.as_secs().max(1)).unwrap_or(u16::MAX)
}

/// Closes a channel that is still open; a failure only means it is gone already.
pub(super) async fn close_quietly(ch: &Channel) {
    if ch.status().connected() {
        if let Err(e) = ch.close(200, "done".into()).await {
            tracing::debug!(error = %e, "closing a channel");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_frames_unless_the_url_names_a_size() {
        let uri = broker_uri(
            "amqp://guest:guest@127.0.0.1:5672/%2f",
            Duration::from_secs(30),
        )
        .map_err(|_| "refused")
        .unwrap();
        assert_eq!(uri.query.frame_max, Some(FRAME_MAX));
        assert_eq!(uri.query.heartbeat, Some(30));
        let uri = broker_uri(
            "amqp://guest:guest@127.0.0.1:5672/%2f?frame_max=131072",
            Duration::ZERO,
        )
        .map_err(|_| "refused")
        .unwrap();
        assert_eq!(uri.query.frame_max, Some(131_072));
        assert_eq!(uri.query.heartbeat, Some(0));
        assert!(broker_uri("not a url", Duration::ZERO).is_err());
    }
}
