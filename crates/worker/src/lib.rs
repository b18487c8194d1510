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
pub mod judge;
pub mod secrets;
pub mod wechat;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use spotcheck_core::job::Job;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{Delivery, Lane, PortError, Queue, Store};
use spotcheck_core::round::{Round, RoundId};
use tokio::sync::watch;
use tokio::task::JoinSet;

use fetch::politeness::MemoryGate;
pub use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use fetch::{FetchConfig, Fetched, Fetcher};
use secrets::Secrets;

/// Everything a check needs about its round, built once per round per worker.
pub struct RoundContext {
    pub round: Arc<Round>,
    pub fetcher: Fetcher,
    pub secrets: Arc<dyn Secrets>,
    /// WeChat access tokens, shared by every round of this worker process: token requests
    /// have a small daily quota, and a new token from `/cgi-bin/token` ends the previous one.
    pub wechat_tokens: Arc<wechat::token::TokenCache>,
}

/// Limits within this process only (the embedded mode, where this process is the whole pool).
#[derive(Default)]
pub struct MemoryGates {
    gates: Mutex<HashMap<String, Arc<MemoryGate>>>,
}

impl GateFactory for MemoryGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        let p = &round.plan.politeness;
        let key = format!("{}|{}", p.per_host_rate, p.per_host_concurrency);
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        gates
            .entry(key)
            .or_insert_with(|| Arc::new(MemoryGate::new(p.per_host_rate, p.per_host_concurrency)))
            .clone()
    }
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs in flight at once in this worker.
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
}

enum NoContext {
    Retry(PortError),
    Unknown(String),
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
            cfg,
            wechat_tokens: Arc::default(),
            contexts: Mutex::new(HashMap::new()),
        })
    }

    /// Takes jobs until `stop` turns true or the queue closes; then lets in-flight jobs finish
    /// within the grace period and returns the rest to the queue.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) -> Result<(), PortError> {
        let mut consumer = self.queue.consume(Lane::Jobs, self.cfg.prefetch).await?;
        let mut tasks = JoinSet::new();
        let mut failure = None;
        loop {
            tokio::select! {
                biased;
                _ = until_stop(&mut stop) => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                d = consumer.next() => match d {
                    Some(Ok(d)) => {
                        let me = self.clone();
                        tasks.spawn(async move { me.handle(d).await });
                    }
                    Some(Err(e)) => {
                        failure = Some(e);
                        break;
                    }
                    None => break,
                },
            }
        }
        let drained = tokio::time::timeout(self.cfg.grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                in_flight = tasks.len(),
                "grace period over; returning in-flight jobs to the queue"
            );
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        drop(consumer);
        failure.map_or(Ok(()), Err)
    }

    async fn handle(self: Arc<Self>, d: Delivery) {
        let job = match Job::decode(&d.body) {
            Ok(j) => j,
            Err(e) => {
                tracing::error!("unreadable job sent to the dead lane: {e}");
                settle(d.acker.reject(false).await);
                return;
            }
        };
        let ctx = match self.context(&job.round).await {
            Ok(c) => c,
            Err(NoContext::Retry(e)) => {
                tracing::warn!(round = %job.round, job = %job.id, "store unavailable, job returned: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                settle(d.acker.reject(true).await);
                return;
            }
            Err(NoContext::Unknown(why)) => {
                tracing::error!(round = %job.round, job = %job.id, "{why}; job sent to the dead lane");
                settle(d.acker.reject(false).await);
                return;
            }
        };
        let span = tracing::info_span!("job", round = %job.round, job = %job.id, kind = job.task.kind());
        let _enter = span.enter();
        drop(_enter);
        // The check runs in its own task so that a panic in it returns the job to the queue
        // (and dead-letters it at the delivery limit) instead of ending the worker.
        let run_job = job.clone();
        let drill = self
            .cfg
            .panic_on
            .as_ref()
            .is_some_and(|p| job.task.key().contains(p.as_str()));
        let outcome = tokio::spawn(async move {
            if drill {
                panic!("drill: check of {} made to fail", run_job.id);
            }
            checks::run(&ctx, &run_job).await
        })
        .await;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(parent: &span, redeliveries = d.redeliveries,
                    "check failed ({e}); job returned to the queue");
                settle(d.acker.reject(true).await);
                return;
            }
        };
        let result = JobResult::new(job, outcome);
        match self
            .queue
            .publish(Lane::Results, result.encode(), Duration::ZERO)
            .await
        {
            Ok(()) => settle(d.acker.ack().await),
            Err(e) => {
                tracing::warn!(parent: &span, "result not confirmed ({e}); job returned to the queue");
                settle(d.acker.reject(true).await);
            }
        }
    }

    async fn context(&self, id: &RoundId) -> Result<Arc<RoundContext>, NoContext> {
        if let Some(c) = self.lock().get(id) {
            return Ok(c.clone());
        }
        let round = match self.store.round(id).await {
            Ok(Some(r)) => Arc::new(r),
            Ok(None) => return Err(NoContext::Unknown(format!("round {id} is not in the store"))),
            Err(e) => return Err(NoContext::Retry(e)),
        };
        let gate = self.gates.gate(&round);
        let fetcher = Fetcher::new(FetchConfig::from_round(&round), gate)
            .map_err(NoContext::Unknown)?;
        let ctx = Arc::new(RoundContext {
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
