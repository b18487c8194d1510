//! The collector: the only writer of results into the store.
//!
//! For each result it publishes the follow-up jobs the round does not have yet, records the
//! result (first write wins, follow-ups added atomically) and only then acknowledges it — so
//! a crash anywhere leads to a redelivery that changes nothing or finishes the work.
//! Messages are settled concurrently. A message carries the results of a batch of jobs:
//! those without follow-ups are recorded in one store operation, those that bring follow-ups
//! take turns, and the message is acknowledged when all are in. Follow-ups go out a batch to
//! a message. Dead letters become `Dead` results, so a round with a poisoned job still
//! completes and says so. A result the store or the broker refuses is held and written again
//! until it goes in ([`Stall`]), never returned to the queue, where the delivery limit would
//! dead-letter it.

mod stall;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use spotcheck_core::job::{Job, JobId};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{Delivery, Lane, Parcel, PortError, Queue, Recorded, Store};
use spotcheck_core::retry::Backoff;
use spotcheck_core::round::{Round, RoundId};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

pub use stall::Stall;

/// Called once for each round that this collector saw complete.
pub type OnComplete = Arc<dyn Fn(&RoundId) + Send + Sync>;

/// Result messages settled at once: the bound on unacknowledged messages, and so (with the
/// results each carries) on concurrent writes.
const IN_FLIGHT: u16 = 64;

/// Follow-up jobs per queue message, at least and at most. A broker's cost is per message (and
/// so is the collector's: one store write per result message), and a worker checks a
/// message's jobs side by side: a page's 10,000 links go out as [`MESSAGES`] messages of 500
/// jobs, a page's 300 links as 19 messages of 16, so a round's links still spread over the
/// workers of a pool. On a slow 2-core machine a 3-worker pool checked a page of 10,000 links
/// about 6 % faster in 20 messages than in 40, and 20–30 % slower in 160.
const JOBS_PER_MESSAGE: std::ops::RangeInclusive<usize> = 16..=512;
/// Follow-ups are split into about this many messages, within [`JOBS_PER_MESSAGE`].
const MESSAGES: usize = 20;

/// Follow-up messages awaiting their confirms at once.
const MESSAGES_PER_WAVE: usize = 64;

/// Follow-ups the store is asked about at once: a page's few hundred links in one question,
/// a page of 10,000 in ten, the first messages going out after the first.
const ASK_AT_ONCE: usize = 1_000;

/// A dead job its round does not have is returned to the dead lane this many times, a
/// [`FOREIGN_PAUSE`] apart, before it is dropped: a follow-up can die before the result that
/// adds it to its round is recorded (a page's links are published first), and that record
/// comes within moments; a job no scheduler of the round sent never belongs to it.
const FOREIGN_DELIVERIES: u32 = 10;
const FOREIGN_PAUSE: Duration = Duration::from_millis(500);

/// Between two attempts at writing a held result (see [`Stall`]).
const HOLD_FIRST: Duration = Duration::from_millis(200);
const HOLD_MAX: Duration = Duration::from_secs(5);

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
    stall: Stall,
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
                stall: Stall::default(),
            }),
        }
    }

    /// Whether results are being held unwritten now, for the role's readiness.
    pub fn stall(&self) -> Stall {
        self.shared.stall.clone()
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
        // A result the store or the broker could not take is held, unacknowledged, and
        // written again until it goes in (see [`Stall`]).
        let backoff = Backoff::new(HOLD_FIRST, HOLD_MAX);
        let mut held = None;
        let mut attempt = 0;
        let settled = loop {
            let outcome = if dead_lane {
                self.handle_dead(&d).await
            } else {
                self.handle_result(&d).await
            };
            match outcome {
                Ok(()) => {
                    if held.take().is_some() {
                        tracing::info!(attempts = attempt + 1, lane, "held result written");
                    }
                    break d.acker.ack().await;
                }
                Err(Handling::Poison(why)) => {
                    metrics::counter!("spotcheck_collector_unreadable_total", "lane" => lane)
                        .increment(1);
                    if dead_lane {
                        // Already dead: keep it out of the way rather than loop on it.
                        tracing::error!("unreadable dead letter dropped: {why}");
                        break d.acker.ack().await;
                    }
                    tracing::error!("unreadable result sent to the dead lane: {why}");
                    break d.acker.reject(false).await;
                }
                Err(Handling::NotYet) => {
                    tokio::time::sleep(FOREIGN_PAUSE).await;
                    break d.acker.reject(true).await;
                }
                Err(Handling::Retry(e)) => {
                    metrics::counter!("spotcheck_collector_retries_total").increment(1);
                    match &held {
                        None => {
                            tracing::warn!(error = %e, lane,
                                "cannot write a result; holding it unacknowledged until it goes in");
                            held = Some(self.stall.hold(&e));
                        }
                        Some(h) => h.again(&e),
                    }
                    tokio::time::sleep(backoff.delay(attempt)).await;
                    attempt = attempt.saturating_add(1);
                }
            }
        };
        if let Err(e) = settled {
            tracing::warn!("settling a delivery failed (it will be redelivered): {e}");
        }
    }

    /// The results of a batch of jobs, recorded concurrently (those bringing follow-ups take
    /// turns); the delivery is settled when every one of them is recorded.
    async fn handle_result(&self, d: &Delivery) -> Result<(), Handling> {
        let results = d.results().map_err(Handling::Poison)?;
        self.record_all(&results).await
    }

    /// A dead letter is a batch of jobs (a worker could not process them) or an unreadable
    /// result; each job becomes a `Dead` result so the round can complete — except those
    /// that already have a result, which the first-write-wins record keeps, and those their
    /// round does not have, which are dropped (after [`FOREIGN_DELIVERIES`]): they were forged,
    /// and no round waits for them or may report them.
    async fn handle_dead(&self, d: &Delivery) -> Result<(), Handling> {
        let redeliveries = d.redeliveries;
        let jobs = d.jobs().map_err(Handling::Poison)?;
        let mut theirs = Vec::with_capacity(jobs.len());
        for job in jobs {
            let round = self.round(&job.round).await?;
            let foreign = self
                .store
                .new_jobs(&round.id, std::slice::from_ref(&job.id))
                .await
                .map_err(Handling::Retry)?;
            if foreign.is_empty() {
                theirs.push(job);
            } else if redeliveries + 1 < FOREIGN_DELIVERIES {
                return Err(Handling::NotYet);
            } else {
                tracing::error!(round = %job.round, job = %job.id, kind = job.task.kind(),
                    "dead job its round does not have dropped");
                metrics::counter!("spotcheck_collector_foreign_jobs_total", "kind" => job.task.kind())
                    .increment(1);
            }
        }
        for job in &theirs {
            tracing::error!(round = %job.round, job = %job.id, kind = job.task.kind(),
                "job dead-lettered after every delivery attempt");
            metrics::counter!("spotcheck_collector_dead_letters_total", "kind" => job.task.kind())
                .increment(1);
        }
        let reason = "every delivery attempt failed";
        let dead = theirs.into_iter().map(|job| {
            JobResult::new(
                job,
                Outcome::Dead {
                    reason: reason.into(),
                },
            )
        });
        self.record_all(&dead.collect::<Vec<_>>()).await
    }

    /// Records a delivery's results. Those that bring follow-up jobs (pages) are recorded
    /// one by one, publishing their follow-ups first; the rest (link checks, probes — nearly
    /// all of them) are recorded together in one store operation.
    async fn record_all(&self, results: &[JobResult]) -> Result<(), Handling> {
        let mut plain = Vec::new();
        let mut leading = Vec::new();
        for (n, result) in results.iter().enumerate() {
            let round = self.round(&result.job.round).await?;
            let follow = spotcheck_scheduler::follow_ups(&round, result);
            if follow.is_empty() {
                plain.push(n);
            } else {
                leading.push((round, result, follow));
            }
        }
        // Nearly always the whole delivery (a page's link checks), recorded as it came.
        let plain: Cow<[JobResult]> = if leading.is_empty() {
            Cow::Borrowed(results)
        } else {
            Cow::Owned(plain.into_iter().map(|n| results[n].clone()).collect())
        };
        let with_follow_ups = join_all(leading.into_iter().map(|(round, result, follow)| {
            let span = result_span(result);
            self.record_with_follow_ups(round, result, follow)
                .instrument(span)
        }));
        let (with_follow_ups, without) = tokio::join!(with_follow_ups, self.record_plain(&plain));
        without?;
        // A retry wins over poison: the delivery comes back, and what was recorded stays.
        let mut failure = None;
        for r in with_follow_ups {
            match r {
                Ok(()) => {}
                Err(e @ Handling::Retry(_)) => return Err(e),
                Err(e) => failure = Some(e),
            }
        }
        failure.map_or(Ok(()), Err)
    }

    async fn record_plain(&self, results: &[JobResult]) -> Result<(), Handling> {
        if results.is_empty() {
            return Ok(());
        }
        let recorded = self
            .store
            .record_batch(results)
            .await
            .map_err(Handling::Retry)?;
        for (result, rec) in results.iter().zip(recorded) {
            result_span(result).in_scope(|| self.recorded(result, rec));
        }
        Ok(())
    }

    /// Publishes the follow-up jobs the round does not have yet, then records the result
    /// that adds them. The follow-ups are sorted out a message's worth at a time, each
    /// message published as soon as it is full: a page's first links are being checked while
    /// the store is still asked about the rest ([`ASK_AT_ONCE`]), not after all are sorted out.
    async fn record_with_follow_ups(
        &self,
        round: Arc<Round>,
        result: &JobResult,
        follow: Vec<Job>,
    ) -> Result<(), Handling> {
        let ids: Vec<JobId> = follow.iter().map(|j| j.id.clone()).collect();
        // Two pages linking the same URL never both publish its check: this collector's
        // tasks take turns, and so do the collectors of a pool (a rolling update runs two).
        let _serial = self.follow_ups.lock().await;
        let _turn = self
            .store
            .follow_up_turn(&round.id)
            .await
            .map_err(Handling::Retry)?;
        // Sized on all the follow-ups: when most are in the round already (a second page
        // linking the same menu), the new ones still travel in few messages.
        let per_message = follow
            .len()
            .div_ceil(MESSAGES)
            .clamp(*JOBS_PER_MESSAGE.start(), *JOBS_PER_MESSAGE.end());
        let mut sending = JoinSet::new();
        let mut full = Vec::with_capacity(per_message);
        let mut published = 0;
        for (jobs, chunk) in follow.chunks(ASK_AT_ONCE).zip(ids.chunks(ASK_AT_ONCE)) {
            let fresh: HashSet<JobId> = self
                .store
                .new_jobs(&round.id, chunk)
                .await
                .map_err(Handling::Retry)?
                .into_iter()
                .collect();
            full.extend(jobs.iter().filter(|j| fresh.contains(&j.id)).cloned());
            while full.len() >= per_message {
                let jobs: Vec<Job> = full.drain(..per_message).collect();
                published += jobs.len();
                self.send_follow_ups(&mut sending, jobs).await?;
            }
        }
        if !full.is_empty() {
            published += full.len();
            self.send_follow_ups(&mut sending, full).await?;
        }
        while !sending.is_empty() {
            confirmed(sending.join_next().await)?;
        }
        metrics::counter!("spotcheck_collector_follow_ups_published_total")
            .increment(published as u64);
        let rec = self
            .store
            .record(result, &ids)
            .await
            .map_err(Handling::Retry)?;
        self.recorded(result, rec);
        Ok(())
    }

    /// Publishes a message of follow-ups in the background; at most a wave of messages
    /// awaits its confirm at a time.
    async fn send_follow_ups(
        &self,
        sending: &mut JoinSet<Result<(), PortError>>,
        jobs: Vec<Job>,
    ) -> Result<(), Handling> {
        while sending.len() >= MESSAGES_PER_WAVE {
            confirmed(sending.join_next().await)?;
        }
        let queue = self.queue.clone();
        sending.spawn(async move {
            queue
                .publish_parcel(Lane::Jobs, Parcel::Jobs(jobs), Duration::ZERO)
                .await
        });
        Ok(())
    }

    /// Counts a write and announces the round's completion.
    fn recorded(&self, result: &JobResult, rec: Recorded) {
        let kind = result.job.task.kind();
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
            (self.on_complete)(&result.job.round);
            // Packed in the background: the other rounds' results keep flowing meanwhile.
            // Should it fail, the round's first reader (`report`) packs it.
            let (store, round) = (self.store.clone(), result.job.round.clone());
            tokio::spawn(async move {
                if let Err(e) = store.compact(&round).await {
                    tracing::warn!(%round, "packing the completed round failed: {e}");
                }
            });
        }
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
            Ok(None) => Err(Handling::Poison(format!("unknown round {id}"))),
            Err(e) => Err(Handling::Retry(e)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RoundId, Arc<Round>>> {
        self.rounds.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A follow-up message's publish, once confirmed; a task that ended without a confirm (it
/// panicked) counts as a failed publish, and the result is written again.
fn confirmed(
    joined: Option<Result<Result<(), PortError>, tokio::task::JoinError>>,
) -> Result<(), Handling> {
    match joined {
        None | Some(Ok(Ok(()))) => Ok(()),
        Some(Ok(Err(e))) => Err(Handling::Retry(e)),
        Some(Err(e)) => Err(Handling::Retry(PortError::Unavailable(format!(
            "publishing follow-ups failed: {e}"
        )))),
    }
}

/// Every line logged about a result carries its round, job id and kind.
fn result_span(result: &JobResult) -> tracing::Span {
    tracing::info_span!("result", round = %result.job.round, job = %result.job.id,
        kind = result.job.task.kind())
}

enum Handling {
    /// The message can never be processed.
    Poison(String),
    /// A dependency failed; the message is held and handled again (see [`Stall`]).
    Retry(PortError),
    /// A dead job its round does not have (yet): back to the dead lane for a while.
    NotYet,
}

/// Resolves once `stop` turns true (or its sender is gone). The guard `wait_for` returns is
/// dropped here: it must not be held across the caller's `select!`.
async fn until_stop(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}
