//! Politeness for a whole pool: per-host rate, concurrency and back-off kept in Redis, so the
//! plan's `[politeness]` limits hold however many worker processes run.
//!
//! Government sites are fragile and often sit behind a WAF that bans aggressive clients; a pool
//! of ten workers that each kept "2/s" to themselves would send 20/s. Here every request asks
//! Redis first, in one Lua script that checks, in order:
//!
//! 1. the host's **pause** (`{ns}:host:{host}:pause`), set by [`HostGate::back_off`] when the
//!    host answered 429/503 — so a `Retry-After` seen by one worker stops them all;
//! 2. the host's **leases** (`{ns}:host:{host}:leases`), a sorted set of in-flight requests
//!    scored by their expiry: at most `per_host_concurrency` at once across the pool. A lease
//!    is removed when its request ends. Each lease names its holder (`{holder}-{n}`), and every
//!    gate keeps a short-lived holder key (`{ns}:gate:holder:{holder}`) alive while it runs:
//!    when a host's slots are all taken, the leases of holders whose key has lapsed — a worker
//!    killed mid-request — are freed on the spot, so a crash stalls a host for seconds
//!    ([`GateLimits::holder_ttl`]) rather than until its leases expire. A lease still expires
//!    by itself after [`GateLimits::lease_ttl`], so no slot is ever lost for good;
//! 3. the host's **rate**, a GCRA (generic cell rate algorithm) whose only state is the
//!    theoretical arrival time in `{ns}:host:{host}` (microseconds of Redis server time, so the
//!    workers' clocks do not matter).
//!
//! The script either takes a lease and advances the arrival time, or answers how long to wait;
//! the gate sleeps that long (with a little jitter, so workers do not answer in lock-step) and
//! asks again — it never spins. In front of Redis each process keeps the same limits locally
//! (a governor rate limiter, a semaphore and the pauses it knows of), so a process never asks
//! Redis more often than the limits could grant, and its own tasks queue in memory.
//!
//! When Redis cannot be reached the gate keeps the local limits only, and says so in the log:
//! one process alone still respects the plan, and stalling every fetch of a round would help
//! nobody. Keys are documented with the rest of the layout in [`crate::redis`].

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ::redis::Script;
use ::redis::aio::ConnectionManager;
use async_trait::async_trait;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use spotcheck_core::Rate;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use spotcheck_core::round::Round;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::AbortHandle;

use crate::redis::RedisStore;

/// KEYS: 1 rate (GCRA arrival time), 2 pause, 3 leases. ARGV: 1 emission interval in µs,
/// 2 burst tolerance in µs, 3 concurrency, 4 lease id (`{holder}-{n}`), 5 lease time to live
/// in ms, 6 the prefix of holder keys, 7 this holder, 8 holder key time to live in ms, set
/// with the lease only until the gate's own heartbeat has set it (0: no need).
/// Returns {0, 0} when the lease is taken, else {why, wait in µs}: 1 paused, 2 every slot
/// taken (wait until the oldest lease would expire — the caller polls sooner), 3 rate.
///
/// The holder keys are not among KEYS (a lease names its holder only in its id), which a
/// single Redis allows; the pool's keys of one namespace live on one Redis.
const ACQUIRE: &str = r#"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {1, paused * 1000} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
local limit = tonumber(ARGV[3])
if redis.call('ZCARD', KEYS[3]) >= limit then
  for _, lease in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    local holder = string.match(lease, '^(.-)%-')
    if holder and redis.call('EXISTS', ARGV[6] .. holder) == 0 then
      redis.call('ZREM', KEYS[3], lease)
    end
  end
  if redis.call('ZCARD', KEYS[3]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return {2, (tonumber(oldest[2]) - now_ms) * 1000}
  end
end
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allow_at = tat - tonumber(ARGV[2])
if now < allow_at then return {3, allow_at - now} end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX',
  math.ceil((next_tat - now) / 1000) + 1000)
local expires = now_ms + tonumber(ARGV[5])
redis.call('ZADD', KEYS[3], expires, ARGV[4])
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[3], tonumber(last[2]) + 1000)
if tonumber(ARGV[8]) > 0 then redis.call('SET', ARGV[6] .. ARGV[7], '1', 'PX', ARGV[8]) end
return {0, 0}
"#;

/// KEYS: 1 pause. ARGV: 1 pause in ms. Extends the pause; never shortens one in force.
const PAUSE: &str = r#"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"#;

/// A host's limits, from the round's plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateLimits {
    /// Requests per host per period, across the pool.
    pub rate: Rate,
    /// Requests per host in flight at once, across the pool.
    pub concurrency: u32,
    /// How long a lease lives if its worker never returns it (crashed): longer than any one
    /// request may take, so a slow request never loses its slot while it runs.
    pub lease_ttl: Duration,
    /// How long a gate's holder key outlives its last beat: the leases of a worker silent
    /// for longer (killed) are freed when another worker finds the host's slots full.
    pub holder_ttl: Duration,
}

impl GateLimits {
    /// The limits of a round: its plan's `[politeness]`, and leases that outlive the longest
    /// request its plan allows.
    pub fn of(round: &Round) -> GateLimits {
        let p = &round.plan;
        let longest = p.fetch.timeout.0.max(p.availability.timeout.0) + p.fetch.connect_timeout.0;
        GateLimits {
            rate: p.politeness.per_host_rate,
            concurrency: p.politeness.per_host_concurrency.max(1),
            lease_ttl: longest + Duration::from_secs(15),
            holder_ttl: HOLDER_TTL,
        }
    }
}

/// A gate's holder key lives this long after each beat; it beats three times as often, so a
/// late beat or two never frees the leases of a worker that is still running.
const HOLDER_TTL: Duration = Duration::from_secs(10);

/// Shortest and longest wait between two asks while every slot of a host is taken. Another
/// worker's lease ends when its request ends, which Redis does not announce: the gate asks
/// again, sooner at first and then less often, never more often than [`SLOT_POLL_MIN`].
const SLOT_POLL_MIN: Duration = Duration::from_millis(10);
const SLOT_POLL_MAX: Duration = Duration::from_millis(250);
/// Tries of one ask before the gate falls back to the local limits for this request.
const ATTEMPTS: u32 = 3;
/// A lease's release waits at most this long for Redis; the lease expires by itself anyway.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(2);
/// At most one "Redis unreachable" warning per this period, however many requests fall back.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// One round's (or one set of limits') gate on Redis. Share it behind an `Arc`.
pub struct RedisGate {
    conn: ConnectionManager,
    ns: String,
    limits: GateLimits,
    interval_us: u64,
    /// GCRA burst tolerance: how far ahead of its schedule a request may go (none: a burst
    /// of one, as in memory).
    tolerance_us: u64,
    local_rate: DefaultKeyedRateLimiter<String>,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    paused: Mutex<HashMap<String, Instant>>,
    acquire: Script,
    pause: Script,
    /// This gate's name in its leases and holder key.
    holder: String,
    holder_prefix: String,
    /// Keeps the holder key alive while the gate lives; started by the first request.
    heartbeat: OnceLock<AbortHandle>,
    /// The heartbeat has set the holder key once; until then each granted lease sets it. (Were
    /// the key lost later — Redis restarted empty — the next beat sets it again; until then
    /// this worker's leases may be freed early, a host briefly over its concurrency limit.)
    beaten: Arc<AtomicBool>,
    leases: AtomicU64,
    last_warning: Mutex<Option<Instant>>,
    started: Instant,
}

/// The end of [`RedisGate::ask`]: go (with a lease to return, or none when Redis was not
/// reachable), or wait.
enum Answer {
    Go(Option<String>),
    Wait(Why, Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Paused,
    Full,
    Rate,
}

impl RedisGate {
    /// A gate on the store's connection and namespace.
    pub fn new(store: &RedisStore, limits: GateLimits) -> RedisGate {
        RedisGate::with_connection(store.connection(), store.namespace(), limits)
    }

    fn with_connection(conn: ConnectionManager, ns: &str, limits: GateLimits) -> RedisGate {
        let interval = limits.rate.interval().max(Duration::from_micros(1));
        let count = NonZeroU32::new(limits.rate.count).unwrap_or(NonZeroU32::MIN);
        // Burst of one, as in memory: "2/s" is a request every 500 ms, never two at once
        // after a quiet spell.
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(count))
            .allow_burst(NonZeroU32::MIN);
        let interval_us = u64::try_from(interval.as_micros()).unwrap_or(u64::MAX);
        RedisGate {
            conn,
            ns: ns.to_string(),
            limits,
            interval_us,
            tolerance_us: 0,
            local_rate: RateLimiter::keyed(quota),
            slots: Mutex::new(HashMap::new()),
            paused: Mutex::new(HashMap::new()),
            acquire: Script::new(ACQUIRE),
            pause: Script::new(PAUSE),
            holder: format!("{:08x}{:08x}", std::process::id(), random()),
            holder_prefix: format!("{ns}:gate:holder:"),
            heartbeat: OnceLock::new(),
            beaten: Arc::new(AtomicBool::new(false)),
            leases: AtomicU64::new(0),
            last_warning: Mutex::new(None),
            started: Instant::now(),
        }
    }

    pub fn limits(&self) -> GateLimits {
        self.limits
    }

    /// The keys of one host: rate (GCRA arrival time), pause, leases.
    pub fn host_keys(&self, host: &str) -> [String; 3] {
        let base = format!("{}:host:{}", self.ns, host.to_ascii_lowercase());
        [
            base.clone(),
            format!("{base}:pause"),
            format!("{base}:leases"),
        ]
    }

    fn slot(&self, host: &str) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.concurrency as usize)))
            .clone()
    }

    fn paused_until(&self, host: &str) -> Option<Instant> {
        let paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        paused.get(host).copied().filter(|t| *t > Instant::now())
    }

    fn pause_locally(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        paused.retain(|_, t| *t > Instant::now());
        let e = paused.entry(host.to_string()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }

    /// Asks Redis once (with a few quick retries of a lost connection).
    async fn ask(&self, keys: &[String; 3], lease: &str) -> Answer {
        let ttl_ms = millis(self.limits.lease_ttl);
        let holder_ms = if self.beaten.load(Ordering::Relaxed) {
            0
        } else {
            millis(self.limits.holder_ttl)
        };
        let mut delay = Duration::from_millis(50);
        for attempt in 1..=ATTEMPTS {
            let mut inv = self.acquire.prepare_invoke();
            for k in keys {
                inv.key(k);
            }
            inv.arg(self.interval_us)
                .arg(self.tolerance_us)
                .arg(self.limits.concurrency)
                .arg(lease)
                .arg(ttl_ms)
                .arg(&self.holder_prefix)
                .arg(&self.holder)
                .arg(holder_ms);
            let mut conn = self.conn.clone();
            match inv.invoke_async::<(i64, i64)>(&mut conn).await {
                Ok((0, _)) => return Answer::Go(Some(lease.to_string())),
                Ok((why, us)) => {
                    let why = match why {
                        1 => Why::Paused,
                        2 => Why::Full,
                        _ => Why::Rate,
                    };
                    let wait = Duration::from_micros(u64::try_from(us).unwrap_or(0));
                    return Answer::Wait(why, wait);
                }
                Err(e) if attempt < ATTEMPTS => {
                    tracing::debug!(namespace = %self.ns, attempt, error = %e, "host gate: redis call failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                }
                Err(e) => {
                    self.warn_unreachable(&e);
                    return Answer::Go(None);
                }
            }
        }
        Answer::Go(None)
    }

    fn warn_unreachable(&self, e: &::redis::RedisError) {
        let mut last = self.last_warning.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(
                namespace = %self.ns,
                error = %e,
                "host gate: Redis unreachable; keeping this process's per-host limits only until it is back"
            );
        }
    }

    /// Starts beating this gate's holder key, once: every third of its time to live, while
    /// the gate lives. A beat that fails is only logged — the next one may get through.
    fn beat(&self) {
        self.heartbeat.get_or_init(|| {
            let mut conn = self.conn.clone();
            let key = format!("{}{}", self.holder_prefix, self.holder);
            let ttl = self.limits.holder_ttl;
            let beaten = self.beaten.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(ttl / 3);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    let mut set = ::redis::cmd("SET");
                    set.arg(&key).arg(1).arg("PX").arg(millis(ttl));
                    match set.query_async::<()>(&mut conn).await {
                        Ok(()) => beaten.store(true, Ordering::Relaxed),
                        Err(e) => {
                            tracing::debug!(%key, error = %e, "host gate: holder beat failed")
                        }
                    }
                }
            })
            .abort_handle()
        });
    }

    /// Forgets local rate state of hosts not seen for a while (governor's keyed state never
    /// shrinks by itself); cheap enough to run every few hundred requests.
    fn tidy(&self, n: u64) {
        if n % 512 == 0 {
            self.local_rate.retain_recent();
            self.local_rate.shrink_to_fit();
        }
    }
}

#[async_trait]
impl HostGate for RedisGate {
    async fn enter(&self, host: &str) -> HostPermit {
        let host = host.to_ascii_lowercase();
        // Local limits first: this process's own tasks queue in memory, not in Redis.
        let slot = self.slot(&host).acquire_owned().await.ok();
        while let Some(until) = self.paused_until(&host) {
            tokio::time::sleep_until(until.into()).await;
        }
        self.local_rate.until_key_ready(&host).await;

        self.beat();
        let n = self.leases.fetch_add(1, Ordering::Relaxed);
        self.tidy(n);
        let lease = format!("{}-{n:x}", self.holder);
        let keys = self.host_keys(&host);
        // Held from before the first ask: if this wait is abandoned (a job returned at the end
        // of a grace period), dropping it returns a lease Redis may already have granted,
        // instead of leaving the slot taken until it expires.
        let mut held = Lease {
            slot,
            release: Some(Release {
                conn: self.conn.clone(),
                key: keys[2].clone(),
                id: lease.clone(),
            }),
        };
        let mut poll = SLOT_POLL_MIN;
        let granted = loop {
            match self.ask(&keys, &lease).await {
                Answer::Go(lease) => break lease,
                Answer::Wait(why, wait) => {
                    let wait = match why {
                        Why::Paused => {
                            self.pause_locally(&host, wait);
                            wait
                        }
                        // Leases usually end long before they would expire: ask again soon,
                        // then less often.
                        Why::Full => {
                            let w = wait.min(poll).max(SLOT_POLL_MIN);
                            poll = (poll * 2).min(SLOT_POLL_MAX);
                            w
                        }
                        Why::Rate => wait,
                    };
                    tokio::time::sleep(wait + jitter(wait)).await;
                }
            }
        };
        if granted.is_none() {
            // Redis could not be asked: only the local limits hold, there is nothing to return.
            held.release = None;
        }
        HostPermit::new(held)
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        let host = host.to_ascii_lowercase();
        self.pause_locally(&host, wait);
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        if ms == 0 {
            return;
        }
        let [_, pause, _] = self.host_keys(&host);
        let mut inv = self.pause.prepare_invoke();
        inv.key(&pause).arg(ms);
        let mut conn = self.conn.clone();
        if let Err(e) = inv.invoke_async::<i64>(&mut conn).await {
            // This process still pauses; the others learn of the host's limit by themselves.
            self.warn_unreachable(&e);
        }
    }
}

impl Drop for RedisGate {
    /// Stops the heartbeat: the holder key lapses, so leases this gate never returned free soon.
    fn drop(&mut self) {
        if let Some(beat) = self.heartbeat.get() {
            beat.abort();
        }
    }
}

impl std::fmt::Debug for RedisGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisGate")
            .field("namespace", &self.ns)
            .field("limits", &self.limits)
            .field("age", &self.started.elapsed())
            .finish()
    }
}

/// What a permit holds: this process's slot and, when Redis granted it, the pool-wide lease.
struct Lease {
    slot: Option<OwnedSemaphorePermit>,
    release: Option<Release>,
}

struct Release {
    conn: ConnectionManager,
    key: String,
    id: String,
}

impl Drop for Lease {
    /// Returns the lease to Redis, then the local slot — in that order, so the next local task
    /// does not find the pool's slots still full. Dropping outside a runtime (or Redis being
    /// down) leaves the lease to expire by itself.
    fn drop(&mut self) {
        let slot = self.slot.take();
        let Some(Release { mut conn, key, id }) = self.release.take() else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        rt.spawn(async move {
            let mut zrem = ::redis::cmd("ZREM");
            zrem.arg(&key).arg(&id);
            match tokio::time::timeout(RELEASE_TIMEOUT, zrem.query_async::<i64>(&mut conn)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::debug!(%key, error = %e, "lease not returned; it will expire")
                }
                Err(_) => tracing::debug!(%key, "lease release timed out; it will expire"),
            }
            drop(slot);
        });
    }
}

/// Makes [`RedisGate`]s for rounds: one per set of limits, shared by the rounds that have
/// them, all on the worker's Redis connection and namespace.
pub struct RedisGates {
    conn: ConnectionManager,
    ns: String,
    gates: Mutex<HashMap<String, Arc<RedisGate>>>,
}

impl RedisGates {
    pub fn new(store: &RedisStore) -> RedisGates {
        RedisGates {
            conn: store.connection(),
            ns: store.namespace().to_string(),
            gates: Mutex::new(HashMap::new()),
        }
    }
}

impl GateFactory for RedisGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        let limits = GateLimits::of(round);
        let key = format!(
            "{}|{}|{}",
            limits.rate,
            limits.concurrency,
            limits.lease_ttl.as_millis()
        );
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        gates
            .entry(key)
            .or_insert_with(|| {
                Arc::new(RedisGate::with_connection(
                    self.conn.clone(),
                    &self.ns,
                    limits,
                ))
            })
            .clone()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Up to a tenth of `wait` (at most 20 ms) at random, so workers told the same wait do not all
/// ask again at the same instant.
fn jitter(wait: Duration) -> Duration {
    let span = u64::try_from((wait / 10).min(Duration::from_millis(20)).as_micros()).unwrap_or(0);
    if span == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros(random() % span)
}

fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_small() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_millis(100)) < Duration::from_millis(10));
            assert!(jitter(Duration::from_secs(10)) < Duration::from_millis(20));
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
