//! The gate of a process that is the whole pool (the embedded mode, and the worker's tests):
//! the per-process limits and nothing else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use spotcheck_core::Rate;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use spotcheck_core::round::Round;

use crate::local::LocalLimits;
use crate::lock;

/// Per-host limits within one process.
pub struct MemoryGate {
    limits: LocalLimits,
}

impl MemoryGate {
    pub fn new(rate: Rate, concurrency: u32) -> MemoryGate {
        MemoryGate {
            limits: LocalLimits::new(rate, concurrency),
        }
    }
}

#[async_trait]
impl HostGate for MemoryGate {
    async fn enter(&self, host: &str) -> HostPermit {
        match self.limits.enter(host).await {
            Some(slot) => HostPermit::new(slot),
            None => HostPermit::free(),
        }
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        self.limits.pause(host, wait);
    }
}

/// Makes [`MemoryGate`]s for rounds: one per set of limits, shared by the rounds that have
/// them, so two rounds running at once do not each get the whole of a host's limits.
#[derive(Default)]
pub struct MemoryGates {
    gates: Mutex<HashMap<String, Arc<MemoryGate>>>,
}

impl GateFactory for MemoryGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        let p = &round.plan.politeness;
        let key = format!("{}|{}", p.per_host_rate, p.per_host_concurrency);
        let mut gates = lock(&self.gates);
        gates
            .entry(key)
            .or_insert_with(|| Arc::new(MemoryGate::new(p.per_host_rate, p.per_host_concurrency)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

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
