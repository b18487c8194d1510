//! What a request holds while it runs, and where its lease goes when it is done.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::OwnedSemaphorePermit;

use super::LEASE_REUSE;
use super::coordinator::Coordinator;
use super::lease::Lease;
use super::queue::{HostQueue, spawn_lingering};

/// What a request holds while it runs: this process's slot and, when Redis granted it, a
/// pool-wide lease.
pub(super) struct RedisPermit {
    pub(super) queue: Arc<HostQueue>,
    pub(super) coordinator: Arc<Coordinator>,
    pub(super) lease: Option<Lease>,
    pub(super) slot: Option<OwnedSemaphorePermit>,
}

impl Drop for RedisPermit {
    /// Hands the lease to the next request of this process waiting for the host, or keeps it
    /// idle for [`LINGER`](super::LINGER), or — granted too long ago — returns it to Redis;
    /// then frees the local slot, so the next local request finds the lease already back.
    fn drop(&mut self) {
        let slot = self.slot.take();
        let Some(mut lease) = self.lease.take() else {
            return;
        };
        if lease.granted.elapsed() >= LEASE_REUSE {
            let mut st = self.queue.state();
            st.held -= 1;
            let wanted = st.unserved() > 0;
            drop(st);
            self.coordinator.give_back(&self.queue, vec![lease]);
            if wanted {
                // The queue may ask for a lease in its place.
                self.queue.returned.notify_one();
            }
            drop(slot);
            return;
        }
        lease.idle_since = Instant::now();
        let mut st = self.queue.state();
        st.idle.push(lease);
        let wanted = st.unserved() > 0;
        // A prepaid cell lets the next request go at once; without one, the queue's asking
        // task asks for a cell.
        let paired = wanted && st.pair();
        let linger = !wanted && st.linger();
        drop(st);
        if paired {
            self.queue.ready.notify_waiters();
        } else if wanted {
            self.queue.returned.notify_one();
        }
        if linger {
            spawn_lingering(&self.queue, &self.coordinator);
        }
        drop(slot);
    }
}
