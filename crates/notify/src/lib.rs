//! Announcing a completed round: the notice by email to the office, a summary to its work
//! groups (DingTalk, WeCom, Feishu robots) and to a webhook, and each unit's 整改通知单 by
//! email — as the round's `[notify]` says.
//!
//! - `message`: what is said, built once from the round and its report;
//! - `channel`: one file per way of sending it, behind one trait;
//! - `ledger`: the claim on each (round, channel, recipient) and its state, in the process or
//!   in Redis, so two collectors that both see a round complete send each message once;
//! - `deliver`: the attempts, with the plan's backoff.
//!
//! Announcing never holds up a round: the caller spawns it, each message goes out in a task of
//! its own, and a failure is recorded (and logged) for `round status`, never raised.

pub mod channel;
mod deliver;
pub mod ledger;
pub mod message;

use std::collections::HashMap;
use std::sync::Arc;

use spotcheck_core::ports::{PortError, Store};
use spotcheck_core::round::{Round, RoundId};
use spotcheck_report::{Evidence, Report};
use tokio::task::JoinSet;

pub use self::channel::SendError;
use self::channel::{Channel, configured, http_client};
use self::deliver::{Attempts, deliver};
pub use self::ledger::{Delivery, Ledger, MemoryLedger, RedisLedger, State};

/// Announces completed rounds. One per process; share it behind an `Arc`.
pub struct Notifier {
    ledger: Arc<dyn Ledger>,
    http: reqwest::Client,
}

impl Notifier {
    pub fn new(ledger: Arc<dyn Ledger>) -> Notifier {
        Notifier {
            ledger,
            http: http_client(),
        }
    }

    /// The ledger where claims and states are kept.
    pub fn ledger(&self) -> &Arc<dyn Ledger> {
        &self.ledger
    }

    /// Claims each message the round's `[notify]` asks for and sends those this call claimed,
    /// each in a task of its own; the tasks end with each message's final state. A round
    /// without `[notify]` sends nothing.
    pub async fn announce(&self, round: &Round, report: Report) -> JoinSet<Delivery> {
        let mut tasks = JoinSet::new();
        let notify = &round.plan.notify;
        if !notify.any() {
            return tasks;
        }
        let building = {
            let round = round.clone();
            tokio::task::spawn_blocking(move || message::messages(&round, &report))
        };
        let outgoing = match building.await {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                tracing::error!(round = %round.id, error = %e, "notifications not sent: the notice could not be rendered");
                return tasks;
            }
            Err(e) => {
                tracing::error!(round = %round.id, error = %e, "notifications not sent: building them failed");
                return tasks;
            }
        };
        let channels: HashMap<&'static str, Arc<dyn Channel>> = configured(notify, &self.http)
            .into_iter()
            .map(|c| (c.name(), Arc::from(c)))
            .collect();
        let attempts = Attempts::of(notify);
        for out in outgoing {
            let Some(channel) = channels.get(out.channel).cloned() else {
                continue;
            };
            let delivery = Delivery::claimed(out.channel, &out.recipient);
            match self.ledger.claim(&round.id, &delivery).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!(round = %round.id, channel = out.channel, recipient = out.recipient,
                        "notification already claimed elsewhere");
                    continue;
                }
                Err(e) => {
                    tracing::error!(round = %round.id, channel = out.channel, recipient = out.recipient,
                        error = %e, "notification not sent: its claim could not be recorded");
                    continue;
                }
            }
            tasks.spawn(deliver(
                self.ledger.clone(),
                round.id.clone(),
                delivery,
                channel,
                out.message,
                attempts,
            ));
        }
        tasks
    }

    /// Announces a round the store says is complete: its report is computed from the stored
    /// results (a re-check's on top of its parent's), then [`Notifier::announce`].
    pub async fn announce_stored(
        &self,
        store: &dyn Store,
        id: &RoundId,
    ) -> Result<JoinSet<Delivery>, PortError> {
        let Some(round) = store.round(id).await? else {
            return Err(PortError::Invalid(format!("no round {id} in the store")));
        };
        if !round.plan.notify.any() {
            return Ok(JoinSet::new());
        }
        // What the report reads of the results, a batch at a time: a collector announcing a
        // province's round never holds its 10⁶ results.
        let evidence = Evidence::read(store, id).await?;
        let parent = match &round.parent {
            Some(p) => match store.round(p).await? {
                Some(parent) => {
                    let parent_evidence = Evidence::read(store, p).await?;
                    Some((parent, parent_evidence))
                }
                None => None,
            },
            None => None,
        };
        let computing = {
            let round = round.clone();
            tokio::task::spawn_blocking(move || {
                let parent = parent.as_ref().map(|(p, e)| e.of(p));
                spotcheck_report::report_of(evidence.of(&round), parent)
            })
        };
        let report = computing
            .await
            .map_err(|e| PortError::Invalid(format!("computing the report: {e}")))?;
        Ok(self.announce(&round, report).await)
    }

    /// [`Notifier::announce_stored`] in the background, for a collector's completion hook:
    /// its failures are logged, and nothing waits for it.
    pub fn spawn_for_stored(self: &Arc<Self>, store: Arc<dyn Store>, id: RoundId) {
        let notifier = self.clone();
        tokio::spawn(async move {
            match notifier.announce_stored(store.as_ref(), &id).await {
                Ok(mut tasks) => while tasks.join_next().await.is_some() {},
                Err(e) => {
                    tracing::error!(round = %id, error = %e, "notifications not sent: the round could not be read");
                }
            }
        });
    }
}
