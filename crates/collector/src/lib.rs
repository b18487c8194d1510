//! The collector: the only writer of results into the store.
//!
//! For each result it publishes the follow-up jobs the round does not have yet, records the
//! result (first write wins, follow-ups added atomically) and only then acknowledges it — so
//! a crash anywhere leads to a redelivery that changes nothing or finishes the work. Dead
//! letters become `Dead` results, so a round with a poisoned job still completes and says so.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use spotcheck_core::job::{Job, JobId};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{Delivery, Lane, PortError, Queue, Store};
use spotcheck_core::round::{Round, RoundId};
use tokio::sync::watch;
use tracing::Instrument;

/// Called once for each round that this collector saw complete.
pub type OnComplete = Arc<dyn Fn(&RoundId) + Send + Sync>;

pub struct Collector {
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
    rounds: HashMap<RoundId, Arc<Round>>,
    on_complete: OnComplete,
}

impl Collector {
    pub fn new(store: Arc<dyn Store>, queue: Arc<dyn Queue>, on_complete: OnComplete) -> Self {
        Collector {
            store,
            queue,
            rounds: HashMap::new(),
            on_complete,
        }
    }

    /// Consumes results and dead letters until `stop` turns true or the queue closes.
    /// Results are handled one at a time: that keeps follow-up publishing free of races
    /// within a collector (a link on 300 pages is published once).
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) -> Result<(), PortError> {
        let mut results = self.queue.consume(Lane::Results, 64).await?;
        let mut dead = self.queue.consume(Lane::Dead, 16).await?;
        loop {
            tokio::select! {
                biased;
                _ = until_stop(&mut stop) => return Ok(()),
                d = results.next() => match d {
                    Some(Ok(d)) => self.settle(d, false).await,
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                d = dead.next() => match d {
                    Some(Ok(d)) => self.settle(d, true).await,
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
            }
        }
    }

    async fn settle(&mut self, d: Delivery, dead_lane: bool) {
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

    async fn handle_result(&mut self, body: &[u8]) -> Result<(), Handling> {
        let result = JobResult::decode(body).map_err(Handling::Poison)?;
        self.record(result).await
    }

    /// A dead letter is the job itself (a worker could not process it) or an unreadable
    /// result; a job becomes a `Dead` result so the round can complete.
    async fn handle_dead(&mut self, body: &[u8]) -> Result<(), Handling> {
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
    async fn record(&mut self, result: JobResult) -> Result<(), Handling> {
        let span = tracing::info_span!("result", round = %result.job.round, job = %result.job.id,
            kind = result.job.task.kind());
        self.record_in_span(result).instrument(span).await
    }

    async fn record_in_span(&mut self, result: JobResult) -> Result<(), Handling> {
        let kind = result.job.task.kind();
        let round = self.round(&result.job.round).await?;
        let follow = spotcheck_scheduler::follow_ups(&round, &result);
        let ids: Vec<JobId> = follow.iter().map(|j| j.id.clone()).collect();
        let fresh = self
            .store
            .unexpected(&round.id, &ids)
            .await
            .map_err(Handling::Retry)?;
        for job in follow.iter().filter(|j| fresh.contains(&j.id)) {
            self.queue
                .publish(Lane::Jobs, job.encode(), Duration::ZERO)
                .await
                .map_err(Handling::Retry)?;
            metrics::counter!("spotcheck_collector_follow_ups_published_total").increment(1);
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

    async fn round(&mut self, id: &RoundId) -> Result<Arc<Round>, Handling> {
        if let Some(r) = self.rounds.get(id) {
            return Ok(r.clone());
        }
        match self.store.round(id).await {
            Ok(Some(r)) => {
                let r = Arc::new(r);
                self.rounds.insert(id.clone(), r.clone());
                Ok(r)
            }
            Ok(None) => Err(Handling::Poison(format!("result for unknown round {id}"))),
            Err(e) => Err(Handling::Retry(e)),
        }
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
