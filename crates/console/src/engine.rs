//! The console's hold on the pool: it starts rounds with the scheduler, reads progress and
//! results from the store, computes reports, and — with `--workers N` — runs a collector and
//! N workers in its own process.
//!
//! Connections are made when first needed and kept: a console whose broker or store is down
//! still serves its pages and says why it cannot start a round, and starts working as soon as
//! they are back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use spotcheck_bus::{AmqpOptions, AmqpQueue};
use spotcheck_collector::Collector;
use spotcheck_core::Namespace;
use spotcheck_core::ports::{Lane, PortError, Progress, Queue, Store, redact_password};
use spotcheck_core::round::{Round, RoundId};
use spotcheck_notify::{Notifier, RedisLedger};
use spotcheck_politeness::RedisGates;
use spotcheck_report::report_of;
use spotcheck_report::{Evidence, Report};
use spotcheck_store::RedisStore;
use spotcheck_worker::secrets::Secrets;
use spotcheck_worker::{Worker, WorkerConfig};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::failure::Failure;

/// Where the pool's broker and store are, as the other roles take them.
#[derive(Debug, Clone)]
pub struct Pool {
    pub amqp: String,
    pub redis: String,
    /// Prefix of every queue and key.
    pub namespace: Namespace,
    /// Prefix of the per-host limits' keys, which deployments on one Redis share.
    pub gates: Namespace,
    /// Deliveries of a job before it is dead-lettered.
    pub delivery_limit: u32,
}

/// How long a probe of the broker or the store may take before a start is refused.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A round, its progress and — once complete — its report.
#[derive(Clone)]
pub struct RoundView {
    pub round: Arc<Round>,
    pub progress: Progress,
    pub report: Option<Arc<Report>>,
}

/// A complete round and its report.
type Finished = (Arc<Round>, Arc<Report>);

pub struct Engine {
    pool: Pool,
    store: tokio::sync::Mutex<Option<Arc<RedisStore>>>,
    queue: tokio::sync::Mutex<Option<Arc<AmqpQueue>>>,
    /// Rounds and reports of complete rounds never change: read and computed once.
    finished: Mutex<HashMap<RoundId, Finished>>,
}

impl Engine {
    pub fn new(pool: Pool) -> Engine {
        Engine {
            pool,
            store: tokio::sync::Mutex::new(None),
            queue: tokio::sync::Mutex::new(None),
            finished: Mutex::new(HashMap::new()),
        }
    }

    pub fn namespace(&self) -> &Namespace {
        &self.pool.namespace
    }

    pub async fn store(&self) -> Result<Arc<RedisStore>, Failure> {
        let mut slot = self.store.lock().await;
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let store = RedisStore::connect(&self.pool.redis, &self.pool.namespace)
            .await
            .map(Arc::new)
            .map_err(|e| {
                Failure::unavailable(format!(
                    "无法连接 Redis（{}）：{e}",
                    redact_password(&self.pool.redis)
                ))
            })?;
        *slot = Some(store.clone());
        Ok(store)
    }

    pub async fn queue(&self) -> Result<Arc<AmqpQueue>, Failure> {
        let mut slot = self.queue.lock().await;
        if let Some(q) = slot.as_ref() {
            return Ok(q.clone());
        }
        let opts = AmqpOptions {
            delivery_limit: self.pool.delivery_limit,
            ..AmqpOptions::default()
        };
        let queue = AmqpQueue::connect(&self.pool.amqp, &self.pool.namespace, opts)
            .await
            .map(Arc::new)
            .map_err(|e| {
                Failure::unavailable(format!(
                    "无法连接 RabbitMQ（{}）：{e}",
                    redact_password(&self.pool.amqp)
                ))
            })?;
        *slot = Some(queue.clone());
        Ok(queue)
    }

    /// Both the broker and the store answer now, each within [`PROBE_TIMEOUT`]: checked
    /// before anything of a round is written, so a round is never left half-created because
    /// one of them was known to be down.
    async fn probe(&self) -> Result<(Arc<RedisStore>, Arc<AmqpQueue>), Failure> {
        let store = self.store().await?;
        let queue = self.queue().await?;
        let answer =
            |what: &str, r: Result<Result<(), PortError>, tokio::time::error::Elapsed>| match r {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(Failure::unavailable(format!("{what}不可用：{e}"))),
                Err(_) => Err(Failure::unavailable(format!(
                    "{what}在 {} 秒内没有响应",
                    PROBE_TIMEOUT.as_secs()
                ))),
            };
        let redis =
            tokio::time::timeout(PROBE_TIMEOUT, async { store.rounds().await.map(|_| ()) }).await;
        answer("Redis ", redis)?;
        let amqp = tokio::time::timeout(PROBE_TIMEOUT, async {
            queue.depth(Lane::Jobs).await.map(|_| ())
        })
        .await;
        answer("RabbitMQ ", amqp)?;
        Ok((store, queue))
    }

    /// Stores the round and publishes its jobs.
    pub async fn start(&self, round: &Round) -> Result<usize, Failure> {
        let (store, queue) = self.probe().await?;
        spotcheck_scheduler::start_round(store.as_ref(), queue.as_ref(), round)
            .await
            .map_err(|e| Failure::unavailable(format!("轮次未能启动：{e}")))
    }

    /// The re-check of a complete spot round as of `as_of`: only its targets with problems.
    pub async fn recheck_of(&self, id: &RoundId, as_of: NaiveDate) -> Result<Round, Failure> {
        let view = self.round(id).await?;
        let Some(report) = view.report else {
            return Err(Failure::conflict(format!(
                "轮次 {id} 尚未完成（{}/{} 项任务），完成后才能复查",
                view.progress.done, view.progress.total
            )));
        };
        if view.round.parent.is_some() {
            return Err(Failure::conflict(format!(
                "轮次 {id} 本身是复查，请对原抽查轮次发起复查"
            )));
        }
        let scope = spotcheck_report::recheck_scope(&report);
        let salt = format!("{:?}", std::time::SystemTime::now());
        Ok(spotcheck_scheduler::recheck_round(
            &view.round,
            scope,
            as_of,
            &salt,
        ))
    }

    /// Every round in the store, oldest first.
    pub async fn rounds(&self) -> Result<Vec<RoundView>, Failure> {
        let store = self.store().await?;
        let ids = store.rounds().await.map_err(store_failure)?;
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            match self.round(&id).await {
                Ok(v) => views.push(v),
                Err(f) if f.is_not_found() => {}
                Err(f) => return Err(f),
            }
        }
        Ok(views)
    }

    /// A round with its progress, and its report once it is complete; 404 for an id the store
    /// does not have.
    pub async fn round(&self, id: &RoundId) -> Result<RoundView, Failure> {
        if !RoundId::is_valid(&id.0) {
            return Err(Failure::not_found(format!("没有轮次 {id}")));
        }
        let store = self.store().await?;
        let progress = store.progress(id).await.map_err(store_failure)?;
        if let Some((round, report)) = self.cached(id) {
            return Ok(RoundView {
                round,
                progress,
                report: Some(report),
            });
        }
        let round = store
            .round(id)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| Failure::not_found(format!("没有轮次 {id}")))?;
        let round = Arc::new(round);
        if !progress.complete {
            return Ok(RoundView {
                round,
                progress,
                report: None,
            });
        }
        let report = Arc::new(self.compute(&store, &round).await?);
        self.finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), (round.clone(), report.clone()));
        Ok(RoundView {
            round,
            progress,
            report: Some(report),
        })
    }

    fn cached(&self, id: &RoundId) -> Option<Finished> {
        self.finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    /// The report of a complete round: a spot round's own, or a re-check's on top of its
    /// parent's results.
    async fn compute(&self, store: &RedisStore, round: &Arc<Round>) -> Result<Report, Failure> {
        // What the report reads of the results, a batch at a time (see `Evidence`).
        let evidence = Evidence::read(store, &round.id)
            .await
            .map_err(store_failure)?;
        let parent = match &round.parent {
            Some(p) => {
                let parent = store
                    .round(p)
                    .await
                    .map_err(store_failure)?
                    .ok_or_else(|| Failure::not_found(format!("复查的原轮次 {p} 不在存储中")))?;
                let parent_evidence = Evidence::read(store, p).await.map_err(store_failure)?;
                Some((parent, parent_evidence))
            }
            None => None,
        };
        let round = round.clone();
        tokio::task::spawn_blocking(move || {
            let parent = parent.as_ref().map(|(p, e)| e.of(p));
            report_of(evidence.of(&round), parent)
        })
        .await
        .map_err(|e| Failure::internal(format!("计算报告失败：{e}")))
    }

    /// Runs a collector and `workers` workers in this process until `stop` turns true.
    pub async fn run_roles(
        self: Arc<Self>,
        workers: usize,
        secrets: Arc<dyn Secrets>,
        stop: watch::Receiver<bool>,
    ) -> Result<JoinSet<()>, Failure> {
        let store = self.store().await?;
        let queue = self.queue().await?;
        let mut roles = JoinSet::new();
        let s: Arc<dyn Store> = store.clone();
        let q: Arc<dyn Queue> = queue.clone();
        let notifier = Arc::new(Notifier::new(Arc::new(RedisLedger::new(&store))));
        let announce_from = s.clone();
        let collector = Collector::new(
            s.clone(),
            q.clone(),
            Arc::new(move |id: &RoundId| {
                tracing::info!(round = %id, "round complete");
                notifier.spawn_for_stored(announce_from.clone(), id.clone());
            }),
        );
        let stopped = stop.clone();
        roles.spawn(async move {
            if let Err(e) = collector.run(stopped).await {
                tracing::error!("collector stopped: {e}");
            }
        });
        let gates = Arc::new(RedisGates::new(&store, self.pool.gates.clone()));
        for _ in 0..workers {
            let worker = Worker::new(
                q.clone(),
                s.clone(),
                gates.clone(),
                secrets.clone(),
                WorkerConfig::default(),
            );
            let stopped = stop.clone();
            roles.spawn(async move {
                if let Err(e) = worker.run(stopped).await {
                    tracing::error!("worker stopped: {e}");
                }
            });
        }
        tracing::info!(workers, namespace = %self.pool.namespace, "collector and workers running in the console");
        Ok(roles)
    }

    /// Closes the broker connection once the roles have stopped.
    pub async fn close(&self) {
        if let Some(q) = self.queue.lock().await.as_ref() {
            q.close().await;
        }
    }
}

fn store_failure(e: PortError) -> Failure {
    Failure::unavailable(format!("读取存储失败：{e}"))
}
