//! The gate of a process that is the whole pool (the embedded mode, and the worker's tests):
//! the per-process limits and nothing else.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use spotcheck_core::Rate;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use spotcheck_core::round::Round;

use crate::address;
use crate::local::LocalLimits;
use crate::lock;

/// Per-host (and, when the plan says so, per-address) limits within one process.
pub struct MemoryGate {
    limits: LocalLimits,
    addresses: Option<LocalLimits>,
}

impl MemoryGate {
    pub fn new(rate: Rate, concurrency: u32) -> MemoryGate {
        MemoryGate {
            limits: LocalLimits::new(rate, concurrency),
            addresses: None,
        }
    }

    /// The same gate, limiting each address connected to as well.
    pub fn limiting_addresses(mut self, rate: Rate, concurrency: u32) -> MemoryGate {
        self.addresses = Some(LocalLimits::new(rate, concurrency));
        self
    }
}

#[async_trait]
impl HostGate for MemoryGate {
    /// The host's limits first, then the address's, so a request takes its address's rate
    /// cell right before it goes.
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit {
        let on_host = self.limits.enter(host).await;
        let on_addr = match (&self.addresses, addr) {
            (Some(limits), Some(ip)) => limits.enter(&ip.to_string()).await,
            _ => None,
        };
        HostPermit::new((on_host, on_addr))
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
        let addresses = address::limits(p);
        let key = format!(
            "{}|{}|{addresses:?}",
            p.per_host_rate, p.per_host_concurrency
        );
        let mut gates = lock(&self.gates);
        gates
            .entry(key)
            .or_insert_with(|| {
                let gate = MemoryGate::new(p.per_host_rate, p.per_host_concurrency);
                Arc::new(match addresses {
                    Some((rate, concurrency)) => gate.limiting_addresses(rate, concurrency),
                    None => gate,
                })
            })
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
            drop(gate.enter("a.gov.cn", None).await);
        }
        let a = start.elapsed();
        assert!(
            a >= Duration::from_millis(290),
            "4 requests at 10/s took {a:?}"
        );
        let start = Instant::now();
        drop(gate.enter("b.gov.cn", None).await);
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "another host waited"
        );
    }

    #[tokio::test]
    async fn hosts_on_one_address_share_its_rate() {
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let gate = MemoryGate::new("1000/s".parse().unwrap(), 4)
            .limiting_addresses("10/s".parse().unwrap(), 4);
        let start = Instant::now();
        for host in ["a.gov.cn", "b.gov.cn", "c.gov.cn", "d.gov.cn"] {
            drop(gate.enter(host, Some(ip)).await);
        }
        let a = start.elapsed();
        assert!(
            a >= Duration::from_millis(290),
            "4 hosts on one address at 10/s took {a:?}"
        );
        let start = Instant::now();
        drop(gate.enter("e.gov.cn", Some(other)).await);
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "another address waited"
        );
    }

    #[tokio::test]
    async fn back_off_pauses_the_host() {
        let gate = MemoryGate::new("100/s".parse().unwrap(), 1);
        gate.back_off("a.gov.cn", Duration::from_millis(200)).await;
        let start = Instant::now();
        drop(gate.enter("a.gov.cn", None).await);
        assert!(start.elapsed() >= Duration::from_millis(190));
    }
}
