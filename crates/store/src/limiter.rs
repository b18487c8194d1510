//! Politeness for a whole pool: per-host rate, concurrency and back-off kept in Redis, so the
//! plan's `[politeness]` limits hold however many worker processes run.
//!
//! Government sites are fragile and often sit behind a WAF that bans aggressive clients; a pool
//! of ten workers that each kept "2/s" to themselves would send 20/s. Here a process asks Redis
//! before its requests go, in one Lua script that checks, in order:
//!
//! 1. the host's **pause** (`{ns}:host:{host}:pause`), set by [`HostGate::back_off`] when the
//!    host answered 429/503 — so a `Retry-After` seen by one worker stops them all;
//! 2. the host's **leases** (`{ns}:host:{host}:leases`), a sorted set of the slots workers
//!    hold, scored by their expiry: at most `per_host_concurrency` across the pool. Each lease
//!    names its holder (`{holder}-{n}`), and every gate keeps a short-lived holder key
//!    (`{ns}:gate:holder:{holder}`) alive while it runs: when a host's slots are all taken,
//!    the leases of holders whose key has lapsed — a worker killed mid-request — are freed on
//!    the spot, so a crash stalls a host for seconds ([`GateLimits::holder_ttl`]) rather than
//!    until its leases expire. A lease still expires by itself after
//!    [`GateLimits::lease_ttl`], so no slot is ever lost for good;
//! 3. the host's **rate**, a GCRA (generic cell rate algorithm) whose only state is the
//!    theoretical arrival time in `{ns}:host:{host}` (microseconds of Redis server time, so the
//!    workers' clocks do not matter).
//!
//! A process asks once for all of its requests waiting for a host: one task per host (the
//! host's *line*) asks for as many leases and rate cells as are waiting, and the script grants
//! what the limits allow — cells on the GCRA schedule up to [`HORIZON`] ahead, each with the
//! time it may go, so the host sees exactly the rate it would see one request at a time. Or
//! the script answers how long to wait; the line sleeps that long (with a little jitter, so
//! workers do not answer in lock-step) and asks again — it never spins. The lines of a process
//! share its calls to Redis: the asks of every line that asked while a call was out go
//! together in the next one, so a worker busy with many hosts makes one round trip for all.
//!
//! A lease that comes back while the process has another request for the host waiting goes to
//! that request (which still needs its rate cell) instead of back to Redis: a busy worker does
//! not return and retake a slot for every request. It keeps a lease at most [`LEASE_REUSE`]
//! after Redis granted it, so the pool's slots keep moving between workers, and a lease nobody
//! in the process wants goes back after [`LINGER`]. In front of Redis each process keeps the
//! same limits locally (a governor rate limiter, a semaphore and the pauses it knows of), so
//! its own tasks queue in memory.
//!
//! When Redis cannot be reached the gate keeps the local limits only, and says so in the log:
//! one process alone still respects the plan, and stalling every fetch of a round would help
//! nobody. Keys are documented with the rest of the layout in [`crate::redis`].

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use ::redis::Script;
use ::redis::aio::ConnectionManager;
use async_trait::async_trait;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use spotcheck_core::Rate;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use spotcheck_core::round::Round;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::AbortHandle;

use crate::redis::RedisStore;

/// One call for the asks of several hosts' lines. KEYS, three per ask: 1 rate (GCRA arrival
/// time), 2 pause, 3 leases. ARGV, shared: 1 emission interval in µs, 2 burst tolerance in µs,
/// 3 concurrency, 4 the prefix of this gate's lease ids (`{holder}-`), 5 how far ahead cells
/// may be granted in µs, 6 lease time to live in ms, 7 the prefix of holder keys, 8 this
/// holder, 9 holder key time to live in ms, set with new leases only until the gate's own
/// heartbeat has set it (0: no need); then four per ask: the number of its first new lease,
/// new leases wanted, leases the caller holds unused, cells wanted beyond those for the leases
/// (prepaid for leases in use).
///
/// Each ask grants cells first to requests that have a lease (new or held unused), and new
/// leases only to requests that get a cell, so no slot is taken without a request to fill it.
/// Returns four numbers per ask, in order: {0, new leases, cells, the first cell's time
/// relative to now in µs (≤ 0)}, cell `i` being `i` intervals after the first; else
/// {why, wait in µs, 0, 0}: 1 paused, 2 every slot taken (wait until the oldest lease would
/// expire — the caller polls sooner), 3 rate.
///
/// The holder keys are not among KEYS (a lease names its holder only in its id), nor are the
/// hosts of one call in one hash slot, which a single Redis allows; the pool's keys of one
/// namespace live on one Redis.
const ACQUIRE: &str = r#"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local horizon = tonumber(ARGV[5])
local holder_ms = tonumber(ARGV[9])
local function acquire(rate, pause, leases, first, want, held, extra)
  local paused = redis.call('PTTL', pause)
  if paused > 0 then return {1, paused * 1000, 0, 0} end
  local granted = 0
  if want > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', now_ms)
    local taken = redis.call('ZCARD', leases)
    if taken + want > limit then
      for _, lease in ipairs(redis.call('ZRANGE', leases, 0, -1)) do
        local holder = string.match(lease, '^(.-)%-')
        if holder and redis.call('EXISTS', ARGV[7] .. holder) == 0 then
          redis.call('ZREM', leases, lease)
        end
      end
      taken = redis.call('ZCARD', leases)
    end
    granted = math.max(0, math.min(want, limit - taken))
  end
  if granted + held == 0 then
    local oldest = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
    if oldest[2] == nil then return {2, 0, 0, 0} end
    return {2, (tonumber(oldest[2]) - now_ms) * 1000, 0, 0}
  end
  local tat = tonumber(redis.call('GET', rate) or '0')
  if tat < now then tat = now end
  local allow_at = tat - tolerance
  if now < allow_at then return {3, allow_at - now, 0, 0} end
  local fits = math.floor((now + horizon - allow_at) / interval) + 1
  local cells = math.min(granted + held + extra, fits)
  granted = math.min(granted, math.max(0, cells - held))
  local next_tat = tat + cells * interval
  redis.call('SET', rate, string.format('%.0f', next_tat), 'PX',
    math.ceil((next_tat - now) / 1000) + 1000)
  if granted > 0 then
    local expires = now_ms + tonumber(ARGV[6])
    for i = 0, granted - 1 do
      redis.call('ZADD', leases, expires, ARGV[4] .. string.format('%x', first + i))
    end
    local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', leases, tonumber(last[2]) + 1000)
    if holder_ms > 0 then
      redis.call('SET', ARGV[7] .. ARGV[8], '1', 'PX', holder_ms)
      holder_ms = 0
    end
  end
  return {0, granted, cells, allow_at - now}
end
local out = {}
for i = 0, #KEYS / 3 - 1 do
  local a = 10 + i * 4
  local r = acquire(KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3], tonumber(ARGV[a]),
    tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]))
  for j = 1, 4 do out[#out + 1] = r[j] end
end
return out
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
    /// request may take plus [`LEASE_REUSE`], so a slow request never loses its slot while
    /// it runs.
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

/// A process hands a lease to its next request for the host for at most this long after
/// Redis granted it, then returns it and asks again: the pool's slots keep moving between
/// workers, and a lease is never used close to its expiry ([`GateLimits::of`] leaves 15 s).
pub const LEASE_REUSE: Duration = Duration::from_secs(1);
/// A lease nobody in the process waits for goes back to Redis after this long: long enough
/// to bridge the gap between one request's end and the next one's start, short enough that
/// other workers barely notice the slot was kept.
pub const LINGER: Duration = Duration::from_millis(20);
/// Rate cells are granted at most this far ahead of their time, each request waiting for its
/// own; a slow rate (one cell per 200 ms, say) is granted one cell at a time.
pub const HORIZON: Duration = Duration::from_millis(50);
/// A fast rate's cells are also granted ahead of demand, for the leases in use (their next
/// requests), as many as fit in this span of the rate; each stays usable this long after its
/// time. So a host may see a burst of this span's worth of its rate — 10 requests at
/// 1000/s, none below 100/s — and a busy worker asks Redis once for many requests. Cells
/// that go unused pause the prepaying until the next ask.
pub const PREPAY: Duration = Duration::from_millis(10);
/// Most leases and cells one ask takes.
const BATCH: usize = 64;
/// Most lines' asks one call to Redis carries.
const ASKS_PER_CALL: usize = 64;

/// Shortest and longest wait between two asks while every slot of a host is taken. Another
/// worker's lease ends when its request ends, which Redis does not announce: the gate asks
/// again, sooner at first and then less often, never more often than [`SLOT_POLL_MIN`] — or
/// at once when one of its own leases comes back.
const SLOT_POLL_MIN: Duration = Duration::from_millis(10);
const SLOT_POLL_MAX: Duration = Duration::from_millis(250);
/// Tries of one ask before the gate falls back to the local limits for the requests waiting.
const ATTEMPTS: u32 = 3;
/// Returning leases waits at most this long for Redis; they expire by themselves anyway.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(2);
/// At most one "Redis unreachable" warning per this period, however many requests fall back.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// One round's (or one set of limits') gate on Redis. Share it behind an `Arc`.
pub struct RedisGate {
    shared: Arc<Shared>,
    local_rate: DefaultKeyedRateLimiter<String>,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Keeps the holder key alive while the gate lives; started by the first request.
    heartbeat: OnceLock<AbortHandle>,
    entered: AtomicU64,
    started: Instant,
}

/// What the gate's background tasks (lines, lingering leases, the heartbeat) share with it.
struct Shared {
    conn: ConnectionManager,
    ns: String,
    limits: GateLimits,
    interval_us: u64,
    /// GCRA burst tolerance: how far ahead of its schedule a request may go (none: a burst
    /// of one, as in memory).
    tolerance_us: u64,
    /// Cells prepaid at most ([`PREPAY`] of the rate), and how long after its time a cell
    /// is still used.
    prepay: usize,
    validity: Duration,
    acquire: Script,
    pause: Script,
    /// This gate's name in its leases and holder key.
    holder: String,
    /// `{holder}-`, which starts each of this gate's lease ids.
    lease_prefix: String,
    holder_prefix: String,
    /// The heartbeat has set the holder key once; until then each ask that takes leases sets
    /// it. (Were the key lost later — Redis restarted empty — the next beat sets it again;
    /// until then this worker's leases may be freed early, a host briefly over its limit.)
    beaten: AtomicBool,
    /// Numbers the leases this gate asks for.
    next_lease: AtomicU64,
    /// Calls to Redis made for asks, for [`RedisGate::asks`].
    asks: AtomicU64,
    /// Lines' asks waiting for the next call.
    calls: Mutex<Calls>,
    lines: Mutex<HashMap<String, Arc<Line>>>,
    paused: Mutex<HashMap<String, Instant>>,
    last_warning: Mutex<Option<Instant>>,
}

/// The asks waiting for the gate's next call to Redis, and whether a task is calling.
#[derive(Default)]
struct Calls {
    waiting: Vec<Ask>,
    calling: bool,
}

/// One line's ask, waiting for a call.
struct Ask {
    line: Arc<Line>,
    first: u64,
    want: usize,
    usable: usize,
    extra: usize,
    answer: oneshot::Sender<Answer>,
}

/// One host's queue in this process: the requests waiting for it and the leases held for it.
struct Line {
    host: String,
    /// Rate (GCRA arrival time), pause, leases.
    keys: [String; 3],
    state: Mutex<LineState>,
    /// A go-ahead is ready: the waiting requests look.
    ready: Notify,
    /// A lease came back: the line's asking task looks.
    returned: Notify,
}

#[derive(Default)]
struct LineState {
    /// Requests of this process waiting for the host.
    waiting: usize,
    /// Go-aheads granted and not yet taken by a waiting request.
    go: Vec<Go>,
    /// Leases held and not in use.
    idle: Vec<Held>,
    /// Rate cells granted ahead of demand, by their time, oldest first.
    cells: VecDeque<Instant>,
    /// A prepaid cell went unused: the next ask prepays none.
    wasted: bool,
    /// Leases held: idle, in a go-ahead or in use.
    held: usize,
    /// A task asks Redis for the waiting requests.
    asking: bool,
    /// A task returns leases idle for longer than [`LINGER`].
    lingering: bool,
}

/// A lease this process holds.
struct Held {
    id: String,
    granted: Instant,
    idle_since: Instant,
}

/// A go-ahead for one request: its lease (none when Redis could not be asked and only the
/// local limits hold) and the time its rate cell comes.
struct Go {
    lease: Option<Held>,
    at: Instant,
}

/// The end of one ask.
enum Answer {
    /// New leases granted, cells granted, and when the first cell comes (µs from now, ≤ 0).
    Granted(usize, usize, i64),
    Wait(Why, Duration),
    Unreachable,
}

impl Answer {
    /// One ask's four numbers of the script's answer.
    fn from_script(a: &[i64]) -> Answer {
        let count = |v: i64| usize::try_from(v).unwrap_or(0);
        let why = match a[0] {
            0 => return Answer::Granted(count(a[1]), count(a[2]), a[3]),
            1 => Why::Paused,
            2 => Why::Full,
            _ => Why::Rate,
        };
        Answer::Wait(why, Duration::from_micros(u64::try_from(a[1]).unwrap_or(0)))
    }
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
        let holder = format!("{:08x}{:08x}", std::process::id(), random());
        RedisGate {
            shared: Arc::new(Shared {
                conn,
                ns: ns.to_string(),
                limits,
                interval_us,
                tolerance_us: 0,
                prepay: usize::try_from(PREPAY.as_micros() / interval.as_micros())
                    .unwrap_or(BATCH)
                    .min(BATCH),
                validity: interval.max(PREPAY),
                acquire: Script::new(ACQUIRE),
                pause: Script::new(PAUSE),
                holder: holder.clone(),
                lease_prefix: format!("{holder}-"),
                holder_prefix: format!("{ns}:gate:holder:"),
                beaten: AtomicBool::new(false),
                next_lease: AtomicU64::new(0),
                asks: AtomicU64::new(0),
                calls: Mutex::default(),
                lines: Mutex::new(HashMap::new()),
                paused: Mutex::new(HashMap::new()),
                last_warning: Mutex::new(None),
            }),
            local_rate: RateLimiter::keyed(quota),
            slots: Mutex::new(HashMap::new()),
            heartbeat: OnceLock::new(),
            entered: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// How many calls this gate has made to Redis for its lines' asks. Against the requests
    /// it let through, this says how well a worker's asks are batched: far fewer than one per
    /// request when many wait for the same host, or for hosts asking at the same moment.
    pub fn asks(&self) -> u64 {
        self.shared.asks.load(Ordering::Relaxed)
    }

    fn slot(&self, host: &str) -> Arc<Semaphore> {
        let mut slots = lock(&self.slots);
        slots
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.shared.limits.concurrency as usize)))
            .clone()
    }

    /// Starts beating this gate's holder key, once: every third of its time to live, while
    /// the gate lives. A beat that fails is only logged — the next one may get through.
    fn beat(&self) {
        self.heartbeat.get_or_init(|| {
            let shared = self.shared.clone();
            tokio::spawn(async move {
                let ttl = shared.limits.holder_ttl;
                let key = format!("{}{}", shared.holder_prefix, shared.holder);
                let mut conn = shared.conn.clone();
                let mut every = tokio::time::interval(ttl / 3);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    let mut set = ::redis::cmd("SET");
                    set.arg(&key).arg(1).arg("PX").arg(millis(ttl));
                    match set.query_async::<()>(&mut conn).await {
                        Ok(()) => shared.beaten.store(true, Ordering::Relaxed),
                        Err(e) => {
                            tracing::debug!(%key, error = %e, "host gate: holder beat failed")
                        }
                    }
                }
            })
            .abort_handle()
        });
    }

    /// Forgets the state of hosts not seen for a while (governor's keyed state and the maps
    /// never shrink by themselves); cheap enough to run every few hundred requests.
    fn tidy(&self, n: u64) {
        if n % 512 == 0 {
            self.local_rate.retain_recent();
            self.local_rate.shrink_to_fit();
            lock(&self.slots).retain(|_, s| Arc::strong_count(s) > 1);
            // Only the map holds an unused line: nobody can take it while the map is locked.
            lock(&self.shared.lines)
                .retain(|_, l| Arc::strong_count(l) > 1 || !lock(&l.state).is_empty());
        }
    }
}

impl Shared {
    fn line(&self, host: &str) -> Arc<Line> {
        let mut lines = lock(&self.lines);
        lines
            .entry(host.to_string())
            .or_insert_with(|| {
                let base = format!("{}:host:{}", self.ns, host);
                Arc::new(Line {
                    host: host.to_string(),
                    keys: [
                        base.clone(),
                        format!("{base}:pause"),
                        format!("{base}:leases"),
                    ],
                    state: Mutex::new(LineState::default()),
                    ready: Notify::new(),
                    returned: Notify::new(),
                })
            })
            .clone()
    }

    fn lease_id(&self, n: u64) -> String {
        format!("{}{n:x}", self.lease_prefix)
    }

    fn paused_until(&self, host: &str) -> Option<Instant> {
        lock(&self.paused)
            .get(host)
            .copied()
            .filter(|t| *t > Instant::now())
    }

    fn pause_locally(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused);
        paused.retain(|_, t| *t > Instant::now());
        let e = paused.entry(host.to_string()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }

    /// Asks Redis for `want` new leases for `line`, numbered from `first`, and rate cells for
    /// them, for `usable` leases held unused, and `extra` more. The ask joins the gate's next
    /// call: one call carries the asks of every line that asked while the previous one was
    /// out, so a worker busy with many hosts makes one round trip for all of them.
    async fn ask(
        self: &Arc<Self>,
        line: &Arc<Line>,
        first: u64,
        want: usize,
        usable: usize,
        extra: usize,
    ) -> Answer {
        let (answer, answered) = oneshot::channel();
        let call = {
            let mut calls = lock(&self.calls);
            calls.waiting.push(Ask {
                line: line.clone(),
                first,
                want,
                usable,
                extra,
                answer,
            });
            !std::mem::replace(&mut calls.calling, true)
        };
        if call {
            tokio::spawn(self.clone().call_for_waiting());
        }
        // The calling task answers every ask it takes; were it gone (the runtime shutting
        // down), the line keeps the local limits only.
        answered.await.unwrap_or(Answer::Unreachable)
    }

    /// Calls Redis for the waiting asks, [`ASKS_PER_CALL`] at a time, until none waits.
    async fn call_for_waiting(self: Arc<Self>) {
        loop {
            let asks: Vec<Ask> = {
                let mut calls = lock(&self.calls);
                if calls.waiting.is_empty() {
                    calls.calling = false;
                    return;
                }
                let n = calls.waiting.len().min(ASKS_PER_CALL);
                calls.waiting.drain(..n).collect()
            };
            let answers = self.call(&asks).await;
            for (ask, answer) in asks.into_iter().zip(answers) {
                // A line that stopped waiting (its runtime shut down) needs no answer.
                let _ = ask.answer.send(answer);
            }
        }
    }

    /// One script call for `asks` (with a few quick retries of a lost connection); an answer
    /// per ask, in order.
    async fn call(&self, asks: &[Ask]) -> Vec<Answer> {
        let ttl_ms = millis(self.limits.lease_ttl);
        let holder_ms = if self.beaten.load(Ordering::Relaxed) {
            0
        } else {
            millis(self.limits.holder_ttl)
        };
        let horizon_us = u64::try_from(HORIZON.as_micros()).unwrap_or(u64::MAX);
        self.asks.fetch_add(1, Ordering::Relaxed);
        let mut inv = self.acquire.prepare_invoke();
        inv.arg(self.interval_us)
            .arg(self.tolerance_us)
            .arg(self.limits.concurrency)
            .arg(&self.lease_prefix)
            .arg(horizon_us)
            .arg(ttl_ms)
            .arg(&self.holder_prefix)
            .arg(&self.holder)
            .arg(holder_ms);
        for ask in asks {
            for k in &ask.line.keys {
                inv.key(k);
            }
            inv.arg(ask.first)
                .arg(ask.want)
                .arg(ask.usable)
                .arg(ask.extra);
        }
        let mut delay = Duration::from_millis(50);
        for attempt in 1..=ATTEMPTS {
            let mut conn = self.conn.clone();
            match inv.invoke_async::<Vec<i64>>(&mut conn).await {
                Ok(a) if a.len() == asks.len() * 4 => {
                    return a.chunks_exact(4).map(Answer::from_script).collect();
                }
                Ok(a) => {
                    tracing::warn!(namespace = %self.ns, asks = asks.len(), answer = ?a,
                        "host gate: unexpected answer from Redis; keeping the local limits for now");
                    break;
                }
                Err(e) if attempt < ATTEMPTS => {
                    tracing::debug!(namespace = %self.ns, attempt, error = %e, "host gate: redis call failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                }
                Err(e) => {
                    self.warn_unreachable(&e);
                    break;
                }
            }
        }
        asks.iter().map(|_| Answer::Unreachable).collect()
    }

    fn warn_unreachable(&self, e: &::redis::RedisError) {
        let mut last = lock(&self.last_warning);
        if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
            *last = Some(Instant::now());
            tracing::warn!(
                namespace = %self.ns,
                error = %e,
                "host gate: Redis unreachable; keeping this process's per-host limits only until it is back"
            );
        }
    }

    /// Returns leases to Redis, in the background. Outside a runtime (or with Redis down)
    /// they expire by themselves.
    fn give_back(&self, line: &Line, leases: Vec<Held>) {
        if leases.is_empty() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut conn = self.conn.clone();
        let key = line.keys[2].clone();
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

impl LineState {
    fn is_empty(&self) -> bool {
        self.waiting == 0 && self.go.is_empty() && self.held == 0 && !self.asking && !self.lingering
    }

    /// Takes out the idle leases that `stale` says should go back to Redis.
    fn take_idle(&mut self, stale: impl Fn(&Held) -> bool) -> Vec<Held> {
        let (back, keep) = std::mem::take(&mut self.idle).into_iter().partition(stale);
        self.idle = keep;
        self.held -= back.len();
        back
    }

    /// Go-aheads nobody waits for any more (their requests were abandoned): their leases
    /// become idle.
    fn settle_surplus(&mut self) {
        while self.go.len() > self.waiting {
            if let Some(Go {
                lease: Some(mut l), ..
            }) = self.go.pop()
            {
                l.idle_since = Instant::now();
                self.idle.push(l);
            }
        }
    }

    /// Has the idle leases go back to Redis after [`LINGER`]; true when no task does that yet
    /// and the caller must start one ([`spawn_lingering`]).
    fn linger(&mut self) -> bool {
        let start = !self.idle.is_empty() && !self.lingering;
        self.lingering |= start;
        start
    }

    /// Requests waiting without a go-ahead.
    fn unserved(&self) -> usize {
        self.waiting.saturating_sub(self.go.len())
    }

    /// Gives waiting requests go-aheads from idle leases and prepaid cells, dropping cells
    /// older than `validity`; true when it gave any.
    fn pair(&mut self, validity: Duration) -> bool {
        let now = Instant::now();
        while self.cells.front().is_some_and(|t| *t + validity < now) {
            self.cells.pop_front();
            self.wasted = true;
        }
        let mut paired = false;
        while self.unserved() > 0 && !self.idle.is_empty() {
            let Some(at) = self.cells.pop_front() else {
                break;
            };
            let lease = self.idle.pop();
            self.go.push(Go { lease, at });
            paired = true;
        }
        paired
    }
}

impl Line {
    fn state(&self) -> MutexGuard<'_, LineState> {
        lock(&self.state)
    }

    /// Asks Redis for this process's waiting requests until none waits without a go-ahead.
    /// Runs as its own task, one per line at a time, so an abandoned request never cuts an
    /// ask short (what it was granted goes to the next request, or back to the idle leases).
    async fn ask_for_waiting(self: Arc<Line>, shared: Arc<Shared>) {
        let limit = shared.limits.concurrency as usize;
        let mut poll = SLOT_POLL_MIN;
        loop {
            let (want, usable, extra) = {
                let mut st = self.state();
                let stale = st.take_idle(|l| l.granted.elapsed() >= LEASE_REUSE);
                if st.pair(shared.validity) {
                    self.ready.notify_waiters();
                }
                let unserved = st.unserved();
                // Done: leases nobody took (their requests were abandoned) go back in a while.
                let linger = unserved == 0 && st.linger();
                if unserved == 0 {
                    st.asking = false;
                }
                let usable = st.idle.len().min(unserved).min(BATCH);
                let want = (unserved.min(BATCH) - usable).min(limit.saturating_sub(st.held));
                // The leases in use will want cells soon, unless the last prepaid ones
                // went unused.
                let in_use = st.held.saturating_sub(
                    st.idle.len() + st.go.iter().filter(|g| g.lease.is_some()).count(),
                );
                let extra = if std::mem::take(&mut st.wasted) {
                    0
                } else {
                    in_use.min(shared.prepay).min(BATCH - usable - want)
                };
                drop(st);
                shared.give_back(&self, stale);
                if linger {
                    spawn_lingering(&self, &shared);
                }
                if unserved == 0 {
                    return;
                }
                (want, usable, extra)
            };
            let first = shared.next_lease.fetch_add(want as u64, Ordering::Relaxed);
            let answer = if want + usable == 0 {
                // Every slot the pool allows is this process's, in use: only its own
                // requests' ends free one.
                Answer::Wait(Why::Full, SLOT_POLL_MAX)
            } else {
                shared.ask(&self, first, want, usable, extra).await
            };
            match answer {
                Answer::Granted(new, cells, first_at) => {
                    poll = SLOT_POLL_MIN;
                    self.granted(&shared, first, new, cells, first_at);
                }
                Answer::Wait(why, wait) => {
                    let wait = match why {
                        Why::Paused => {
                            shared.pause_locally(&self.host, wait);
                            wait
                        }
                        // Leases usually end long before they would expire: ask again soon,
                        // then less often, or at once when one of ours comes back.
                        Why::Full => {
                            let w = wait.min(poll).max(SLOT_POLL_MIN);
                            poll = (poll * 2).min(SLOT_POLL_MAX);
                            w
                        }
                        Why::Rate => wait,
                    };
                    let sleep = tokio::time::sleep(wait + jitter(wait));
                    if why == Why::Full {
                        tokio::select! {
                            _ = sleep => {}
                            _ = self.returned.notified() => {}
                        }
                    } else {
                        sleep.await;
                    }
                }
                Answer::Unreachable => {
                    // Only the local limits hold: every waiting request goes, without a lease.
                    let now = Instant::now();
                    let mut st = self.state();
                    for _ in 0..st.unserved() {
                        st.go.push(Go {
                            lease: None,
                            at: now,
                        });
                    }
                    drop(st);
                    self.ready.notify_waiters();
                }
            }
        }
    }

    /// Takes in what an ask was granted: `new` leases numbered from `first`, and `cells`
    /// cells, the first `first_at` µs from now (≤ 0), the others an interval apart.
    fn granted(&self, shared: &Shared, first: u64, new: usize, cells: usize, first_at: i64) {
        let now = Instant::now();
        let interval = i64::try_from(shared.interval_us).unwrap_or(i64::MAX);
        let mut st = self.state();
        st.held += new;
        for n in 0..new as u64 {
            st.idle.push(Held {
                id: shared.lease_id(first + n),
                granted: now,
                idle_since: now,
            });
        }
        for i in 0..cells {
            let offset = first_at.saturating_add(interval.saturating_mul(i as i64));
            let at = now + Duration::from_micros(u64::try_from(offset).unwrap_or(0));
            st.cells.push_back(at);
        }
        st.pair(shared.validity);
        st.settle_surplus();
        drop(st);
        self.ready.notify_waiters();
    }

    /// Returns leases idle for [`LINGER`] to Redis, while there are idle leases and nobody
    /// asks for the waiting requests (which would use them).
    async fn return_lingering(self: Arc<Line>, shared: Arc<Shared>) {
        loop {
            tokio::time::sleep(LINGER).await;
            let (back, done) = {
                let mut st = self.state();
                let back = if st.asking {
                    Vec::new()
                } else {
                    st.take_idle(|l| l.idle_since.elapsed() >= LINGER)
                };
                st.lingering = !st.idle.is_empty();
                (back, !st.lingering)
            };
            shared.give_back(&self, back);
            if done {
                return;
            }
        }
    }
}

/// A request waiting in its host's line; leaving the line (its wait abandoned) hands what
/// was granted for it to the others.
struct Waiting {
    line: Arc<Line>,
    shared: Arc<Shared>,
    served: bool,
}

impl Waiting {
    fn join(line: Arc<Line>, shared: Arc<Shared>) -> Waiting {
        line.state().waiting += 1;
        Waiting {
            line,
            shared,
            served: false,
        }
    }

    async fn go(&mut self) -> Go {
        loop {
            let ready = self.line.ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            {
                let mut st = self.line.state();
                if let Some(go) = st.go.pop() {
                    st.waiting -= 1;
                    self.served = true;
                    return go;
                }
                if !st.asking {
                    st.asking = true;
                    tokio::spawn(self.line.clone().ask_for_waiting(self.shared.clone()));
                }
            }
            ready.await;
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut st = self.line.state();
        st.waiting -= 1;
        st.settle_surplus();
        let linger = st.linger();
        drop(st);
        if linger {
            spawn_lingering(&self.line, &self.shared);
        }
    }
}

fn spawn_lingering(line: &Arc<Line>, shared: &Arc<Shared>) {
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        rt.spawn(line.clone().return_lingering(shared.clone()));
    }
}

#[async_trait]
impl HostGate for RedisGate {
    async fn enter(&self, host: &str) -> HostPermit {
        let host = host.to_ascii_lowercase();
        // Local limits first: this process's own tasks queue in memory, not in Redis.
        let slot = self.slot(&host).acquire_owned().await.ok();
        while let Some(until) = self.shared.paused_until(&host) {
            tokio::time::sleep_until(until.into()).await;
        }
        self.local_rate.until_key_ready(&host).await;

        self.beat();
        self.tidy(self.entered.fetch_add(1, Ordering::Relaxed));
        let line = self.shared.line(&host);
        let go = Waiting::join(line.clone(), self.shared.clone()).go().await;
        let permit = Permit {
            line,
            shared: self.shared.clone(),
            lease: go.lease,
            slot,
        };
        if go.at > Instant::now() {
            tokio::time::sleep_until(go.at.into()).await;
        }
        HostPermit::new(permit)
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        let host = host.to_ascii_lowercase();
        self.shared.pause_locally(&host, wait);
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        if ms == 0 {
            return;
        }
        let pause = format!("{}:host:{}:pause", self.shared.ns, host);
        let mut inv = self.shared.pause.prepare_invoke();
        inv.key(&pause).arg(ms);
        let mut conn = self.shared.conn.clone();
        if let Err(e) = inv.invoke_async::<i64>(&mut conn).await {
            // This process still pauses; the others learn of the host's limit by themselves.
            self.shared.warn_unreachable(&e);
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
            .field("namespace", &self.shared.ns)
            .field("limits", &self.shared.limits)
            .field("age", &self.started.elapsed())
            .finish()
    }
}

/// What a request holds while it runs: this process's slot and, when Redis granted it, a
/// pool-wide lease.
struct Permit {
    line: Arc<Line>,
    shared: Arc<Shared>,
    lease: Option<Held>,
    slot: Option<OwnedSemaphorePermit>,
}

impl Drop for Permit {
    /// Hands the lease to the next request of this process waiting for the host, or keeps it
    /// idle for [`LINGER`], or — granted too long ago — returns it to Redis; then frees the
    /// local slot, so the next local request finds the lease already back.
    fn drop(&mut self) {
        let slot = self.slot.take();
        let Some(mut lease) = self.lease.take() else {
            return;
        };
        if lease.granted.elapsed() >= LEASE_REUSE {
            let mut st = self.line.state();
            st.held -= 1;
            let wanted = st.unserved() > 0;
            drop(st);
            self.shared.give_back(&self.line, vec![lease]);
            if wanted {
                // The line may ask for a lease in its place.
                self.line.returned.notify_one();
            }
            drop(slot);
            return;
        }
        lease.idle_since = Instant::now();
        let mut st = self.line.state();
        st.idle.push(lease);
        let wanted = st.unserved() > 0;
        // A prepaid cell lets the next request go at once; without one, the line's asking
        // task asks for a cell.
        let paired = wanted && st.pair(self.shared.validity);
        let linger = !wanted && st.linger();
        drop(st);
        if paired {
            self.line.ready.notify_waiters();
        } else if wanted {
            self.line.returned.notify_one();
        }
        if linger {
            spawn_lingering(&self.line, &self.shared);
        }
        drop(slot);
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
        let mut gates = lock(&self.gates);
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

/// Locks a mutex whose data stays consistent even if a holder panicked (every critical
/// section here is a few field updates).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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
