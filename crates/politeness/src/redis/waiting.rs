//! A request waiting in its host's queue for a go-ahead.

use std::sync::Arc;

use super::coordinator::Coordinator;
use super::lease::GoAhead;
use super::queue::{HostQueue, spawn_lingering};

/// A request waiting in its host's queue; leaving the queue (its wait abandoned) hands what
/// was granted for it to the others.
pub(super) struct QueuedRequest {
    queue: Arc<HostQueue>,
    coordinator: Arc<Coordinator>,
    served: bool,
}

impl QueuedRequest {
    pub(super) fn join(queue: Arc<HostQueue>, coordinator: Arc<Coordinator>) -> QueuedRequest {
        queue.state().waiting += 1;
        QueuedRequest {
            queue,
            coordinator,
            served: false,
        }
    }

    /// Waits for a go-ahead, starting the queue's asking task when none runs.
    pub(super) async fn go_ahead(&mut self) -> GoAhead {
        loop {
            let ready = self.queue.ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            {
                let mut st = self.queue.state();
                if let Some(go) = st.go_aheads.pop() {
                    st.waiting -= 1;
                    self.served = true;
                    return go;
                }
                if !st.asking {
                    st.asking = true;
                    tokio::spawn(self.queue.clone().ask_for_waiting(self.coordinator.clone()));
                }
            }
            ready.await;
        }
    }
}

impl Drop for QueuedRequest {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut st = self.queue.state();
        st.waiting -= 1;
        st.settle_surplus();
        let linger = st.linger();
        drop(st);
        if linger {
            spawn_lingering(&self.queue, &self.coordinator);
        }
    }
}
