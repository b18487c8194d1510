//! Publishing: to the default exchange with the queue's name as routing key, persistent
//! (delivery mode 2), `mandatory` (a message no queue takes comes back instead of vanishing),
//! and every publish waits for its publisher confirm.
//!
//! A message that comes back unroutable means someone deleted a queue: the topology is declared
//! again and the publish retried. When the broker goes away, publishing retries on a fresh
//! connection with backoff until [`AmqpOptions::publish_timeout`]; a nack (a full queue, see
//! [`AmqpOptions::max_queued`]) fails at once.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation};
use spotcheck_core::ports::{Lane, PortError};

use super::delay::{MAX_DELAY, delay_bucket};
use super::retry::{Failure, backoff};
use super::topology::{Names, declare_topology};
use super::{AmqpOptions, Inner, Link};

impl Link {
    /// The publishing channel, opened (in confirm mode) if it is missing or closed.
    pub(super) async fn publisher(
        &self,
        names: &Names,
        opts: &AmqpOptions,
    ) -> Result<Channel, Failure> {
        let mut slot = self.publisher.lock().await;
        let current = slot.take().filter(|c| c.status().connected());
        let ch = match current {
            Some(ch) => ch,
            None => {
                let ch = self
                    .connection
                    .create_channel()
                    .await
                    .map_err(|e| Failure::from_lapin("opening the publishing channel", &e))?;
                ch.confirm_select(ConfirmSelectOptions::default())
                    .await
                    .map_err(|e| Failure::from_lapin("enabling publisher confirms", &e))?;
                ch
            }
        };
        if self.redeclare.swap(false, Ordering::SeqCst) {
            if let Err(e) = declare_topology(&ch, names, opts).await {
                self.redeclare.store(true, Ordering::SeqCst);
                return Err(e);
            }
            self.waits.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
        *slot = Some(ch.clone());
        Ok(ch)
    }
}

impl Inner {
    /// [`Queue::publish`](spotcheck_core::ports::Queue::publish) of an
    /// [`AmqpQueue`](super::AmqpQueue): one confirmed attempt after another, as its doc says.
    pub(super) async fn publish(
        &self,
        lane: Lane,
        body: Vec<u8>,
        delay: Duration,
    ) -> Result<(), PortError> {
        let bucket = if delay.is_zero() {
            None
        } else {
            Some(delay_bucket(delay).ok_or_else(|| {
                PortError::Invalid(format!(
                    "delay {delay:?} is longer than the broker allows ({MAX_DELAY:?})"
                ))
            })?)
        };
        let opts = &self.opts;
        let deadline = Instant::now() + opts.publish_timeout;
        let mut delays = backoff(opts);
        loop {
            match self.try_publish(lane, &body, bucket).await {
                Ok(()) => return Ok(()),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(why)) => {
                    let wait = delays.next_delay();
                    if self.is_closed() {
                        return Err(PortError::Unavailable("the queue is closed".into()));
                    }
                    if Instant::now() + wait >= deadline {
                        return Err(PortError::Unavailable(format!(
                            "publishing to {} failed for {:?}: {why}",
                            self.names.queue(lane),
                            opts.publish_timeout
                        )));
                    }
                    tracing::warn!(
                        lane = lane.name(),
                        error = %why,
                        retry_in_ms = wait.as_millis() as u64,
                        "publish failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One attempt at a confirmed publish.
    async fn try_publish(
        &self,
        lane: Lane,
        body: &[u8],
        bucket: Option<u64>,
    ) -> Result<(), Failure> {
        let link = self.link().await?;
        let ch = link.publisher(&self.names, &self.opts).await?;
        let queue = match bucket {
            None => self.names.queue(lane).to_string(),
            Some(ms) => self.wait_queue(&link, &ch, lane, ms).await?,
        };
        let confirm = ch
            .basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    ..BasicPublishOptions::default()
                },
                body,
                BasicProperties::default().with_delivery_mode(2),
            )
            .await
            .map_err(|e| Failure::from_lapin(&format!("publishing to {queue}"), &e))?
            .await
            .map_err(|e| Failure::from_lapin(&format!("awaiting the confirm from {queue}"), &e))?;
        match confirm {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) => {
                // No queue took it: the queue was deleted under us. Declare again and retry.
                link.redeclare.store(true, Ordering::SeqCst);
                Err(Failure::Retry(format!(
                    "the broker returned the message ({} {}): queue {queue} is missing",
                    returned.reply_code, returned.reply_text
                )))
            }
            Confirmation::Nack(_) => Err(Failure::Fatal(PortError::Unavailable(format!(
                "the broker refused the message for {queue} (nack): the queue is full or cannot \
                 store it now"
            )))),
            Confirmation::NotRequested => Err(Failure::Fatal(PortError::Invalid(
                "publisher confirms are not enabled on the publishing channel".into(),
            ))),
        }
    }
}
