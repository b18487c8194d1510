//! The one retry policy of every adapter: the fetcher, the WeChat API client, the Redis
//! store, the host gate and the broker connection all wait by it between attempts.
//!
//! Steps grow exponentially from `first`, doubling up to `max`, and each wait is its step plus
//! up to half of it at random. The jitter only ever adds: a configured backoff is the least a
//! fragile site or a recovering broker is left alone, and it spreads a pool that failed
//! together (every worker losing the broker at once) so it does not come back in lock-step.

use std::time::Duration;

/// Exponential backoff with additive jitter (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
}

impl Backoff {
    /// Steps from `first`, doubling, never above `max` (before jitter). A zero `first` waits
    /// not at all; a `max` below `first` is raised to it.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max: max.max(first),
        }
    }

    /// Steps from `first`, doubling without a cap of their own (the caller bounds attempts).
    pub fn doubling(first: Duration) -> Backoff {
        Backoff::new(first, Duration::MAX)
    }

    /// The step before retry `attempt` (0 for the first retry), without jitter.
    pub fn step(&self, attempt: u32) -> Duration {
        self.first
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.max)
    }

    /// The wait before retry `attempt`: its step and up to half of it again at random.
    pub fn delay(&self, attempt: u32) -> Duration {
        let step = self.step(attempt);
        step.saturating_add(step.mul_f64(fastrand::f64() / 2.0))
    }

    /// The waits before each retry in turn, for loops that keep no attempt count.
    pub fn delays(self) -> Delays {
        Delays {
            backoff: self,
            attempt: 0,
        }
    }
}

/// The waits of a [`Backoff`] one after another (a reconnect loop's state).
#[derive(Debug, Clone)]
pub struct Delays {
    backoff: Backoff,
    attempt: u32,
}

impl Delays {
    /// The wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.backoff.delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_double_up_to_the_cap() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let steps: Vec<u128> = (0..5).map(|n| b.step(n).as_millis()).collect();
        assert_eq!(steps, [100, 200, 400, 500, 500]);
        assert_eq!(
            Backoff::doubling(Duration::from_secs(1)).step(40),
            Duration::from_secs(1 << 20)
        );
    }

    #[test]
    fn jitter_adds_at_most_half_a_step_and_varies() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
        let waits: Vec<Duration> = (0..200).map(|_| b.delay(1)).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_millis(200) && *w <= Duration::from_millis(300))
        );
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "every wait the same: no jitter"
        );
    }

    #[test]
    fn zero_waits_nothing_and_a_low_cap_is_raised() {
        assert_eq!(Backoff::doubling(Duration::ZERO).delay(3), Duration::ZERO);
        let b = Backoff::new(Duration::from_secs(2), Duration::from_secs(1));
        assert_eq!(b.step(0), Duration::from_secs(2));
        let mut d = b.delays();
        assert!(d.next_delay() >= Duration::from_secs(2));
        assert!(d.next_delay() <= Duration::from_secs(3));
    }
}
