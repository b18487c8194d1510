//! Settling a delivery: acknowledging it, rejecting it, or handing it back when it is dropped.
//!
//! [`Acker::ack`] is `basic.ack`, [`Acker::reject`] is `basic.reject` (requeue = false
//! dead-letters through `{ns}.dlx`; on the dead lane, which has no dead-letter exchange, it drops
//! the message). A [`Delivery`](spotcheck_core::ports::Delivery) dropped unsettled is returned at
//! once with `basic.nack(requeue)` when a tokio runtime is still there to send it; otherwise the
//! broker returns it when the channel closes.
//!
//! A delivery received before its connection dropped can no longer be settled: [`Acker::ack`]
//! returns [`PortError::Unavailable`], and the broker redelivers the message — handlers are
//! idempotent.

use async_trait::async_trait;
use lapin::Channel;
use lapin::options::{BasicNackOptions, BasicRejectOptions};
use spotcheck_core::ports::{Acker, PortError};

/// Settles one delivery on its consumer's channel.
pub(super) struct AmqpAcker {
    acker: lapin::Acker,
    /// Keeps the consumer's channel open while this delivery is unsettled, so in-flight work
    /// can still be settled after the consumer is dropped.
    _channel: Channel,
    settled: bool,
}

impl AmqpAcker {
    pub(super) fn new(acker: lapin::Acker, channel: Channel) -> AmqpAcker {
        AmqpAcker {
            acker,
            _channel: channel,
            settled: false,
        }
    }
}

/// Maps lapin's answer: `Ok(false)` means the channel closed (the acker is poisoned).
fn settled(what: &str, r: lapin::Result<bool>) -> Result<(), PortError> {
    match r {
        Ok(true) => Ok(()),
        Ok(false) => Err(PortError::Unavailable(format!(
            "cannot {what}: the delivery's channel is closed; the broker will redeliver the message"
        ))),
        Err(e) => Err(PortError::Unavailable(format!(
            "cannot {what}: {e}; the broker will redeliver the message"
        ))),
    }
}

#[async_trait]
impl Acker for AmqpAcker {
    async fn ack(mut self: Box<Self>) -> Result<(), PortError> {
        self.settled = true;
        settled(
            "ack",
            self.acker
                .ack(lapin::options::BasicAckOptions::default())
                .await,
        )
    }

    async fn reject(mut self: Box<Self>, requeue: bool) -> Result<(), PortError> {
        self.settled = true;
        settled(
            "reject",
            self.acker.reject(BasicRejectOptions { requeue }).await,
        )
    }
}

impl Drop for AmqpAcker {
    /// An unsettled delivery goes back to its queue now (counted as a redelivery), rather than
    /// holding a prefetch slot until the channel closes.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return; // No runtime: the broker returns it when the channel closes.
        };
        let acker = self.acker.clone();
        let channel = self._channel.clone();
        rt.spawn(async move {
            let r = acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await;
            if let Err(e) = r {
                tracing::debug!(error = %e, "returning a dropped delivery");
            }
            drop(channel);
        });
    }
}
