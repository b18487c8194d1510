//! Call batching: the asks of every host queue that asked while a call to Redis was out go
//! together in the next one, so a worker busy with many hosts makes one round trip for all.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use spotcheck_core::retry::Backoff;
use tokio::sync::oneshot;

use super::coordinator::Coordinator;
use super::queue::HostQueue;
use super::script::AskOutcome;
use super::{HORIZON, millis};
use crate::lock;

/// Most queues' asks one call to Redis carries.
const ASKS_PER_CALL: usize = 64;
/// Tries of one call before the requests waiting are told Redis is unreachable (they wait on).
const ATTEMPTS: u32 = 3;

/// The asks waiting for the gate's next call to Redis, and whether a task is calling.
#[derive(Default)]
pub(super) struct AskBatch {
    waiting: Vec<PendingAsk>,
    calling: bool,
}

/// One queue's ask, waiting for a call: `want` new leases numbered from `first`, rate cells
/// for them and for `usable` leases the queue holds unused, and `extra` cells more.
struct PendingAsk {
    queue: Arc<HostQueue>,
    first: u64,
    want: usize,
    usable: usize,
    extra: usize,
    outcome: oneshot::Sender<AskOutcome>,
}

impl Coordinator {
    /// Asks Redis for `want` new leases for `queue`, numbered from `first`, and rate cells for
    /// them, for `usable` leases held unused, and `extra` more. The ask joins the gate's next
    /// call.
    pub(super) async fn ask(
        self: &Arc<Self>,
        queue: &Arc<HostQueue>,
        first: u64,
        want: usize,
        usable: usize,
        extra: usize,
    ) -> AskOutcome {
        let (outcome, answered) = oneshot::channel();
        let call = {
            let mut batch = lock(&self.batch);
            batch.waiting.push(PendingAsk {
                queue: queue.clone(),
                first,
                want,
                usable,
                extra,
                outcome,
            });
            !std::mem::replace(&mut batch.calling, true)
        };
        if call {
            tokio::spawn(self.clone().call_for_waiting());
        }
        // The calling task answers every ask it takes; were it gone (the runtime shutting
        // down), the queue asks again.
        answered.await.unwrap_or(AskOutcome::Unreachable)
    }

    /// Calls Redis for the waiting asks, [`ASKS_PER_CALL`] at a time, until none waits.
    async fn call_for_waiting(self: Arc<Self>) {
        loop {
            let asks: Vec<PendingAsk> = {
                let mut batch = lock(&self.batch);
                if batch.waiting.is_empty() {
                    batch.calling = false;
                    return;
                }
                let n = batch.waiting.len().min(ASKS_PER_CALL);
                batch.waiting.drain(..n).collect()
            };
            let outcomes = self.call(&asks).await;
            for (ask, outcome) in asks.into_iter().zip(outcomes) {
                // A queue that stopped waiting (its runtime shut down) needs no answer.
                let _ = ask.outcome.send(outcome);
            }
        }
    }

    /// One script call for `asks` (with a few quick retries of a lost connection); an
    /// outcome per ask, in order.
    async fn call(&self, asks: &[PendingAsk]) -> Vec<AskOutcome> {
        let ttl_ms = millis(self.limits.lease_ttl);
        let holder_ms = if self.beaten.load(Ordering::Relaxed) {
            0
        } else {
            millis(self.limits.holder_ttl)
        };
        let horizon_us = u64::try_from(HORIZON.as_micros()).unwrap_or(u64::MAX);
        self.asks.fetch_add(1, Ordering::Relaxed);
        let mut inv = self.acquire.prepare_invoke();
        inv.arg(self.interval_us)
            .arg(self.tolerance_us)
            .arg(self.limits.concurrency)
            .arg(&self.lease_prefix)
            .arg(horizon_us)
            .arg(ttl_ms)
            .arg(&self.holder_prefix)
            .arg(&self.holder)
            .arg(holder_ms);
        for ask in asks {
            for k in &ask.queue.keys {
                inv.key(k);
            }
            inv.arg(ask.first)
                .arg(ask.want)
                .arg(ask.usable)
                .arg(ask.extra);
        }
        let backoff = Backoff::doubling(Duration::from_millis(50));
        for attempt in 1..=ATTEMPTS {
            let mut conn = self.conn.clone();
            let sent = Instant::now();
            let asked = sent + self.round_trips.one_way();
            let answer = inv.invoke_async::<Vec<i64>>(&mut conn).await;
            self.round_trips.record(sent.elapsed());
            match answer {
                Ok(a) if a.len() == asks.len() * 4 => {
                    return a
                        .chunks_exact(4)
                        .map(|a| AskOutcome::from_script(a, asked))
                        .collect();
                }
                Ok(a) => {
                    tracing::warn!(namespace = %self.ns, asks = asks.len(), answer = ?a,
                        "host gate: unexpected answer from Redis; keeping the local limits for now");
                    break;
                }
                Err(e) if attempt < ATTEMPTS => {
                    tracing::debug!(namespace = %self.ns, attempt, error = %e, "host gate: redis call failed; retrying");
                    tokio::time::sleep(backoff.delay(attempt - 1)).await;
                }
                Err(e) => {
                    self.warn_unreachable(&e);
                    break;
                }
            }
        }
        asks.iter().map(|_| AskOutcome::Unreachable).collect()
    }
}
