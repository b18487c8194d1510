//! The ledger of a round's messages: who claimed each one, and what became of it.
//!
//! A message is keyed by (round, channel, recipient). Whoever announces a round first claims
//! each of its messages — a set-if-absent in Redis, so of two collectors (or a collector and a
//! console) that both saw the round complete, exactly one sends each message — and records
//! its state as it goes: `pending` while attempts remain, then `sent` or `failed`, with the
//! attempts made and the last error. `round status` reads it back.
//!
//! A claim is never taken back: a process that dies between claiming and sending leaves the
//! message `pending` (shown in `round status`) rather than risk sending it twice.
//!
//! In Redis the ledger of a round is the hash `{ns}:round:{id}:notices` (field
//! `{channel}:{recipient}`, value a [`Delivery`] as JSON), claimed with `HSETNX` and kept as
//! long as the round's other keys.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use spotcheck_core::Namespace;
use spotcheck_core::ports::PortError;
use spotcheck_core::retry::Backoff;
use spotcheck_core::round::RoundId;
use spotcheck_store::{RedisLink, RedisStore};

/// What became of one message of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// `email`, `dingtalk`, `wecom`, `feishu` or `webhook`.
    pub channel: String,
    /// `office` (the notice), `unit:{id}` (a unit's 整改通知单), `group` (a robot's work group)
    /// or `endpoint` (the webhook).
    pub recipient: String,
    pub state: State,
    /// Attempts made so far.
    pub attempts: u32,
    /// Why the last attempt failed, without secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl Delivery {
    /// A message just claimed: nothing tried yet.
    pub fn claimed(channel: &str, recipient: &str) -> Delivery {
        Delivery {
            channel: channel.to_string(),
            recipient: recipient.to_string(),
            state: State::Pending,
            attempts: 0,
            last_error: None,
        }
    }

    fn field(&self) -> String {
        format!("{}:{}", self.channel, self.recipient)
    }
}

/// One line, as `round status` and `run` print it:
/// `notification email to office: failed after 5 attempts: …`.
impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tries = if self.attempts == 1 {
            "attempt"
        } else {
            "attempts"
        };
        write!(
            f,
            "notification {} to {}: {}",
            self.channel,
            self.recipient,
            self.state.as_str()
        )?;
        match (&self.state, &self.last_error) {
            (State::Sent, _) | (_, None) => write!(f, " ({} {tries})", self.attempts),
            (_, Some(e)) => write!(f, " after {} {tries}: {e}", self.attempts),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Claimed; being sent or waiting for its next attempt.
    Pending,
    Sent,
    /// Every attempt failed.
    Failed,
}

impl State {
    pub fn as_str(&self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sent => "sent",
            State::Failed => "failed",
        }
    }
}

/// Where claims and states are kept: in this process, or in Redis for a pool.
#[async_trait]
pub trait Ledger: Send + Sync {
    /// Records `delivery` as claimed unless someone claimed its message before; true when
    /// this call claimed it.
    async fn claim(&self, round: &RoundId, delivery: &Delivery) -> Result<bool, PortError>;

    /// Records what became of a claimed message.
    async fn record(&self, round: &RoundId, delivery: &Delivery) -> Result<(), PortError>;

    /// Every message of the round, by channel and recipient.
    async fn deliveries(&self, round: &RoundId) -> Result<Vec<Delivery>, PortError>;
}

/// The ledger of one process (`spotcheck run`): nobody else announces its rounds.
#[derive(Default)]
pub struct MemoryLedger {
    rounds: Mutex<BTreeMap<RoundId, BTreeMap<String, Delivery>>>,
}

impl MemoryLedger {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<RoundId, BTreeMap<String, Delivery>>) -> T,
    ) -> T {
        f(&mut self.rounds.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait]
impl Ledger for MemoryLedger {
    async fn claim(&self, round: &RoundId, delivery: &Delivery) -> Result<bool, PortError> {
        Ok(self.with(|r| {
            let round = r.entry(round.clone()).or_default();
            match round.entry(delivery.field()) {
                std::collections::btree_map::Entry::Occupied(_) => false,
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(delivery.clone());
                    true
                }
            }
        }))
    }

    async fn record(&self, round: &RoundId, delivery: &Delivery) -> Result<(), PortError> {
        self.with(|r| {
            r.entry(round.clone())
                .or_default()
                .insert(delivery.field(), delivery.clone())
        });
        Ok(())
    }

    async fn deliveries(&self, round: &RoundId) -> Result<Vec<Delivery>, PortError> {
        Ok(self.with(|r| {
            r.get(round)
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default()
        }))
    }
}

/// The ledger of a pool, in the store's Redis under the store's namespace.
pub struct RedisLedger {
    conn: RedisLink,
    ns: Namespace,
    retention: Duration,
}

/// Tries of one Redis call before the ledger gives up on it.
const ATTEMPTS: u32 = 4;

impl RedisLedger {
    /// The ledger beside `store`'s keys, kept 90 days after its last write like a round's.
    pub fn new(store: &RedisStore) -> RedisLedger {
        RedisLedger {
            conn: store.connection(),
            ns: store.namespace().clone(),
            retention: Duration::from_secs(90 * 24 * 3600),
        }
    }

    fn key(&self, round: &RoundId) -> Result<String, PortError> {
        if RoundId::is_valid(&round.0) {
            Ok(format!("{}:round:{}:notices", self.ns, round.0))
        } else {
            Err(PortError::Invalid(format!("bad round id {:?}", round.0)))
        }
    }

    /// Runs `op` until it succeeds or has used its attempts (a broken connection is
    /// re-established in the background, but the call that met it fails).
    async fn retry<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, PortError>
    where
        F: FnMut(RedisLink) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let backoff = Backoff::doubling(Duration::from_millis(200));
        let mut attempt = 1;
        loop {
            match op(self.conn.clone()).await {
                Ok(v) => return Ok(v),
                Err(e) if attempt < ATTEMPTS => {
                    tracing::warn!(command = what, attempt, error = %e, "redis call failed; retrying");
                    tokio::time::sleep(backoff.delay(attempt - 1)).await;
                    attempt += 1;
                }
                Err(e) => return Err(PortError::Unavailable(format!("redis {what}: {e}"))),
            }
        }
    }

    fn encode(delivery: &Delivery) -> Result<String, PortError> {
        serde_json::to_string(delivery).map_err(|e| PortError::Invalid(e.to_string()))
    }
}

#[async_trait]
impl Ledger for RedisLedger {
    async fn claim(&self, round: &RoundId, delivery: &Delivery) -> Result<bool, PortError> {
        let key = self.key(round)?;
        let (field, value) = (delivery.field(), Self::encode(delivery)?);
        let ttl = self.retention.as_millis() as i64;
        let (claimed, _): (bool, bool) = self
            .retry("HSETNX", |mut c| {
                let (key, field, value) = (key.clone(), field.clone(), value.clone());
                async move {
                    redis::pipe()
                        .atomic()
                        .hset_nx(&key, field, value)
                        .pexpire(&key, ttl)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        Ok(claimed)
    }

    async fn record(&self, round: &RoundId, delivery: &Delivery) -> Result<(), PortError> {
        let key = self.key(round)?;
        let (field, value) = (delivery.field(), Self::encode(delivery)?);
        let ttl = self.retention.as_millis() as i64;
        self.retry("HSET", |mut c| {
            let (key, field, value) = (key.clone(), field.clone(), value.clone());
            async move {
                redis::pipe()
                    .atomic()
                    .hset(&key, field, value)
                    .ignore()
                    .pexpire(&key, ttl)
                    .ignore()
                    .query_async::<()>(&mut c)
                    .await
            }
        })
        .await
    }

    async fn deliveries(&self, round: &RoundId) -> Result<Vec<Delivery>, PortError> {
        let key = self.key(round)?;
        let all: BTreeMap<String, String> = self
            .retry("HGETALL", |mut c| {
                let key = key.clone();
                async move { c.hgetall(key).await }
            })
            .await?;
        all.into_iter()
            .map(|(field, json)| {
                serde_json::from_str(&json)
                    .map_err(|e| PortError::Invalid(format!("notice state {field}: {e}")))
            })
            .collect()
    }
}
