//! Politeness: per-host rate and concurrency, and back-off when a host says "too many".
//!
//! Government sites are fragile and often sit behind a WAF that bans aggressive clients, so
//! every request — page, link, probe, redirect hop — passes a host gate first. The gate is the
//! core port [`HostGate`]: in one process it is [`MemoryGate`] (governor + a semaphore per
//! host); a pool uses the Redis gate of the store crate, so the limits hold across every worker.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use spotcheck_core::Rate;
pub use spotcheck_core::ports::{HostGate, HostPermit};
use tokio::sync::Semaphore;

/// Per-host limits within one process.
pub struct MemoryGate {
    rate: DefaultKeyedRateLimiter<String>,
    concurrency: usize,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    paused: Mutex<HashMap<String, Instant>>,
}

impl MemoryGate {
    pub fn new(rate: Rate, concurrency: u32) -> MemoryGate {
        let count = NonZeroU32::new(rate.count).unwrap_or(NonZeroU32::MIN);
        // One request per interval with a burst of one: "2/s" means a request every 500 ms,
        // never two at once after a quiet spell. (Measured: at 1,000,000/s on loopback a
        // burst of one is also faster than a larger one — requests spread out a little.)
        let quota = Quota::with_period(rate.interval())
            .unwrap_or_else(|| Quota::per_second(count))
            .allow_burst(NonZeroU32::MIN);
        MemoryGate {
            rate: RateLimiter::keyed(quota),
            concurrency: concurrency.max(1) as usize,
            slots: Mutex::new(HashMap::new()),
            paused: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host: &str) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.concurrency)))
            .clone()
    }

    fn paused_until(&self, host: &str) -> Option<Instant> {
        let paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        paused.get(host).copied().filter(|t| *t > Instant::now())
    }
}

#[async_trait]
impl HostGate for MemoryGate {
    async fn enter(&self, host: &str) -> HostPermit {
        let slot = self.slot(host).acquire_owned().await.ok();
        while let Some(until) = self.paused_until(host) {
            tokio::time::sleep_until(until.into()).await;
        }
        self.rate.until_key_ready(&host.to_string()).await;
        match slot {
            Some(slot) => HostPermit::new(slot),
            None => HostPermit::free(),
        }
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        let mut paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + wait;
        let e = paused.entry(host.to_string()).or_insert(until);
        if *e < until {
            *e = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spaces_requests_to_one_host_only() {
        let gate = MemoryGate::new("10/s".parse().unwrap(), 4);
        let start = Instant::now();
        for _ in 0..4 {
            drop(gate.enter("a.gov.cn").await);
        }
        let a = start.elapsed();
        assert!(
            a >= Duration::from_millis(290),
            "4 requests at 10/s took {a:?}"
        );
        let start = Instant::now();
        drop(gate.enter("b.gov.cn").await);
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "another host waited"
        );
    }

    #[tokio::test]
    async fn back_off_pauses_the_host() {
        let gate = MemoryGate::new("100/s".parse().unwrap(), 1);
        gate.back_off("a.gov.cn", Duration::from_millis(200)).await;
        let start = Instant::now();
        drop(gate.enter("a.gov.cn").await);
        assert!(start.elapsed() >= Duration::from_millis(190));
    }
}
