//! The collector: the only writer of results into the store.
//!
//! For each result it publishes the follow-up jobs the round does not have yet, records the
//! result (first write wins, follow-ups added atomically) and only then acknowledges it — so
//! a crash anywhere leads to a redelivery that changes nothing or finishes the work.
//! Results are settled concurrently; those that bring follow-ups take turns. Dead
//! letters become `Dead` results, so a round with a poisoned job still completes and says so.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use spotcheck_core::job::{Job, JobId};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{Delivery, Lane, PortError, Queue, Store};
use spotcheck_core::round::{Round, RoundId};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

/// Called once for each round that this collector saw complete.
pub type OnComplete = Arc<dyn Fn(&RoundId) + Send + Sync>;

/// Results settled at once: the bound on unacknowledged results, and so on concurrent writes.
const IN_FLIGHT: u16 = 256;

/// Follow-up jobs published at once before their confirms are awaited together.
const PUBLISH_BATCH: usize = 512;

pub struct Collector {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
    rounds: Mutex<HashMap<RoundId, Arc<Round>>>,
    on_complete: OnComplete,
    /// Results that bring follow-up jobs are recorded one at a time, so two pages linking
    /// the same URL never both publish its check; results without follow-ups (most of
    /// them: link checks, probes) are recorded concurrently.
    follow_ups: tokio::sync::Mutex<()>,
}

impl Collector {
    pub fn new(store: Arc<dyn Store>, queue: Arc<dyn Queue>, on_complete: OnComplete) -> Self {
        Collector {
            shared: Arc::new(Shared {
                store,
                queue,
                rounds: Mutex::new(HashMap::new()),
                on_complete,
                follow_ups: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Consumes results and dead letters until `stop` turns true or the queue closes, then
    /// lets the results in hand finish (or returns them to the queue).
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> Result<(), PortError> {
        let queue = self.shared.queue.clone();
        let mut results = queue.consume(Lane::Results, IN_FLIGHT).await?;
        let mut dead = queue.consume(Lane::Dead, 16).await?;
        let mut tasks = JoinSet::new();
        let mut failure = None;
        loop {
            let (d, dead_lane) = tokio::select! {
                biased;
                _ = until_stop(&mut stop) => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
                d = results.next() => (d, false),
                d = dead.next() => (d, true),
            };
            match d {
                Some(Ok(d)) => {
                    let shared = self.shared.clone();
                    tasks.spawn(async move { shared.settle(d, dead_lane).await });
                }
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
                None => break,
            }
        }
        let drained = tokio::time::timeout(Duration::from_secs(10), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            // Unsettled deliveries go back to the queue when their tasks are dropped.
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        failure.map_or(Ok(()), Err)
    }
}

impl Shared {
    async fn settle(&self, d: Delivery, dead_lane: bool) {
        let lane = if dead_lane { "dead" } else { "results" };
        metrics::counter!("spotcheck_collector_messages_received_total", "lane" => lane)
            .increment(1);
        let outcome = if dead_lane {
            self.handle_dead(&d.body).await
        } else {
            self.handle_result(&d.body).await
        };
        let settled = match outcome {
            Ok(()) => d.acker.ack().await,
            Err(Handling::Poison(why)) => {
                metrics::counter!("spotcheck_collector_unreadable_total", "lane" => lane)
                    .increment(1);
                tracing::error!("unreadable message dropped to the dead lane: {why}");
                if dead_lane {
                    // Already dead: keep it out of the way rather than loop on it.
                    d.acker.ack().await
                } else {
                    d.acker.reject(false).await
                }
            }
            Err(Handling::Retry(e)) => {
                metrics::counter!("spotcheck_collector_retries_total").increment(1);
                tracing::warn!("store or queue unavailable, result returned for later: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                d.acker.reject(true).await
            }
        };
        if let Err(e) = settled {
            tracing::warn!("settling a delivery failed (it will be redelivered): {e}");
        }
    }

    async fn handle_result(&self, body: &[u8]) -> Result<(), Handling> {
        let result = JobResult::decode(body).map_err(Handling::Poison)?;
        self.record(result).await
    }

    /// A dead letter is the job itself (a worker could not process it) or an unreadable
    /// result; a job becomes a `Dead` result so the round can complete.
    async fn handle_dead(&self, body: &[u8]) -> Result<(), Handling> {
        match Job::decode(body) {
            Ok(job) => {
                tracing::error!(round = %job.round, job = %job.id, kind = job.task.kind(),
                    "job dead-lettered after every delivery attempt");
                metrics::counter!("spotcheck_collector_dead_letters_total", "kind" => job.task.kind())
                    .increment(1);
                let reason = "every delivery attempt failed".to_string();
                self.record(JobResult::new(job, Outcome::Dead { reason }))
                    .await
            }
            Err(e) => Err(Handling::Poison(e)),
        }
    }

    /// Every line logged about the result carries its round, job id and kind (the `result`
    /// span).
    async fn record(&self, result: JobResult) -> Result<(), Handling> {
        let span = tracing::info_span!("result", round = %result.job.round, job = %result.job.id,
            kind = result.job.task.kind());
        self.record_in_span(result).instrument(span).await
    }

    async fn record_in_span(&self, result: JobResult) -> Result<(), Handling> {
        let kind = result.job.task.kind();
        let round = self.round(&result.job.round).await?;
        let follow = spotcheck_scheduler::follow_ups(&round, &result);
        let ids: Vec<JobId> = follow.iter().map(|j| j.id.clone()).collect();
        let _serial = match follow.is_empty() {
            true => None,
            false => Some(self.follow_ups.lock().await),
        };
        if !follow.is_empty() {
            let fresh: HashSet<JobId> = self
                .store
                .unexpected(&round.id, &ids)
                .await
                .map_err(Handling::Retry)?
                .into_iter()
                .collect();
            let new: Vec<&Job> = follow.iter().filter(|j| fresh.contains(&j.id)).collect();
            for batch in new.chunks(PUBLISH_BATCH) {
                let sent = join_all(
                    batch
                        .iter()
                        .map(|job| self.queue.publish(Lane::Jobs, job.encode(), Duration::ZERO)),
                )
                .await;
                for r in sent {
                    r.map_err(Handling::Retry)?;
                }
                metrics::counter!("spotcheck_collector_follow_ups_published_total")
                    .increment(batch.len() as u64);
            }
        }
        let rec = self
            .store
            .record(&result, &ids)
            .await
            .map_err(Handling::Retry)?;
        if rec.first {
            metrics::counter!("spotcheck_collector_results_written_total", "kind" => kind)
                .increment(1);
        } else {
            tracing::debug!("result already recorded; nothing changed");
            metrics::counter!("spotcheck_collector_results_duplicate_total", "kind" => kind)
                .increment(1);
        }
        if rec.completed {
            metrics::counter!("spotcheck_collector_rounds_completed_total").increment(1);
            tracing::info!("round complete");
            (self.on_complete)(&round.id);
        }
        Ok(())
    }

    async fn round(&self, id: &RoundId) -> Result<Arc<Round>, Handling> {
        if let Some(r) = self.lock().get(id) {
            return Ok(r.clone());
        }
        match self.store.round(id).await {
            Ok(Some(r)) => {
                let r = Arc::new(r);
                self.lock().insert(id.clone(), r.clone());
                Ok(r)
            }
            Ok(None) => Err(Handling::Poison(format!("result for unknown round {id}"))),
            Err(e) => Err(Handling::Retry(e)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RoundId, Arc<Round>>> {
        self.rounds.lock().unwrap_or_else(|p| p.into_inner())
    }
}

enum Handling {
    /// The message can never be processed.
    Poison(String),
    /// A dependency failed; the message goes back to the queue.
    Retry(PortError),
}

/// Resolves once `stop` turns true (or its sender is gone). The guard `wait_for` returns is
/// dropped here: it must not be held across the caller's `select!`.
async fn until_stop(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}
