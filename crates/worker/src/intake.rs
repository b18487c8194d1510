//! How many deliveries a worker takes: a new one only while fewer than `prefetch` of the jobs
//! it holds wait for a slot.
//!
//! A delivery's results are kept until its last job is checked, and the worker's slots go to
//! the waiting jobs of all its deliveries in turn; holding every delivery the broker's
//! prefetch allows (a page's 10,000 links in 40 messages) would keep nearly every result of
//! the page in memory until the end, and keep from the pool's other workers messages this one
//! cannot start yet. Taking deliveries as slots are about to free up keeps the slots busy
//! with about one slot's worth of jobs queued, whatever the size of a message (the scheduler
//! sends one job to a message, the collector up to 256).

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

    /// A delivery of `jobs` jobs was taken.
    pub(crate) fn taken(&self, jobs: usize) {
        self.waiting.fetch_add(jobs, Ordering::AcqRel);
    }

    /// A job got its slot (or will not be checked).
    pub(crate) fn started(&self) {
        let before = self.waiting.fetch_sub(1, Ordering::AcqRel);
        if before <= self.limit {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn room_comes_back_when_jobs_start() {
        let intake = Intake::new(4);
        assert!(intake.has_room());
        intake.taken(6);
        assert!(!intake.has_room());
        intake.started();
        intake.started();
        assert!(!intake.has_room(), "4 still waiting");
        intake.started();
        assert!(intake.has_room(), "3 waiting");
        // The wake-up of a job that started before anyone waited is kept.
        tokio::time::timeout(std::time::Duration::from_secs(1), intake.freed())
            .await
            .expect("a waiter hears of the freed slot");
    }
}
