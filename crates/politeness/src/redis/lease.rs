//! What a process holds of a host's pool-wide limits: leases (slots of the host's
//! concurrency) and the go-aheads that pair a lease with a rate cell for one request.

use std::time::Instant;

/// A slot of a host's pool-wide concurrency, granted to this process by Redis and named
/// there by `id`; held until it goes back (or, the process killed, expires).
pub(super) struct Lease {
    pub(super) id: String,
    /// When Redis granted it: a lease is handed from request to request only for
    /// [`LEASE_REUSE`](super::LEASE_REUSE) after.
    pub(super) granted: Instant,
    /// Since when no request has used it: it goes back after [`LINGER`](super::LINGER).
    pub(super) idle_since: Instant,
}

/// A go-ahead for one request: its lease (none when Redis could not be asked and only the
/// local limits hold) and its rate cell.
pub(super) struct GoAhead {
    pub(super) lease: Option<Lease>,
    pub(super) cell: Cell,
}

/// A rate cell granted by Redis, in this process's time: its request goes no sooner than
/// `at` and no later than `until`.
///
/// Redis grants a cell at a moment of its own that this process only knows lies between
/// sending the ask and reading the answer, and the answer may have waited long in a busy
/// process (CI saw answers read 250 ms late while a worker started: its requests then went
/// right beside other workers' on-time ones). So `at` counts from the answer read (never
/// early) and `until` from the ask sent, plus the link's usual one way
/// ([`round_trip`](super::round_trip)): a request goes within the validity of its cell's
/// true time, and two requests to a host are never closer than the interval less that
/// validity however late an answer was read. A cell whose answer came too late is spent
/// without a request.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    pub(super) at: Instant,
    pub(super) until: Instant,
}
