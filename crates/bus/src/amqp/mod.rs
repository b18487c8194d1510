//! The RabbitMQ queue: the same contract as [`crate::MemoryQueue`], for a pool of processes.
//!
//! # Connections
//!
//! There is one connection per [`AmqpQueue`] (clones share it), one channel for publishing and
//! one per consumer. When the broker goes away, [`Queue::publish`] retries on a fresh connection
//! with backoff until [`AmqpOptions::publish_timeout`], and consumers resubscribe by themselves
//! (their `next` keeps waiting meanwhile; reconnects are logged). A delivery received before the
//! connection dropped can no longer be settled: [`Acker::ack`] returns
//! [`PortError::Unavailable`], and the broker redelivers the message — handlers are idempotent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use lapin::options::{
    ConfirmSelectOptions, ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions,
    QueuePurgeOptions,
};
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties};
use spotcheck_core::ports::{Consumer, Lane, PortError, Queue};
use tokio::sync::{Mutex, watch};

mod consume;
mod delay;
mod options;
mod publish;
mod retry;
mod settle;
mod topology;

use consume::AmqpConsumer;
use delay::known_waits;
pub use delay::{MAX_DELAY, delay_bucket};
pub use options::AmqpOptions;
use retry::Failure;
use topology::{Names, check_namespace, declare_topology};

/// How long [`AmqpQueue::close`] waits for the broker.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to the broker, with its publishing channel.
struct Link {
    connection: Connection,
    /// The publishing channel (confirm mode); replaced when it closes.
    publisher: Mutex<Option<Channel>>,
    /// The topology must be declared again before the next publish (a message came back
    /// unroutable: someone deleted a queue).
    redeclare: AtomicBool,
    /// Wait queues declared on this connection, and when (see the module doc on `x-expires`).
    waits: StdMutex<HashMap<String, Instant>>,
    serial: u64,
}

struct Inner {
    url: String,
    names: Names,
    opts: AmqpOptions,
    link: Mutex<Option<Arc<Link>>>,
    serial: AtomicU64,
    /// Set by [`AmqpQueue::close`]: publishing fails and consumers end.
    closed: watch::Sender<bool>,
    consumers: AtomicU64,
}

impl Inner {
    fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// The current connection, or a new one (with the topology declared) if it dropped.
    async fn link(&self) -> Result<Arc<Link>, Failure> {
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
        // The URL holds the password: never put it in a message.
        let connection = tokio::time::timeout(
            self.opts.connect_timeout,
            Connection::connect(&self.url, props),
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

    /// A channel for one operation: a failed queue operation closes its channel, so purges,
    /// deletes and passive declares never run on the publishing or a consumer channel.
    async fn scratch_channel(&self) -> Result<Channel, PortError> {
        let link = self.link().await.map_err(Failure::into_port)?;
        link.connection
            .create_channel()
            .await
            .map_err(|e| Failure::from_lapin("opening a channel", &e).into_port())
    }
}

/// A queue on RabbitMQ. Cloning shares the connection.
#[derive(Clone)]
pub struct AmqpQueue {
    inner: Arc<Inner>,
}

impl AmqpQueue {
    /// Connects to `url` (e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`) and declares the
    /// namespace's topology (see the module doc). Fails at once — no retry — when the broker
    /// cannot be reached, so a misconfigured process says so on start; reconnecting later is
    /// automatic.
    pub async fn connect(
        url: &str,
        namespace: &str,
        opts: AmqpOptions,
    ) -> Result<AmqpQueue, PortError> {
        check_namespace(namespace)?;
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

    /// The namespace every name of this queue carries.
    pub fn namespace(&self) -> &str {
        &self.inner.names.ns
    }

    /// The name of a lane's queue on the broker.
    pub fn queue_name(&self, lane: Lane) -> &str {
        self.inner.names.queue(lane)
    }

    /// Messages ready in a lane's queue (not counting unsettled deliveries nor delayed messages
    /// still waiting), from a passive declare.
    pub async fn depth(&self, lane: Lane) -> Result<u32, PortError> {
        let ch = self.inner.scratch_channel().await?;
        let name = self.inner.names.queue(lane);
        let q = ch
            .queue_declare(
                name.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                Failure::from_lapin(&format!("inspecting queue {name}"), &e).into_port()
            })?;
        close_quietly(&ch).await;
        Ok(q.message_count())
    }

    /// Empties the lane queues and the wait queues this process declared; returns how many
    /// messages were dropped. For tests and operators (e.g. abandoning a round's backlog).
    pub async fn purge_namespace(&self) -> Result<u64, PortError> {
        let mut purged = 0u64;
        for name in self.all_queue_names() {
            let ch = self.inner.scratch_channel().await?;
            match ch
                .queue_purge(name.as_str().into(), QueuePurgeOptions::default())
                .await
            {
                Ok(n) => purged += u64::from(n),
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(
                        Failure::from_lapin(&format!("purging queue {name}"), &e).into_port()
                    );
                }
            }
            close_quietly(&ch).await;
        }
        Ok(purged)
    }

    /// Deletes the namespace's queues (with their messages) and exchange — the wait queues
    /// this process declared included; other processes' wait queues expire by themselves. For
    /// tests and operators. A later publish or consumer declares the topology again.
    pub async fn delete_namespace(&self) -> Result<(), PortError> {
        for name in self.all_queue_names() {
            let ch = self.inner.scratch_channel().await?;
            match ch
                .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                .await
            {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(
                        Failure::from_lapin(&format!("deleting queue {name}"), &e).into_port()
                    );
                }
            }
            close_quietly(&ch).await;
        }
        let ch = self.inner.scratch_channel().await?;
        let dlx = self.inner.names.dlx.as_str();
        match ch
            .exchange_delete(dlx.into(), ExchangeDeleteOptions::default())
            .await
        {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(
                    Failure::from_lapin(&format!("deleting exchange {dlx}"), &e).into_port()
                );
            }
        }
        close_quietly(&ch).await;
        known_waits().retain(|(ns, _)| *ns != self.inner.names.ns);
        if let Some(link) = self.inner.link.lock().await.as_ref() {
            link.waits.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        Ok(())
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

    fn all_queue_names(&self) -> Vec<String> {
        let names = &self.inner.names;
        let mut all = vec![
            names.jobs.clone(),
            names.results.clone(),
            names.dead.clone(),
        ];
        all.extend(
            known_waits()
                .iter()
                .filter(|(ns, _)| *ns == names.ns)
                .map(|(_, name)| name.clone()),
        );
        all
    }
}
fn is_not_found(e: &lapin::Error) -> bool {
    matches!(
        e.kind(),
        lapin::ErrorKind::ProtocolError(p) if matches!(p.kind(), AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND))
    )
}

async fn close_quietly(ch: &Channel) {
    if ch.status().connected() {
        if let Err(e) = ch.close(200, "done".into()).await {
            tracing::debug!(error = %e, "closing a channel");
        }
    }
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
