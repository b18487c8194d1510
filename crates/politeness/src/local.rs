//! The limits one process keeps by itself: per-host rate (a governor quota), concurrency (a
//! semaphore per host) and the pauses it knows of.
//!
//! The in-memory gate is these limits alone. The Redis gate keeps them in front of the
//! pool-wide limits, so a process's own tasks queue in memory rather than in Redis, and falls
//! back on them when Redis cannot be reached: one process alone still respects the plan.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use spotcheck_core::Rate;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::lock;

/// The per-host state of hosts not seen for a while is forgotten every this many entries
/// (governor's keyed state and the maps never shrink by themselves); cheap at that pace.
pub(crate) const TIDY_EVERY: u64 = 512;

/// Per-host rate, concurrency and pauses within one process.
pub(crate) struct LocalLimits {
    rate: DefaultKeyedRateLimiter<String>,
    concurrency: usize,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    paused: Mutex<HashMap<String, Instant>>,
    entered: AtomicU64,
}

impl LocalLimits {
    pub(crate) fn new(rate: Rate, concurrency: u32) -> LocalLimits {
        let count = NonZeroU32::new(rate.count).unwrap_or(NonZeroU32::MIN);
        // One request per interval with a burst of one: "2/s" means a request every 500 ms,
        // never two at once after a quiet spell. (Measured: at 1,000,000/s on loopback a
        // burst of one is also faster than a larger one — requests spread out a little.)
        let quota = Quota::with_period(rate.interval())
            .unwrap_or_else(|| Quota::per_second(count))
            .allow_burst(NonZeroU32::MIN);
        LocalLimits {
            rate: RateLimiter::keyed(quota),
            concurrency: concurrency.max(1) as usize,
            slots: Mutex::new(HashMap::new()),
            paused: Mutex::new(HashMap::new()),
            entered: AtomicU64::new(0),
        }
    }

    /// Waits for one of the host's slots, the end of its pause, and its next rate cell, in
    /// that order; the request holds the slot (none if the semaphore was closed, which never
    /// happens) until it is done.
    pub(crate) async fn enter(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let slot = self.slot(host).acquire_owned().await.ok();
        while let Some(until) = self.paused_until(host) {
            tokio::time::sleep_until(until.into()).await;
        }
        self.rate.until_key_ready(&host.to_string()).await;
        if self.entered.fetch_add(1, Ordering::Relaxed) % TIDY_EVERY == 0 {
            self.tidy();
        }
        slot
    }

    /// No request to `host` from this process before `wait` has passed; a longer pause
    /// already in force stays.
    pub(crate) fn pause(&self, host: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused);
        paused.retain(|_, t| *t > Instant::now());
        let e = paused.entry(host.to_string()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }

    fn slot(&self, host: &str) -> Arc<Semaphore> {
        let mut slots = lock(&self.slots);
        slots
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.concurrency)))
            .clone()
    }

    fn paused_until(&self, host: &str) -> Option<Instant> {
        lock(&self.paused)
            .get(host)
            .copied()
            .filter(|t| *t > Instant::now())
    }

    /// Forgets the rate state of hosts not seen for a while and the semaphores nobody holds
    /// or waits for.
    fn tidy(&self) {
        self.rate.retain_recent();
        self.rate.shrink_to_fit();
        lock(&self.slots).retain(|_, s| Arc::strong_count(s) > 1);
    }
}
