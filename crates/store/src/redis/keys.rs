//! The key layout.
//!
//! Every key starts with the deployment's namespace `{ns}` (so deployments, and tests running
//! in parallel, share one Redis without colliding); `{id}` is a [`RoundId`], whose alphabet is
//! safe in key names. The host gates' keys start with the gate namespace `{gates}` instead
//! (`politeness` unless a worker is given another): a site's limits are the site's, so every
//! deployment on one Redis counts against the same ones.
//!
//! | key | type | content |
//! | --- | --- | --- |
//! | `{ns}:rounds` | sorted set | round ids, scored by creation time (Redis server time, ms): [`Store::rounds`] reads it oldest first |
//! | `{ns}:round:{id}` | string | the round record ([`Round`] as JSON) |
//! | `{ns}:round:{id}:expected` | set | ids of the round's jobs: initial ones ([`Store::add_jobs`]) and follow-ups ([`Store::record`]) |
//! | `{ns}:round:{id}:results` | hash | job id → [`JobResult`] as JSON; the first write wins |
//! | `{ns}:round:{id}:state` | hash | `outstanding` (expected jobs without a result), `done` (expected jobs with one), `dead` (results whose outcome is [`Outcome::Dead`]), `sealed` (`1` once every initial job is scheduled), `completed` (`1` once sealed with nothing outstanding), `completed_by` (the call that completed it) |
//! | `{ns}:round:{id}:calls` | hash | `e:{job}` / `r:{job}` → the id of the call that added / recorded the job (one result with its follow-ups); `b:{call}` → a batch call's answer, a digit per result (`1` first, `0` not) (see the `calls` module) |
//! | `{ns}:round:{id}:packed` | list | a completed round's results once packed, in job id order: blocks of up to 1,000 results' JSON, one a line, deflated; the results and calls hashes and the expected set are then gone, and the state hash has `packed` (`1`), `total` (the expected jobs) and `results` (see the `compaction` module); the list, the state and the record then have no expiry (kept until pruned) |
//! | `{ns}:round:{id}:packing:{call}` | list | the blocks of a packing call, renamed to `packed` when it finishes first |
//! | `{ns}:round:{id}:follow-ups` | string | present while a collector has its turn at publishing the round's follow-up jobs: its token, with a lease of [`FOLLOW_UP_LEASE`](spotcheck_core::ports::FOLLOW_UP_LEASE) (see the `turns` module) |
//! | `{gates}:host:{host}` | string | the host's politeness bucket: the GCRA theoretical arrival time, in µs of Redis server time (`spotcheck-politeness`) |
//! | `{gates}:host:{host}:pause` | string | present while the host asked the pool to wait (429/503, `Retry-After`); its TTL is the pause |
//! | `{gates}:host:{host}:leases` | sorted set | lease id (`{holder}-{n}`) → expiry (ms of Redis server time) of each request to the host in flight anywhere in the pool |
//! | `{gates}:ip:{addr}`, `{gates}:ip:{addr}:leases` | string, sorted set | the same for an address connected to, when the plan limits addresses (`per_ip_rate`, `per_ip_concurrency`); an address is never paused |
//! | `{gates}:gate:holder:{holder}` | string | present while the worker's host gate `{holder}` runs (renewed every few seconds); the leases of a holder whose key lapsed are freed |
//! | `{ns}:schedule:fence` | integer | the fencing counter of scheduled rounds: every claim takes the next value |
//! | `{ns}:schedule:{entry}:{due}` | string | `claimed:{token}` while a scheduler starts the round of a schedule entry due at `{due}` (Unix s), lapsing after the lease; then `started:{round}`, kept as long as rounds |

use spotcheck_core::ports::PortError;
use spotcheck_core::round::RoundId;
#[cfg(doc)]
use spotcheck_core::{
    outcome::{JobResult, Outcome},
    ports::Store,
    round::Round,
};

use super::RedisStore;

impl RedisStore {
    /// The round keys, in the order the scripts take them: record, expected, results, state,
    /// calls, and the namespace's round list.
    pub fn round_keys(&self, round: &RoundId) -> [String; 6] {
        let base = self.record_key(&round.0);
        [
            base.clone(),
            format!("{base}:expected"),
            format!("{base}:results"),
            format!("{base}:state"),
            format!("{base}:calls"),
            self.rounds_key(),
        ]
    }

    /// The key of a round's record.
    pub(super) fn record_key(&self, id: &str) -> String {
        format!("{}:round:{id}", self.ns)
    }

    /// The packed results of a completed round.
    pub(super) fn packed_key(&self, round: &RoundId) -> String {
        format!("{}:packed", self.record_key(&round.0))
    }

    /// A round's turn at publishing follow-up jobs.
    pub(super) fn follow_ups_key(&self, id: &str) -> String {
        format!("{}:follow-ups", self.record_key(id))
    }

    /// The namespace's list of rounds.
    pub(super) fn rounds_key(&self) -> String {
        format!("{}:rounds", self.ns)
    }

    /// The pattern every key of the namespace matches.
    pub(super) fn namespace_pattern(&self) -> String {
        format!("{}:*", self.ns)
    }
}

/// A round id outside the safe alphabet would make keys of other rounds reachable: refused.
pub(super) fn check_round(id: &RoundId) -> Result<(), PortError> {
    if RoundId::is_valid(&id.0) {
        Ok(())
    } else {
        Err(PortError::Invalid(format!("bad round id {:?}", id.0)))
    }
}
