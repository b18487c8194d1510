//! When the workload served what during a run: its page, its first link and its last link.
//! A run's wall time splits into the start (until the page is fetched), the page's handling
//! (until its first link is checked), the checking, and the tail (from the last link's
//! request until the run says it is done) — which tells where a slow run loses its time.
//! The longest gap between two links served tells a round that stalled (nothing asked of
//! the workload for a while, the cores idle) from one that was slow throughout.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Moments as nanoseconds since `base`, 0 for "not yet": atomics, so recording them costs
/// the workload's request handlers nearly nothing.
pub struct Timeline {
    base: Instant,
    page: AtomicU64,
    first_link: AtomicU64,
    last_link: AtomicU64,
    /// The longest time between two links served, in nanoseconds.
    gap: AtomicU64,
}

/// A run's moments, from the start of its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases {
    pub page: Option<Duration>,
    pub first_link: Option<Duration>,
    pub last_link: Option<Duration>,
    /// The longest time between two links served.
    pub gap: Option<Duration>,
}

impl Timeline {
    pub fn new() -> Timeline {
        Timeline {
            base: Instant::now(),
            page: AtomicU64::new(0),
            first_link: AtomicU64::new(0),
            last_link: AtomicU64::new(0),
            gap: AtomicU64::new(0),
        }
    }

    /// Forgets the moments of the previous run.
    pub fn reset(&self) {
        for a in [&self.page, &self.first_link, &self.last_link, &self.gap] {
            a.store(0, Ordering::Relaxed);
        }
    }

    /// The page was served now (the first time in a run counts).
    pub fn page_served(&self) {
        let _ = self
            .page
            .compare_exchange(0, self.now(), Ordering::Relaxed, Ordering::Relaxed);
    }

    /// A link was served now.
    pub fn link_served(&self) {
        let now = self.now();
        let _ = self
            .first_link
            .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
        let before = self.last_link.fetch_max(now, Ordering::Relaxed);
        if before != 0 && before < now {
            self.gap.fetch_max(now - before, Ordering::Relaxed);
        }
    }

    /// The moments recorded since the last reset, from `start` (none before it).
    pub fn since(&self, start: Instant) -> Phases {
        let offset = start.saturating_duration_since(self.base);
        let at = |a: &AtomicU64| match a.load(Ordering::Relaxed) {
            0 => None,
            n => Some(Duration::from_nanos(n).saturating_sub(offset)),
        };
        Phases {
            page: at(&self.page),
            first_link: at(&self.first_link),
            last_link: at(&self.last_link),
            gap: match self.gap.load(Ordering::Relaxed) {
                0 => None,
                n => Some(Duration::from_nanos(n)),
            },
        }
    }

    /// Nanoseconds since `base`, never 0 (which means "not yet").
    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_kept_from_the_first_page_and_over_every_link() {
        let t = Timeline::new();
        let start = Instant::now();
        assert_eq!(
            t.since(start),
            Phases {
                page: None,
                first_link: None,
                last_link: None,
                gap: None
            }
        );
        t.page_served();
        std::thread::sleep(Duration::from_millis(2));
        t.page_served();
        t.link_served();
        std::thread::sleep(Duration::from_millis(2));
        t.link_served();
        let p = t.since(start);
        let (page, first, last) = (p.page.unwrap(), p.first_link.unwrap(), p.last_link.unwrap());
        assert!(page < first, "{p:?}");
        assert!(first + Duration::from_millis(2) <= last, "{p:?}");
        assert_eq!(p.gap, Some(last - first), "one gap, between the two links");
        t.link_served();
        assert_eq!(
            t.since(start).gap,
            p.gap,
            "a shorter gap leaves the longest"
        );
        t.reset();
        assert_eq!(t.since(start).page, None);
        assert_eq!(t.since(start).gap, None);
    }
}
