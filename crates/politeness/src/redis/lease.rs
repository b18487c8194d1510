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
/// local limits hold) and the time its rate cell comes.
pub(super) struct GoAhead {
    pub(super) lease: Option<Lease>,
    pub(super) at: Instant,
}
