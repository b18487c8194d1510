//! Limits per address: the plan's `per_ip_rate` and `per_ip_concurrency`, kept beside the
//! per-host ones for the address a request connects to.
//!
//! Many government sites sit on one shared (集约化) platform — one address behind dozens of
//! host names — and per-host limits alone would give that platform dozens of times the rate.
//! Either setting may be given alone; the other is then no limit.

use spotcheck_core::Rate;
use spotcheck_core::plan::Politeness;

/// The rate of an address whose plan limits only its concurrency: as fast as the gates go.
const UNLIMITED_RATE: Rate = Rate {
    count: 1_000_000,
    per: std::time::Duration::from_secs(1),
};
/// The concurrency of an address whose plan limits only its rate: never the limit that holds.
const UNLIMITED_CONCURRENCY: u32 = 1 << 20;

/// An address's rate and concurrency, or `None` when the plan does not limit addresses.
pub(crate) fn limits(p: &Politeness) -> Option<(Rate, u32)> {
    if p.per_ip_rate.is_none() && p.per_ip_concurrency.is_none() {
        return None;
    }
    Some((
        p.per_ip_rate.unwrap_or(UNLIMITED_RATE),
        p.per_ip_concurrency.unwrap_or(UNLIMITED_CONCURRENCY).max(1),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_unless_one_is_set() {
        let mut p = Politeness::default();
        assert_eq!(limits(&p), None);
        p.per_ip_rate = Some("5/s".parse().unwrap());
        assert_eq!(
            limits(&p),
            Some(("5/s".parse().unwrap(), UNLIMITED_CONCURRENCY))
        );
        p.per_ip_rate = None;
        p.per_ip_concurrency = Some(3);
        assert_eq!(limits(&p), Some((UNLIMITED_RATE, 3)));
    }
}
