//! A host's pool-wide limits, and the spans by which a process keeps to them without asking
//! Redis for every request.

use std::time::Duration;

use spotcheck_core::Rate;
use spotcheck_core::round::Round;

use crate::address;

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

    /// The limits per address of a round, when its plan sets any: the host's leases' times
    /// with the plan's `per_ip_rate` and `per_ip_concurrency`.
    pub fn of_addresses(round: &Round) -> Option<GateLimits> {
        let (rate, concurrency) = address::limits(&round.plan.politeness)?;
        Some(GateLimits {
            rate,
            concurrency,
            ..GateLimits::of(round)
        })
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
/// A fast rate's cells are also granted ahead of demand — as many as the host's requests in
/// the process took over this span, or one per lease in use (its next request) when that is
/// more — up to as many as fit in this span of the rate; each stays usable this long after
/// its time. So a host may see a burst of this span's worth of its rate — 10 requests at
/// 1000/s, none below 100/s — and a busy worker asks Redis once for many requests. Cells
/// that go unused pause the prepaying until the next ask.
pub const PREPAY: Duration = Duration::from_millis(10);
/// Most leases and cells one ask takes.
pub(super) const BATCH: usize = 64;
