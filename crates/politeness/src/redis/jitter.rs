//! A little randomness: jitter on waits, so workers told the same wait do not all ask again
//! at the same instant, and a unique name for each gate.

use std::time::Duration;

/// Up to a tenth of `wait` (at most 20 ms) at random.
pub(super) fn jitter(wait: Duration) -> Duration {
    let span = u64::try_from((wait / 10).min(Duration::from_millis(20)).as_micros()).unwrap_or(0);
    if span == 0 {
        return Duration::ZERO;
    }
    Duration::from_micros(fastrand::u64(..span))
}

/// A random number for a gate's name.
pub(super) fn random() -> u64 {
    fastrand::u64(..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_small() {
        for _ in 0..100 {
            assert!(jitter(Duration::from_millis(100)) < Duration::from_millis(10));
            assert!(jitter(Duration::from_secs(10)) < Duration::from_millis(20));
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
