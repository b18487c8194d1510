//! Results held because they could not be written: while the store refuses writes (Redis full
//! with `noeviction`, read-only, away) or the broker refuses follow-ups, the collector keeps
//! each such delivery unacknowledged and writes it again, with backoff, until it goes in. It
//! never returns it to the queue meanwhile: every return counts towards the delivery limit,
//! and a result dead-lettered for the store's sake would be lost. The role's readiness reads
//! [`Stall::failing`], so an operator sees the stall in `/healthz` as well as in the log.

use std::sync::{Arc, Mutex};

use spotcheck_core::ports::PortError;

/// Shared by the collector's deliveries and whoever reports its health. Cloning shares it.
#[derive(Clone, Default)]
pub struct Stall {
    inner: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    held: usize,
    why: Option<String>,
}

impl Stall {
    /// Why results cannot be written now, while any is held; `None` when writes go in.
    pub fn failing(&self) -> Option<String> {
        let s = self.lock();
        if s.held == 0 {
            return None;
        }
        let why = s.why.clone().unwrap_or_default();
        Some(format!("{} result messages held, unwritten: {why}", s.held))
    }

    /// A delivery is held because of `e`; it counts as held until the returned value drops.
    pub(crate) fn hold(&self, e: &PortError) -> Held {
        let mut s = self.lock();
        s.held += 1;
        s.why = Some(e.to_string());
        metrics::gauge!("spotcheck_collector_results_held").set(s.held as f64);
        Held {
            stall: self.clone(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One held delivery.
pub(crate) struct Held {
    stall: Stall,
}

impl Held {
    /// Another attempt failed, with `e`.
    pub(crate) fn again(&self, e: &PortError) {
        self.stall.lock().why = Some(e.to_string());
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut s = self.stall.lock();
        s.held -= 1;
        if s.held == 0 {
            s.why = None;
        }
        metrics::gauge!("spotcheck_collector_results_held").set(s.held as f64);
    }
}
