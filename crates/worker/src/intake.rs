//! How many deliveries a worker takes: a new one only while fewer than `prefetch` of the jobs
//! it holds wait for a slot.
//!
//! A delivery's results are kept until its last job is checked, and the worker's slots go to
//! the waiting jobs of all its deliveries in turn; holding every delivery the broker's
//! prefetch allows (a page's 10,000 links in 20 messages) would keep nearly every result of
//! the page in memory until the end, and keep from the pool's other workers messages this one
//! cannot start yet. Taking deliveries as slots are about to free up keeps the slots busy
//! with about one slot's worth of jobs queued, whatever the size of a message (the scheduler
//! sends one job to a message, the collector up to 512).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

pub(crate) struct Intake {
    /// Jobs of taken deliveries that have no slot yet.
    waiting: AtomicUsize,
    /// Below this many waiting jobs, another delivery is taken.
    limit: usize,
    freed: Notify,
}

impl Intake {
    pub(crate) fn new(limit: usize) -> Intake {
        Intake {
            waiting: AtomicUsize::new(0),
            limit: limit.max(1),
            freed: Notify::new(),
        }
    }

    /// Whether another delivery may be taken now.
    pub(crate) fn has_room(&self) -> bool {
        self.waiting.load(Ordering::Acquire) < self.limit
    }

    /// A delivery of `jobs` jobs was taken: they wait until each is counted as started on
    /// the returned [`Taken`], or it is dropped (the delivery's task ended, even by a panic
    /// or an abort), so a lost count can never stop the worker from taking deliveries.
    pub(crate) fn taken(self: &Arc<Self>, jobs: usize) -> Taken {
        self.waiting.fetch_add(jobs, Ordering::AcqRel);
        Taken {
            intake: self.clone(),
            left: jobs,
        }
    }

    /// `n` jobs no longer wait.
    fn started(&self, n: usize) {
        let before = self.waiting.fetch_sub(n, Ordering::AcqRel);
        if before.saturating_sub(n) < self.limit {
            // `notify_one` keeps the wake-up for a waiter that has not started waiting yet.
            self.freed.notify_one();
        }
    }

    /// Resolves when a job got its slot since the last time this resolved: look at
    /// [`Intake::has_room`] again.
    pub(crate) async fn freed(&self) {
        self.freed.notified().await;
    }
}

/// The jobs of one taken delivery that still wait for a slot.
pub(crate) struct Taken {
    intake: Arc<Intake>,
    left: usize,
}

impl Taken {
    /// One of the delivery's jobs got its slot (or will not be checked).
    pub(crate) fn started(&mut self) {
        if self.left > 0 {
            self.left -= 1;
            self.intake.started(1);
        }
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if self.left > 0 {
            self.intake.started(self.left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn room_comes_back_when_jobs_start() {
        let intake = Arc::new(Intake::new(4));
        assert!(intake.has_room());
        let mut taken = intake.taken(6);
        assert!(!intake.has_room());
        taken.started();
        taken.started();
        assert!(!intake.has_room(), "4 still waiting");
        taken.started();
        assert!(intake.has_room(), "3 waiting");
        // The wake-up of a job that started before anyone waited is kept.
        tokio::time::timeout(std::time::Duration::from_secs(1), intake.freed())
            .await
            .expect("a waiter hears of the freed slot");
    }

    #[test]
    fn a_delivery_that_ends_unfinished_gives_its_count_back() {
        let intake = Arc::new(Intake::new(2));
        let mut taken = intake.taken(5);
        taken.started();
        assert!(!intake.has_room());
        drop(taken);
        assert!(intake.has_room());
        assert_eq!(intake.waiting.load(Ordering::Acquire), 0);
    }
}
