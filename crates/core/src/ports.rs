//! The ports every deployment implements: the queue, the store, and the per-host gate.
//!
//! The check logic never knows which implementation it runs on: in-process (tokio channels
//! and memory, for `spotcheck run`) or RabbitMQ and Redis (for a pool). The shapes follow
//! what the distributed case needs: confirmed publishes, manual acknowledgement, redelivery
//! with a count, delayed messages, first-write-wins results, and politeness limits that hold
//! across every worker process.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::job::{Job, JobId};
use crate::outcome::JobResult;
use crate::round::{Round, RoundId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The broker or store cannot be reached now; retrying later may work.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The request itself is wrong; retrying will not help.
    #[error("{0}")]
    Invalid(String),
}

/// The queues of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Work for the workers.
    Jobs,
    /// Results for the collector.
    Results,
    /// Messages that failed every delivery attempt (or could not be read).
    Dead,
}

impl Lane {
    pub fn name(&self) -> &'static str {
        match self {
            Lane::Jobs => "jobs",
            Lane::Results => "results",
            Lane::Dead => "dead",
        }
    }
}

/// Settles one delivery. Dropping it unsettled returns the message to the queue (as a broker
/// does when a consumer goes away).
#[async_trait]
pub trait Acker: Send + Sync {
    async fn ack(self: Box<Self>) -> Result<(), PortError>;
    /// `requeue = false` sends the message to the dead lane.
    async fn reject(self: Box<Self>, requeue: bool) -> Result<(), PortError>;
}

/// The jobs or results of a message, as the roles hand them to each other. A queue between
/// processes carries them encoded (the default [`Queue::publish_parcel`]); the in-process
/// queue hands them over as they are, so a one-process round spends nothing on writing and
/// reading JSON it would only read back itself.
#[derive(Debug, Clone)]
pub enum Parcel {
    Jobs(Vec<Job>),
    Results(Vec<JobResult>),
}

impl Parcel {
    /// The message body a broker carries: a batch as [`Job::encode_batch`] or
    /// [`JobResult::encode_batch`] writes it.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Parcel::Jobs(jobs) => Job::encode_batch(jobs),
            Parcel::Results(results) => JobResult::encode_batch(results),
        }
    }
}

pub struct Delivery {
    /// The message as published; empty when the queue carried a [`Parcel`] unencoded.
    pub body: Vec<u8>,
    /// The jobs or results, when they were published in this process and never encoded;
    /// shared with the queue, which keeps them until the delivery is settled.
    pub parcel: Option<Arc<Parcel>>,
    /// How many times this message was delivered before (0 on the first delivery).
    pub redeliveries: u32,
    pub acker: Box<dyn Acker>,
}

impl Delivery {
    /// A message as a queue between processes delivers it: its bytes only.
    pub fn encoded(body: Vec<u8>, redeliveries: u32, acker: Box<dyn Acker>) -> Delivery {
        Delivery {
            body,
            parcel: None,
            redeliveries,
            acker,
        }
    }

    /// The jobs of the message: its parcel's, or its body's as [`Job::decode_batch`] reads
    /// them (refusing what a spotcheck would not have written).
    pub fn jobs(&self) -> Result<Vec<Job>, String> {
        match self.parcel.as_deref() {
            Some(Parcel::Jobs(jobs)) => Ok(jobs.clone()),
            Some(Parcel::Results(_)) => Err(RESULTS_NOT_JOBS.into()),
            None => Job::decode_batch(&self.body),
        }
    }

    /// The jobs of the message, for a consumer that reads them once: taken out of it, the
    /// body's bytes freed as soon as they are read.
    pub fn take_jobs(&mut self) -> Result<Vec<Job>, String> {
        match self.parcel.take() {
            Some(parcel) => match Arc::unwrap_or_clone(parcel) {
                Parcel::Jobs(jobs) => Ok(jobs),
                Parcel::Results(_) => Err(RESULTS_NOT_JOBS.into()),
            },
            None => Job::decode_batch(&std::mem::take(&mut self.body)),
        }
    }

    /// The results of the message: its parcel's as they are, or its body's as
    /// [`JobResult::decode_batch`] reads them.
    pub fn results(&self) -> Result<Cow<'_, [JobResult]>, String> {
        match self.parcel.as_deref() {
            Some(Parcel::Results(results)) => Ok(Cow::Borrowed(results)),
            Some(Parcel::Jobs(_)) => Err("a batch of jobs where results were expected".into()),
            None => JobResult::decode_batch(&self.body).map(Cow::Owned),
        }
    }
}

const RESULTS_NOT_JOBS: &str = "a batch of results where jobs were expected";

#[async_trait]
pub trait Consumer: Send {
    /// The next delivery; `None` once the consumer is closed (shutdown).
    async fn next(&mut self) -> Option<Result<Delivery, PortError>>;
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Publishes a message and returns once the queue holds it safely (publisher confirm).
    /// With a delay, the message becomes visible only after it.
    async fn publish(&self, lane: Lane, body: Vec<u8>, delay: Duration) -> Result<(), PortError>;

    /// Publishes jobs or results as [`publish`](Queue::publish) does; encoded, unless the
    /// queue stays within the process.
    async fn publish_parcel(
        &self,
        lane: Lane,
        parcel: Parcel,
        delay: Duration,
    ) -> Result<(), PortError> {
        self.publish(lane, parcel.encode(), delay).await
    }

    /// Starts consuming a lane with at most `prefetch` unsettled deliveries.
    async fn consume(&self, lane: Lane, prefetch: u16) -> Result<Box<dyn Consumer>, PortError>;
}

/// What recording a result changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// This was the job's first result (later ones change nothing).
    pub first: bool,
    /// This write completed the round; true for exactly one write per round.
    pub completed: bool,
}

/// A round's progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// Jobs the round has so far (grows as pages reveal links).
    pub total: u64,
    /// Jobs with a result.
    pub done: u64,
    /// Jobs whose result is a failure of the job itself (dead-lettered).
    pub dead: u64,
    /// All initial jobs are scheduled.
    pub sealed: bool,
    pub complete: bool,
}

impl Progress {
    /// A round's status as scripts read it (`round status --json`, the console's
    /// `GET /api/rounds/{id}`): one shape wherever it is asked for.
    pub fn status_json(&self, round: &crate::round::RoundId) -> serde_json::Value {
        serde_json::json!({
            "round": round.0,
            "jobs": {
                "total": self.total,
                "done": self.done,
                "dead_lettered": self.dead,
                "pending": self.total.saturating_sub(self.done),
            },
            "sealed": self.sealed,
            "complete": self.complete,
        })
    }
}

/// A connection URL fit for a log line or an error: its password replaced by `***`.
pub fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Stores a new round record.
    async fn create_round(&self, round: &Round) -> Result<(), PortError>;

    async fn round(&self, id: &RoundId) -> Result<Option<Round>, PortError>;

    /// Known rounds, oldest first.
    async fn rounds(&self) -> Result<Vec<RoundId>, PortError>;

    /// Adds jobs to the round; returns those it did not have yet (to be published).
    async fn add_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError>;

    /// Of these jobs, those the round does not have yet (a query; changes nothing). The
    /// collector publishes follow-up jobs only when this says they are new, then records the
    /// result that adds them: a crash in between republishes on redelivery, never loses one.
    async fn new_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError>;

    /// Marks every initial job as scheduled; true when that completed the round.
    async fn seal(&self, round: &RoundId) -> Result<bool, PortError>;

    /// Records a job's result, first write wins, and adds its follow-up jobs to the round —
    /// atomically, so a crash anywhere leaves either nothing or everything.
    async fn record(&self, result: &JobResult, follow_ups: &[JobId])
    -> Result<Recorded, PortError>;

    /// Records the results of several jobs that bring no follow-ups, each as [`Store::record`]
    /// would (first write wins), and returns what each write changed, in order. A pool's link
    /// checks arrive by the dozen; a store that can take them in one round trip should, or
    /// it becomes the pool's bottleneck.
    async fn record_batch(&self, results: &[JobResult]) -> Result<Vec<Recorded>, PortError> {
        let mut recorded = Vec::with_capacity(results.len());
        for r in results {
            recorded.push(self.record(r, &[]).await?);
        }
        Ok(recorded)
    }

    async fn progress(&self, round: &RoundId) -> Result<Progress, PortError>;

    /// Waits for this caller's turn at publishing the round's follow-up jobs, held until the
    /// permit is dropped: collectors take turns, so two pages linking one URL never both
    /// publish its check, whichever collectors record them (a rolling update runs two). A
    /// store shared by a pool holds the turn as a lease ([`FOLLOW_UP_LEASE`]), so a collector
    /// that dies holding it delays the others by that much at most. A store of one process
    /// has one collector, which takes turns within itself: the default holds nothing.
    async fn follow_up_turn(&self, _round: &RoundId) -> Result<HostPermit, PortError> {
        Ok(HostPermit::free())
    }

    /// Every result of the round, in job id order.
    async fn results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError>;

    /// Every result of the round, in job id order, handed to `each` at most [`RESULT_BATCH`]
    /// at a time. A reader that keeps only what it needs of each batch (a report reads little
    /// of a link check that found its link fine) never holds a big round's results at once: a
    /// province's round has 10⁶ of them. A store that keeps its results in memory anyway may
    /// hand out copies of them, as the default does.
    async fn results_in_batches(
        &self,
        round: &RoundId,
        each: &mut (dyn FnMut(Vec<JobResult>) + Send),
    ) -> Result<(), PortError> {
        let mut all = self.results(round).await?.into_iter();
        loop {
            let batch: Vec<JobResult> = all.by_ref().take(RESULT_BATCH).collect();
            if batch.is_empty() {
                return Ok(());
            }
            each(batch);
        }
    }

    /// Packs a completed round for keeping, dropping what only a round in progress needs (a
    /// round is kept for years; its bookkeeping for exactly-once writes is not). Nothing the
    /// round's results, progress or re-check need is lost; a round not complete, or packed
    /// already, is left as it is. A store whose rounds cost nothing to keep has nothing to do.
    async fn compact(&self, _round: &RoundId) -> Result<(), PortError> {
        Ok(())
    }
}

/// The most results [`Store::results_in_batches`] hands out at a time: a thousand decoded
/// results are a few hundred kilobytes, and a store reads them in a few round trips.
pub const RESULT_BATCH: usize = 1000;

/// How long a shared store keeps a collector's turn at a round's follow-ups when the
/// collector does not give it back (it died): publishing a page's follow-ups takes well under
/// a second, and a turn that outlives this only lets another collector publish a job twice.
pub const FOLLOW_UP_LEASE: Duration = Duration::from_secs(10);

/// Held while a request to a host is in flight, or while a collector has its turn at a round's
/// follow-ups ([`Store::follow_up_turn`]); dropping it frees the slot.
///
/// Opaque so that this crate needs no runtime: a gate puts whatever it must release inside
/// (a semaphore permit, a lease in a shared store) and releases it in that value's `Drop`.
pub struct HostPermit {
    /// Never read: it is here to be dropped.
    _held: Option<Box<dyn Send + Sync>>,
}

impl HostPermit {
    /// A permit that releases `inner` when dropped.
    pub fn new(inner: impl Send + Sync + 'static) -> HostPermit {
        HostPermit {
            _held: Some(Box::new(inner)),
        }
    }

    /// A permit that holds nothing (a gate without a concurrency limit).
    pub fn free() -> HostPermit {
        HostPermit { _held: None }
    }
}

impl std::fmt::Debug for HostPermit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostPermit")
    }
}

/// Per-host politeness: rate, concurrency and back-off. Every request — page, link, probe,
/// redirect hop — passes it first, because government sites are fragile and often sit behind
/// a WAF that bans aggressive clients.
///
/// In one process the limits are kept in memory; a pool keeps them in a shared store so they
/// hold however many workers run. A gate never fails: when its shared store is unreachable it
/// keeps the limits of its own process and says so in the log, because a stalled round helps
/// nobody and each process alone still respects the limits.
#[async_trait]
pub trait HostGate: Send + Sync {
    /// Waits until a request to `host` is allowed by rate, concurrency and back-off — and,
    /// when the gate limits addresses too, by the limits of `addr`, the address the request
    /// connects to (many hosts of one shared platform sit on one address); the request holds
    /// the permit until it is done.
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit;

    /// The host asked us to wait (429/503, `Retry-After`): no request to it — from any worker
    /// sharing the gate — before `wait` has passed. A longer pause already in force stays.
    async fn back_off(&self, host: &str, wait: Duration);
}

/// Makes the host gate for a round's limits (`[politeness]` of its plan): per process, or
/// shared by a pool. Rounds with the same limits may share one gate.
pub trait GateFactory: Send + Sync {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate>;
}
