//! The worker: takes jobs, does the HTTP work politely, judges, publishes results.
//!
//! A job is acknowledged only after its result is confirmed by the queue, so a crash at any
//! point means a redelivery, never a lost job. A check that panics is returned to the queue
//! (and dead-lettered at the delivery limit) instead of taking the worker down.
//!
//! [`fetch`] is the one way out to the network, [`judge`] tells working from broken,
//! [`checks`] has one module per kind of job, [`wechat`] reads official-account menus.

pub mod checks;
pub mod fetch;
mod intake;
pub mod judge;
pub mod secrets;
pub mod wechat;
pub mod wording;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use spotcheck_core::job::Job;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{Delivery, Lane, Parcel, PortError, Queue, Store};
use spotcheck_core::round::{Round, RoundId};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use fetch::{FetchConfig, Fetched, Fetcher};
use secrets::Secrets;
pub use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};

/// Everything a check needs about its round, built once per round per worker.
pub struct RoundContext {
    pub round: Arc<Round>,
    pub fetcher: Fetcher,
    pub secrets: Arc<dyn Secrets>,
    /// WeChat access tokens, shared by every round of this worker process: token requests
    /// have a small daily quota, and a new token from `/cgi-bin/token` ends the previous one.
    pub wechat_tokens: Arc<wechat::token::TokenCache>,
    /// The round's wrong phrases and leaders' names, one automaton for every page.
    pub wording: Arc<spotcheck_wording::Matcher>,
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs checked at once in this worker, and the most deliveries (batches of jobs) held at
    /// once; a new delivery is taken only while fewer than this many of the held jobs wait
    /// for a slot (see the `intake` module).
    pub prefetch: u16,
    /// How long in-flight jobs may finish after a stop before they are returned to the queue.
    pub grace: Duration,
    /// Drill: the check of every job whose task key contains this text panics, so operators
    /// (and tests) can rehearse redelivery and dead-lettering on a live pool.
    pub panic_on: Option<String>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            prefetch: 32,
            grace: Duration::from_secs(20),
            panic_on: None,
        }
    }
}

pub struct Worker {
    queue: Arc<dyn Queue>,
    store: Arc<dyn Store>,
    gates: Arc<dyn GateFactory>,
    secrets: Arc<dyn Secrets>,
    cfg: WorkerConfig,
    wechat_tokens: Arc<wechat::token::TokenCache>,
    contexts: Mutex<HashMap<RoundId, Arc<RoundContext>>>,
    /// Checks in flight at once (`prefetch`), however many jobs the deliveries carry.
    slots: Semaphore,
    /// When to take another delivery.
    intake: Arc<intake::Intake>,
    building: tokio::sync::Mutex<()>,
}

/// A job's check: its result (or why there is none) and the span its lines were logged in.
type Checked = (Result<(JobResult, InFlight), Unchecked>, tracing::Span);

enum NoContext {
    Retry(PortError),
    Unknown(String),
}

/// Why a job of a delivery was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unchecked {
    /// The store could not be reached to read the round: try again later.
    StoreAway,
    /// The round is not in the store: the job can never be checked.
    UnknownRound,
    /// The check panicked: try again, up to the delivery limit.
    Panicked,
    /// The job names a website, column or account its round's registry does not have: it
    /// was forged or corrupted, and is dropped.
    UnknownTarget,
}

impl Worker {
    pub fn new(
        queue: Arc<dyn Queue>,
        store: Arc<dyn Store>,
        gates: Arc<dyn GateFactory>,
        secrets: Arc<dyn Secrets>,
        cfg: WorkerConfig,
    ) -> Arc<Worker> {
        Arc::new(Worker {
            queue,
            store,
            gates,
            secrets,
            wechat_tokens: Arc::default(),
            contexts: Mutex::new(HashMap::new()),
            slots: Semaphore::new(usize::from(cfg.prefetch.max(1))),
            intake: Arc::new(intake::Intake::new(usize::from(cfg.prefetch))),
            building: tokio::sync::Mutex::new(()),
            cfg,
        })
    }

    /// Takes jobs until `stop` turns true or the queue closes; then stops taking jobs at once
    /// (the subscription is cancelled, so the broker hands the rest to other workers), lets
    /// in-flight jobs finish within the grace period and returns the rest to the queue.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) -> Result<(), PortError> {
        let mut consumer = self.queue.consume(Lane::Jobs, self.cfg.prefetch).await?;
        let mut tasks = JoinSet::new();
        let mut failure = None;
        loop {
            let room = self.intake.has_room();
            tokio::select! {
                biased;
                _ = until_stop(&mut stop) => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                _ = self.intake.freed(), if !room => {}
                d = consumer.next(), if room => match d {
                    Some(Ok(mut d)) => {
                        // Read here, so the next turn of the loop knows how many jobs wait.
                        let jobs = d
                            .take_jobs()
                            .map(|jobs| (self.intake.taken(jobs.len()), jobs));
                        let me = self.clone();
                        tasks.spawn(async move { me.handle(d, jobs).await });
                    }
                    Some(Err(e)) => {
                        failure = Some(e);
                        break;
                    }
                    None => break,
                },
            }
        }
        // No more jobs: deliveries already prefetched but not started return to the queue
        // when the channel closes, once the in-flight ones below are settled.
        drop(consumer);
        let in_flight = tasks.len();
        tracing::info!(
            in_flight,
            grace_secs = self.cfg.grace.as_secs_f64(),
            "taking no more jobs; finishing the ones in flight"
        );
        let drained = tokio::time::timeout(self.cfg.grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        let returned = tasks.len();
        if drained.is_err() {
            tracing::warn!(
                in_flight = returned,
                "grace period over; returning in-flight jobs to the queue"
            );
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        tracing::info!(finished = in_flight - returned, returned, "worker drained");
        failure.map_or(Ok(()), Err)
    }

    /// Handles one delivery: a batch of jobs (often a page's links), checked concurrently
    /// within the worker's `prefetch` bound. Their results go out as one message, and the
    /// delivery is acknowledged once the queue has confirmed it. A job that could not be
    /// checked (a panic, the store away) returns the whole delivery to the queue after the
    /// others' results are out: their re-check on redelivery changes nothing, because the
    /// first result of a job is the one that counts. A job of an unknown round sends the
    /// delivery to the dead lane; a job naming a target its round does not have is dropped
    /// (logged and counted), as no round waits for it.
    async fn handle(self: Arc<Self>, d: Delivery, jobs: Result<(intake::Taken, Vec<Job>), String>) {
        let (taken, jobs) = match jobs {
            Ok(j) => j,
            Err(e) => {
                tracing::error!("unreadable job sent to the dead lane: {e}");
                InFlight::start("unknown").failed("unreadable");
                settle(d.acker.reject(false).await);
                return;
            }
        };
        let checked = self.clone().check_all(jobs, d.redeliveries, taken).await;
        let mut results = Vec::new();
        let mut done = Vec::new();
        let mut unchecked = Vec::new();
        for (c, span) in checked {
            match c {
                Ok((result, metered)) => {
                    results.push(result);
                    done.push((metered, span));
                }
                Err(why) => unchecked.push(why),
            }
        }
        if !results.is_empty() {
            if let Err(e) = self
                .queue
                .publish_parcel(Lane::Results, Parcel::Results(results), Duration::ZERO)
                .await
            {
                tracing::warn!(
                    jobs = done.len(),
                    "results not confirmed ({e}); jobs returned to the queue"
                );
                for (mut metered, _) in done {
                    metered.failed("unconfirmed");
                }
                settle(d.acker.reject(true).await);
                return;
            }
        }
        if unchecked.is_empty() {
            let settled = d.acker.ack().await;
            for (mut metered, span) in done {
                let _in_job = span.enter();
                match &settled {
                    Ok(()) => {
                        tracing::debug!("result published, job acknowledged");
                        metered.succeeded();
                    }
                    Err(e) => {
                        tracing::warn!("settling a job failed (it will be redelivered): {e}");
                        metered.failed("unsettled");
                    }
                }
            }
            return;
        }
        // The checked jobs' results are confirmed: they count as done whatever happens to
        // the delivery.
        for (mut metered, _) in done {
            metered.succeeded();
        }
        if unchecked.contains(&Unchecked::StoreAway) {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let requeue = unchecked
            .iter()
            .any(|u| matches!(u, Unchecked::StoreAway | Unchecked::Panicked));
        if requeue {
            settle(d.acker.reject(true).await);
        } else if unchecked.contains(&Unchecked::UnknownRound) {
            settle(d.acker.reject(false).await);
        } else {
            // Only jobs of targets the round does not have are left: dropped, each logged.
            settle(d.acker.ack().await);
        }
    }

    /// Checks a delivery's jobs, each holding one of the worker's `prefetch` slots while it
    /// runs; the results come back in the jobs' order. A job waiting for a slot is only its
    /// job: its check — span, requests, their buffers — starts once it has one, so a worker
    /// holding a big delivery's waiting jobs holds little more than them.
    async fn check_all(
        self: Arc<Self>,
        jobs: Vec<Job>,
        redeliveries: u32,
        mut taken: intake::Taken,
    ) -> Vec<Checked> {
        let total = jobs.len();
        // Every job of the delivery counts as consumed (and in flight) at once.
        let metered: Vec<InFlight> = jobs
            .iter()
            .map(|j| InFlight::start(j.task.kind()))
            .collect();
        let waiting = metered.into_iter().zip(jobs).enumerate();
        let mut running = FuturesUnordered::new();
        let mut done = Vec::with_capacity(total);
        for (n, (mut metered, job)) in waiting {
            // One wait for a slot per job, kept while finished checks are gathered, so the
            // delivery keeps its turn among the others waiting for a slot.
            let acquire = self.slots.acquire();
            tokio::pin!(acquire);
            let slot = loop {
                tokio::select! {
                    biased;
                    Some(c) = running.next(), if !running.is_empty() => done.push(c),
                    slot = &mut acquire => break slot,
                }
            };
            taken.started();
            let Ok(slot) = slot else {
                // The semaphore is never closed; were it, the job goes back to the queue.
                metered.failed("interrupted");
                done.push((n, Err(Unchecked::Panicked), tracing::Span::none()));
                continue;
            };
            // Every line logged about the job carries its round, id and kind (the `job` span),
            // including those of the check itself.
            let span = tracing::info_span!("job", round = %job.round, job = %job.id,
                kind = job.task.kind());
            let check = Box::pin(self.clone().check_now(job, redeliveries, metered));
            running.push(async move {
                let c = check.instrument(span.clone()).await;
                drop(slot);
                (n, c, span)
            });
        }
        while let Some(c) = running.next().await {
            done.push(c);
        }
        done.sort_unstable_by_key(|(n, _, _)| *n);
        done.into_iter().map(|(_, c, span)| (c, span)).collect()
    }

    async fn check_now(
        self: Arc<Self>,
        job: Job,
        redeliveries: u32,
        mut metered: InFlight,
    ) -> Result<(JobResult, InFlight), Unchecked> {
        let ctx = match self.context(&job.round).await {
            Ok(c) => c,
            Err(NoContext::Retry(e)) => {
                tracing::warn!("store unavailable, job returned: {e}");
                metered.failed("store_unavailable");
                return Err(Unchecked::StoreAway);
            }
            Err(NoContext::Unknown(why)) => {
                tracing::error!("{why}; job sent to the dead lane");
                metered.failed("unknown_round");
                return Err(Unchecked::UnknownRound);
            }
        };
        // A panic in the check returns the job to the queue (and dead-letters it at the
        // delivery limit) instead of ending the worker. The check runs inside this task, not a
        // task of its own: when the grace period is over and this task is aborted, the check
        // ends with it — its requests stop and their per-host slots are handed back — rather
        // than run on unseen until the process exits and leave its slots to expire.
        let drill = self
            .cfg
            .panic_on
            .as_ref()
            .is_some_and(|p| job.task.key().contains(p.as_str()));
        let started = Instant::now();
        let outcome = AssertUnwindSafe(async {
            if drill {
                panic!("drill: check of {} made to fail", job.id);
            }
            checks::run(&ctx, &job).await
        })
        .catch_unwind()
        .await;
        match outcome {
            Ok(Err(why)) => {
                tracing::error!("{why}: job dropped (no scheduler of the round sent it)");
                metered.failed("unknown_target");
                Err(Unchecked::UnknownTarget)
            }
            Ok(Ok((o, wording))) => {
                metrics::histogram!("spotcheck_worker_job_duration_seconds", "kind" => metered.kind)
                    .record(started.elapsed().as_secs_f64());
                let mut result = JobResult::new(job, o);
                result.wording = wording;
                Ok((result, metered))
            }
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                tracing::error!(
                    redeliveries,
                    "check failed ({why}); job returned to the queue"
                );
                metered.failed("panicked");
                Err(Unchecked::Panicked)
            }
        }
    }

    async fn context(&self, id: &RoundId) -> Result<Arc<RoundContext>, NoContext> {
        if let Some(c) = self.lock().get(id) {
            return Ok(c.clone());
        }
        // One job builds a round's context while the others of the first batches wait for
        // it: a fetcher loads the trusted certificates and owns the connection pool, so one
        // per round, not one per job that arrived before it was ready.
        let _building = self.building.lock().await;
        if let Some(c) = self.lock().get(id) {
            return Ok(c.clone());
        }
        let round = match self.store.round(id).await {
            Ok(Some(r)) => Arc::new(r),
            Ok(None) => {
                return Err(NoContext::Unknown(format!(
                    "round {id} is not in the store"
                )));
            }
            Err(e) => return Err(NoContext::Retry(e)),
        };
        let gate = self.gates.gate(&round);
        let fetcher =
            Fetcher::new(FetchConfig::from_round(&round), gate).map_err(NoContext::Unknown)?;
        let wording = Arc::new(wording::matcher(&round));
        let ctx = Arc::new(RoundContext {
            wording,
            round,
            fetcher,
            secrets: self.secrets.clone(),
            wechat_tokens: self.wechat_tokens.clone(),
        });
        self.lock().insert(id.clone(), ctx.clone());
        Ok(ctx)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RoundId, Arc<RoundContext>>> {
        self.contexts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One job in flight, for the metrics: `spotcheck_worker_jobs_in_flight` while it lives, and
/// exactly one of succeeded or failed per consumed job — a job whose task is aborted at the
/// end of the grace period counts as failed with reason `interrupted` (it returns to the
/// queue). The `kind` label is the job's kind (a handful of values), `unknown` when unreadable.
struct InFlight {
    kind: &'static str,
    settled: bool,
}

impl InFlight {
    /// A delivery taken from the queue: counted as consumed at once.
    fn start(kind: &'static str) -> InFlight {
        metrics::counter!("spotcheck_worker_jobs_consumed_total", "kind" => kind).increment(1);
        metrics::gauge!("spotcheck_worker_jobs_in_flight").increment(1.0);
        InFlight {
            kind,
            settled: false,
        }
    }

    fn succeeded(&mut self) {
        self.settled = true;
        metrics::counter!("spotcheck_worker_jobs_succeeded_total", "kind" => self.kind)
            .increment(1);
    }

    fn failed(&mut self, reason: &'static str) {
        self.settled = true;
        metrics::counter!("spotcheck_worker_jobs_failed_total", "kind" => self.kind, "reason" => reason)
            .increment(1);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.settled {
            self.failed("interrupted");
        }
        metrics::gauge!("spotcheck_worker_jobs_in_flight").decrement(1.0);
    }
}

fn settle(r: Result<(), PortError>) {
    if let Err(e) = r {
        tracing::warn!("settling a job failed (it will be redelivered): {e}");
    }
}

/// The decoded text of a fetched HTML page; `None` for anything that is not HTML.
pub fn page_text(f: &Fetched) -> Option<String> {
    if !spotcheck_extract::charset::is_html(f.content_type.as_deref(), &f.body) {
        return None;
    }
    Some(spotcheck_extract::charset::decode(&f.body, f.content_type.as_deref()).text)
}

/// Resolves once `stop` turns true (or its sender is gone). The guard `wait_for` returns is
/// dropped here: it must not be held across the caller's `select!`.
async fn until_stop(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}
