//! Politeness for a whole pool: per-host rate, concurrency and back-off kept in Redis, so the
//! plan's `[politeness]` limits hold however many worker processes run.
//!
//! Government sites are fragile and often sit behind a WAF that bans aggressive clients; a pool
//! of ten workers that each kept "2/s" to themselves would send 20/s. Here a process asks Redis
//! before its requests go, in one Lua script (`acquire.lua`) that checks, in order:
//!
//! 1. the host's **pause** (`{ns}:host:{host}:pause`), set by [`HostGate::back_off`] when the
//!    host answered 429/503 — so a `Retry-After` seen by one worker stops them all;
//! 2. the host's **leases** (`{ns}:host:{host}:leases`), a sorted set of the slots workers
//!    hold, scored by their expiry: at most `per_host_concurrency` across the pool. Each lease
//!    names its holder (`{holder}-{n}`), and every gate keeps a short-lived holder key
//!    (`{ns}:gate:holder:{holder}`) alive while it runs (`heartbeat`): when a host's slots
//!    are all taken, the leases of holders whose key has lapsed — a worker killed
//!    mid-request — are freed on the spot, so a crash stalls a host for seconds
//!    ([`GateLimits::holder_ttl`]) rather than until its leases expire. A lease still
//!    expires by itself after [`GateLimits::lease_ttl`], so no slot is ever lost for good;
//! 3. the host's **rate**, a GCRA (generic cell rate algorithm) whose only state is the
//!    theoretical arrival time in `{ns}:host:{host}` (microseconds of Redis server time, so the
//!    workers' clocks do not matter).
//!
//! A process asks once for all of its requests waiting for a host: one task per host (the
//! host's *queue*, `queue`) asks for as many leases and rate cells as are waiting, and the
//! script grants what the limits allow — cells on the GCRA schedule up to [`HORIZON`] ahead,
//! each with the time it may go, so the host sees exactly the rate it would see one request
//! at a time. Or the script answers how long to wait; the queue sleeps that long (with a
//! little jitter, so workers do not answer in lock-step) and asks again — it never spins.
//! The queues of a process share its calls to Redis (`calls`): the asks of every queue that
//! asked while a call was out go together in the next one, so a worker busy with many hosts
//! makes one round trip for all.
//!
//! A lease that comes back while the process has another request for the host waiting goes to
//! that request (which still needs its rate cell) instead of back to Redis: a busy worker does
//! not return and retake a slot for every request. It keeps a lease at most [`LEASE_REUSE`]
//! after Redis granted it, so the pool's slots keep moving between workers, and a lease nobody
//! in the process wants goes back after [`LINGER`]. In front of Redis each process keeps the
//! same limits locally (the in-memory gate's: a governor rate limiter, a semaphore and the
//! pauses it knows of), so its own tasks queue in memory.
//!
//! A plan that limits addresses too (`per_ip_rate`, `per_ip_concurrency`) gets the same
//! machinery a second time, keyed by the address a request connects to (`{ns}:ip:{addr}`,
//! with its leases): a request passes its host's limits, then its address's.
//!
//! When Redis cannot be reached (refused, or silent past the response timeout) the gate's
//! requests wait, and their queues ask again every second or so until it answers; the log says
//! so. Going on under this process's local limits alone would let a pool of ten workers send
//! ten times the plan's rate to a host, and a worker whose Redis is away could not record its
//! results anyway: the collector writes them into the same Redis. The jobs wait in the worker
//! that holds them (its broker connection is alive, so they are not lost, and a drain returns
//! them), and go on as soon as Redis answers. Keys are documented with the rest of the layout
//! in [`spotcheck_store::redis`].

mod calls;
mod coordinator;
mod factory;
mod heartbeat;
mod jitter;
mod lease;
mod limits;
mod permit;
mod queue;
mod round_trip;
mod script;
mod waiting;

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use spotcheck_core::Namespace;
use spotcheck_core::ports::{HostGate, HostPermit};
use spotcheck_store::{RedisLink, RedisStore};
use tokio::task::AbortHandle;

use self::coordinator::Coordinator;
pub use self::factory::RedisGates;
use self::limits::BATCH;
pub use self::limits::{GateLimits, HORIZON, LEASE_REUSE, LINGER, PREPAY};
use self::permit::RedisPermit;
use self::waiting::QueuedRequest;
use crate::local::TIDY_EVERY;

/// One round's (or one set of limits') gate on Redis. Share it behind an `Arc`.
pub struct RedisGate {
    hosts: Limiter,
    /// The limits per address connected to, when the plan sets them.
    addresses: Option<Limiter>,
    entered: AtomicU64,
    started: Instant,
}

/// One kind of pool-wide limit — per host, or per address — and the heartbeat of its holder.
struct Limiter {
    coordinator: Arc<Coordinator>,
    /// Keeps the holder key alive while the gate lives; started by the first request.
    heartbeat: OnceLock<AbortHandle>,
}

impl RedisGate {
    /// A gate on the store's connection and namespace.
    pub fn new(store: &RedisStore, limits: GateLimits) -> RedisGate {
        RedisGate::with_connection(store.connection(), store.namespace(), limits)
    }

    fn with_connection(conn: RedisLink, ns: &Namespace, limits: GateLimits) -> RedisGate {
        RedisGate {
            hosts: Limiter::new(conn, ns, Scope::Host, limits),
            addresses: None,
            entered: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// The same gate, limiting each address connected to as well, across the pool.
    pub fn limiting_addresses(mut self, limits: GateLimits) -> RedisGate {
        let c = &self.hosts.coordinator;
        self.addresses = Some(Limiter::new(c.conn.clone(), &c.ns, Scope::Address, limits));
        self
    }

    /// How many calls this gate has made to Redis for its queues' asks. Against the requests
    /// it let through, this says how well a worker's asks are batched: far fewer than one per
    /// request when many wait for the same host, or for hosts asking at the same moment.
    pub fn asks(&self) -> u64 {
        let asks = |l: &Limiter| l.coordinator.asks.load(Ordering::Relaxed);
        asks(&self.hosts) + self.addresses.as_ref().map_or(0, asks)
    }
}

impl Limiter {
    fn new(conn: RedisLink, ns: &Namespace, scope: Scope, limits: GateLimits) -> Limiter {
        Limiter {
            coordinator: Arc::new(Coordinator::new(conn, ns, scope, limits)),
            heartbeat: OnceLock::new(),
        }
    }

    /// Waits for `key`'s limits, in this process and then across the pool; `tidy` forgets
    /// the queues of keys nobody waits for first.
    async fn enter(&self, key: &str, tidy: bool) -> RedisPermit {
        let coordinator = &self.coordinator;
        // Local limits first: this process's own tasks queue in memory, not in Redis.
        let slot = coordinator.local.enter(key).await;
        self.heartbeat
            .get_or_init(|| heartbeat::start(coordinator.clone()));
        if tidy {
            coordinator.forget_idle_queues();
        }
        let queue = coordinator.queue(key);
        let mut permit = RedisPermit {
            queue: queue.clone(),
            coordinator: coordinator.clone(),
            lease: None,
            slot,
        };
        // The permit holds the lease from here on, so a request abandoned while it waits
        // for its cell's time gives the lease back.
        loop {
            let go = QueuedRequest::join(queue.clone(), coordinator.clone())
                .go_ahead()
                .await;
            permit.lease = go.lease;
            if go.cell.at > Instant::now() {
                tokio::time::sleep_until(go.cell.at.into()).await;
            }
            if Instant::now() <= go.cell.until {
                return permit;
            }
            // Too late for its cell (this process was busy): going now could land right
            // beside the next cell's request from another worker. Ask again.
            queue.state().spoiled(permit.lease.take());
        }
    }
}

impl Drop for Limiter {
    /// Stops the heartbeat: the holder key lapses, so leases this gate never returned free soon.
    fn drop(&mut self) {
        if let Some(beat) = self.heartbeat.get() {
            beat.abort();
        }
    }
}

#[async_trait]
impl HostGate for RedisGate {
    /// The host's limits first, then the address's, so a request takes its address's rate
    /// cell right before it goes (a cell taken early and then spent waiting for the host
    /// would let the address see requests bunched together).
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit {
        let host = host.to_ascii_lowercase();
        let tidy = self.entered.fetch_add(1, Ordering::Relaxed) % TIDY_EVERY == 0;
        let on_host = self.hosts.enter(&host, tidy).await;
        let on_addr = match (&self.addresses, addr) {
            (Some(limiter), Some(ip)) => Some(limiter.enter(&ip.to_string(), tidy).await),
            _ => None,
        };
        HostPermit::new((on_host, on_addr))
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        let host = host.to_ascii_lowercase();
        let coordinator = &self.hosts.coordinator;
        coordinator.local.pause(&host, wait);
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        if ms == 0 {
            return;
        }
        let pause = format!("{}:host:{}:pause", coordinator.ns, host);
        let mut inv = coordinator.pause.prepare_invoke();
        inv.key(&pause).arg(ms);
        let mut conn = coordinator.conn.clone();
        if let Err(e) = inv.invoke_async::<i64>(&mut conn).await {
            // This process still pauses; the others learn of the host's limit by themselves.
            coordinator.warn_unreachable(&e);
        }
    }
}

impl std::fmt::Debug for RedisGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.hosts.coordinator;
        f.debug_struct("RedisGate")
            .field("namespace", &c.ns)
            .field("limits", &c.limits)
            .field(
                "address_limits",
                &self.addresses.as_ref().map(|a| a.coordinator.limits),
            )
            .field("age", &self.started.elapsed())
            .finish()
    }
}

/// What a gate's keys name: a host, or an address connected to. Each has its own keys
/// (`{ns}:host:{host}…`, `{ns}:ip:{addr}…`), so a host and an address never share limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Host,
    Address,
}

impl Scope {
    /// The word after the namespace in the scope's keys.
    fn key_word(self) -> &'static str {
        match self {
            Scope::Host => "host",
            Scope::Address => "ip",
        }
    }
}

/// A span in whole milliseconds, at least one, as Redis expiries take it.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
