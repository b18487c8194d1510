//! What a gate shares with its background tasks (the hosts' queues asking Redis, lingering
//! leases, the heartbeat): the connection and scripts, the gate's name in the pool, the
//! parameters of its limits, this process's own limits, and the hosts' queues.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::redis::Script;
use spotcheck_core::Namespace;
use spotcheck_store::RedisLink;

use super::calls::AskBatch;
use super::lease::Lease;
use super::queue::HostQueue;
use super::round_trip::RoundTrips;
use super::{BATCH, GateLimits, PREPAY, Scope, jitter, script};
use crate::local::LocalLimits;
use crate::lock;

/// Returning leases waits at most this long for Redis; they expire by themselves anyway.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(2);
/// At most one "Redis unreachable" warning per this period, however many requests wait.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// Coordinates this process's requests with the pool's limits in Redis. Lives behind an
/// `Arc`: the gate and its background tasks all hold it.
pub(super) struct Coordinator {
    pub(super) conn: RedisLink,
    pub(super) ns: Namespace,
    /// `{ns}:host:` or `{ns}:ip:`, which starts the keys of what this coordinator limits.
    pub(super) key_base: String,
    pub(super) limits: GateLimits,
    pub(super) interval_us: u64,
    /// GCRA burst tolerance: how far ahead of its schedule a request may go (none: a burst
    /// of one, as in memory).
    pub(super) tolerance_us: u64,
    /// Cells prepaid at most ([`PREPAY`] of the rate), and how long after its time a cell
    /// is still used: half the rate's interval, so two requests to a host are at least half
    /// an interval apart, or [`PREPAY`] for a rate that fast.
    pub(super) prepay: usize,
    pub(super) validity: Duration,
    pub(super) acquire: Script,
    pub(super) pause: Script,
    /// This gate's name in its leases and holder key.
    pub(super) holder: String,
    /// `{holder}-`, which starts each of this gate's lease ids.
    pub(super) lease_prefix: String,
    pub(super) holder_prefix: String,
    /// The heartbeat has set the holder key once; until then each ask that takes leases sets
    /// it. (Were the key lost later — Redis restarted empty — the next beat sets it again;
    /// until then this worker's leases may be freed early, a host briefly over its limit.)
    pub(super) beaten: AtomicBool,
    /// Numbers the leases this gate asks for.
    pub(super) next_lease: AtomicU64,
    /// Calls to Redis made for asks, for [`RedisGate::asks`](super::RedisGate::asks).
    pub(super) asks: AtomicU64,
    /// How long this gate's calls usually take there and back.
    pub(super) round_trips: RoundTrips,
    /// Queues' asks waiting for the next call.
    pub(super) batch: Mutex<AskBatch>,
    queues: Mutex<HashMap<String, Arc<HostQueue>>>,
    /// This process's own limits, in front of the pool's; a pause Redis reports is kept
    /// here too, so this process's other requests for the host wait in memory.
    pub(super) local: LocalLimits,
    last_warning: Mutex<Option<Instant>>,
}

impl Coordinator {
    pub(super) fn new(
        conn: RedisLink,
        ns: &Namespace,
        scope: Scope,
        limits: GateLimits,
    ) -> Coordinator {
        let interval = limits.rate.interval().max(Duration::from_micros(1));
        let holder = format!("{:08x}{:08x}", std::process::id(), jitter::random());
        Coordinator {
            conn,
            ns: ns.clone(),
            key_base: format!("{ns}:{}:", scope.key_word()),
            limits,
            interval_us: u64::try_from(interval.as_micros()).unwrap_or(u64::MAX),
            tolerance_us: 0,
            prepay: usize::try_from(PREPAY.as_micros() / interval.as_micros())
                .unwrap_or(BATCH)
                .min(BATCH),
            validity: (interval / 2).max(PREPAY),
            acquire: script::acquire(),
            pause: script::pause(),
            lease_prefix: format!("{holder}-"),
            holder,
            holder_prefix: format!("{ns}:gate:holder:"),
            beaten: AtomicBool::new(false),
            next_lease: AtomicU64::new(0),
            asks: AtomicU64::new(0),
            round_trips: RoundTrips::new(),
            batch: Mutex::default(),
            queues: Mutex::new(HashMap::new()),
            local: LocalLimits::new(limits.rate, limits.concurrency),
            last_warning: Mutex::new(None),
        }
    }

    /// The host's queue in this process, made on first use.
    pub(super) fn queue(&self, host: &str) -> Arc<HostQueue> {
        let mut queues = lock(&self.queues);
        queues
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(HostQueue::new(&self.key_base, host)))
            .clone()
    }

    /// Forgets the queues of hosts nobody waits for and no lease is held for.
    pub(super) fn forget_idle_queues(&self) {
        // Only the map holds an unused queue: nobody can take it while the map is locked.
        lock(&self.queues).retain(|_, q| Arc::strong_count(q) > 1 || !q.state().is_empty());
    }

    pub(super) fn lease_id(&self, n: u64) -> String {
        format!("{}{n:x}", self.lease_prefix)
    }

    pub(super) fn warn_unreachable(&self, e: &::redis::RedisError) {
        let mut last = lock(&self.last_warning);
        if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(
                namespace = %self.ns,
                error = %e,
                "host gate: Redis unreachable; requests wait for it (the pool's per-host limits live there)"
            );
        }
    }

    /// Returns leases to Redis, in the background. Outside a runtime (or with Redis down)
    /// they expire by themselves.
    pub(super) fn give_back(&self, queue: &HostQueue, leases: Vec<Lease>) {
        if leases.is_empty() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut conn = self.conn.clone();
        let key = queue.keys[2].clone();
        rt.spawn(async move {
            let mut zrem = ::redis::cmd("ZREM");
            zrem.arg(&key);
            for l in &leases {
                zrem.arg(&l.id);
            }
            match tokio::time::timeout(RELEASE_TIMEOUT, zrem.query_async::<i64>(&mut conn)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::debug!(%key, error = %e, "leases not returned; they will expire")
                }
                Err(_) => tracing::debug!(%key, "returning leases timed out; they will expire"),
            }
        });
    }
}
