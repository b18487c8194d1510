//! Politeness, measured: a host gate that times what passes through it.
//!
//! Every request of the fetcher enters the round's host gate and holds its permit until the
//! body is read, so the gate sees both how long a request waited for its host (rate,
//! concurrency, back-off — pool-wide) and how long the request itself took, without the
//! fetcher knowing about metrics. No host appears in any label.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use spotcheck_core::ports::{GateFactory, HostGate, HostPermit};
use spotcheck_core::round::Round;

/// A wait at least this long counts in `spotcheck_throttled_requests_total`; shorter ones
/// are the cost of asking the shared limiter.
pub const THROTTLED: Duration = Duration::from_millis(10);

/// Wraps a gate factory (e.g. the Redis gates) so that its gates are measured.
pub struct MeteredGates {
    inner: Arc<dyn GateFactory>,
}

impl MeteredGates {
    pub fn new(inner: Arc<dyn GateFactory>) -> MeteredGates {
        MeteredGates { inner }
    }
}

impl GateFactory for MeteredGates {
    fn gate(&self, round: &Round) -> Arc<dyn HostGate> {
        Arc::new(MeteredGate {
            inner: self.inner.gate(round),
        })
    }
}

struct MeteredGate {
    inner: Arc<dyn HostGate>,
}

/// The inner permit, and when the request started: dropped when the request is done.
struct Timed {
    _permit: HostPermit,
    since: Instant,
}

impl Drop for Timed {
    fn drop(&mut self) {
        metrics::histogram!("spotcheck_fetch_duration_seconds")
            .record(self.since.elapsed().as_secs_f64());
    }
}

#[async_trait]
impl HostGate for MeteredGate {
    async fn enter(&self, host: &str, addr: Option<IpAddr>) -> HostPermit {
        let asked = Instant::now();
        let permit = self.inner.enter(host, addr).await;
        let waited = asked.elapsed();
        metrics::histogram!("spotcheck_throttle_wait_seconds").record(waited.as_secs_f64());
        if waited >= THROTTLED {
            metrics::counter!("spotcheck_throttled_requests_total").increment(1);
        }
        HostPermit::new(Timed {
            _permit: permit,
            since: Instant::now(),
        })
    }

    async fn back_off(&self, host: &str, wait: Duration) {
        metrics::counter!("spotcheck_host_backoffs_total").increment(1);
        self.inner.back_off(host, wait).await;
    }
}
