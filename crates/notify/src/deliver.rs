//! Sending one claimed message: attempts spaced by the plan's backoff, each recorded in the
//! ledger, so `round status` shows a message waiting for its next attempt as well as one
//! that failed for good.

use std::sync::Arc;

use spotcheck_core::retry::Backoff;
use spotcheck_core::round::RoundId;

use crate::channel::Channel;
use crate::ledger::{Delivery, Ledger, State};
use crate::message::Message;

/// Longest wait between two attempts.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// How often, and how far apart, a message is tried.
#[derive(Debug, Clone, Copy)]
pub struct Attempts {
    pub max: u32,
    pub backoff: Backoff,
}

impl Attempts {
    /// The plan's `attempts` and `retry_backoff`.
    pub fn of(notify: &spotcheck_core::plan::notify::Notify) -> Attempts {
        Attempts {
            max: notify.attempts.max(1),
            backoff: Backoff::new(notify.retry_backoff.0, MAX_WAIT),
        }
    }
}

/// Tries `message` on `channel` until it is sent or every attempt failed, recording each
/// outcome as `delivery`'s state; returns the final state.
pub async fn deliver(
    ledger: Arc<dyn Ledger>,
    round: RoundId,
    mut delivery: Delivery,
    channel: Arc<dyn Channel>,
    message: Message,
    attempts: Attempts,
) -> Delivery {
    loop {
        let result = channel.send(&message).await;
        delivery.attempts += 1;
        match result {
            Ok(()) => {
                delivery.state = State::Sent;
                tracing::info!(round = %round, channel = delivery.channel, recipient = delivery.recipient,
                    attempts = delivery.attempts, "notification sent");
            }
            Err(e) => {
                let last = delivery.attempts >= attempts.max;
                delivery.state = if last { State::Failed } else { State::Pending };
                delivery.last_error = Some(e.0.clone());
                if last {
                    tracing::error!(round = %round, channel = delivery.channel, recipient = delivery.recipient,
                        attempts = delivery.attempts, error = %e, "notification failed; no attempts left");
                } else {
                    tracing::warn!(round = %round, channel = delivery.channel, recipient = delivery.recipient,
                        attempt = delivery.attempts, error = %e, "notification failed; will retry");
                }
            }
        }
        if let Err(e) = ledger.record(&round, &delivery).await {
            tracing::warn!(round = %round, channel = delivery.channel, recipient = delivery.recipient,
                error = %e, "could not record the notification's state");
        }
        if delivery.state != State::Pending {
            return delivery;
        }
        tokio::time::sleep(attempts.backoff.delay(delivery.attempts - 1)).await;
    }
}
