//! The in-process queue: the same contract as the broker, in memory.
//!
//! It keeps the broker's semantics that the roles rely on — prefetch, manual acks, redelivery
//! of unsettled messages with a count, a delivery limit that dead-letters, delayed messages —
//! so the embedded mode exercises the same code paths as a pool.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use spotcheck_core::ports::{Acker, Consumer, Delivery, Lane, Parcel, PortError, Queue};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

struct Message {
    body: Vec<u8>,
    /// Jobs or results handed over unencoded (`body` is then empty), shared with the
    /// delivery in flight.
    parcel: Option<Arc<Parcel>>,
    redeliveries: u32,
}

impl Message {
    fn new(body: Vec<u8>, parcel: Option<Arc<Parcel>>) -> Message {
        Message {
            body,
            parcel,
            redeliveries: 0,
        }
    }
}

#[derive(Default)]
struct LaneState {
    ready: VecDeque<Message>,
}

struct Inner {
    lanes: Mutex<HashMap<Lane, LaneState>>,
    notify: Notify,
    closed: std::sync::atomic::AtomicBool,
    delivery_limit: u32,
}

/// A queue held in memory. Cloning shares it.
#[derive(Clone)]
pub struct MemoryQueue {
    inner: Arc<Inner>,
}

impl MemoryQueue {
    /// `delivery_limit`: deliveries of one message before it goes to the dead lane.
    pub fn new(delivery_limit: u32) -> MemoryQueue {
        MemoryQueue {
            inner: Arc::new(Inner {
                lanes: Mutex::new(HashMap::new()),
                notify: Notify::new(),
                closed: std::sync::atomic::AtomicBool::new(false),
                delivery_limit: delivery_limit.max(1),
            }),
        }
    }

    /// Ends every consumer: `next` returns `None` from now on, also while its prefetch is full.
    /// Deliveries in flight can still be settled.
    pub fn close(&self) {
        self.inner
            .closed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Messages waiting in a lane (not counting unsettled deliveries).
    pub fn depth(&self, lane: Lane) -> usize {
        self.inner.lock().get(&lane).map_or(0, |l| l.ready.len())
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Lane, LaneState>> {
        // A poisoned lock only means a panic elsewhere; the queue's data stays consistent
        // because every mutation is a single push or pop.
        self.lanes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, lane: Lane, msg: Message) {
        self.lock().entry(lane).or_default().ready.push_back(msg);
        self.notify.notify_waiters();
    }

    /// Returns a message to its lane after a failed delivery, or dead-letters it.
    fn requeue(&self, lane: Lane, mut msg: Message) {
        msg.redeliveries += 1;
        if lane != Lane::Dead && msg.redeliveries >= self.delivery_limit {
            tracing::warn!(
                lane = lane.name(),
                "delivery limit reached; message dead-lettered"
            );
            self.push(Lane::Dead, Message::new(msg.body, msg.parcel));
        } else {
            self.push(lane, msg);
        }
    }

    fn publish(self: &Arc<Self>, lane: Lane, msg: Message, delay: Duration) {
        if delay.is_zero() {
            self.push(lane, msg);
        } else {
            let inner = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                inner.push(lane, msg);
            });
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn publish(&self, lane: Lane, body: Vec<u8>, delay: Duration) -> Result<(), PortError> {
        self.inner.publish(lane, Message::new(body, None), delay);
        Ok(())
    }

    /// Kept as it is: the consumer is in this process, and reads the jobs or results
    /// themselves.
    async fn publish_parcel(
        &self,
        lane: Lane,
        parcel: Parcel,
        delay: Duration,
    ) -> Result<(), PortError> {
        self.inner.publish(
            lane,
            Message::new(Vec::new(), Some(Arc::new(parcel))),
            delay,
        );
        Ok(())
    }

    async fn consume(&self, lane: Lane, prefetch: u16) -> Result<Box<dyn Consumer>, PortError> {
        Ok(Box::new(MemoryConsumer {
            inner: self.inner.clone(),
            lane,
            permits: Arc::new(Semaphore::new(prefetch.max(1) as usize)),
        }))
    }
}

struct MemoryConsumer {
    inner: Arc<Inner>,
    lane: Lane,
    permits: Arc<Semaphore>,
}

#[async_trait]
impl Consumer for MemoryConsumer {
    async fn next(&mut self) -> Option<Result<Delivery, PortError>> {
        let mut permit = None;
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.inner.is_closed() {
                return None;
            }
            let Some(slot) = permit.take() else {
                // The prefetch may be full until a delivery is settled: a close must still end
                // the wait, as it ends a broker's consumer.
                tokio::select! {
                    p = self.permits.clone().acquire_owned() => permit = Some(p.ok()?),
                    () = notified => {}
                }
                continue;
            };
            let msg = self
                .inner
                .lock()
                .get_mut(&self.lane)
                .and_then(|l| l.ready.pop_front());
            if let Some(msg) = msg {
                return Some(Ok(Delivery {
                    body: msg.body.clone(),
                    parcel: msg.parcel.clone(),
                    redeliveries: msg.redeliveries,
                    acker: Box::new(MemoryAcker {
                        inner: self.inner.clone(),
                        lane: self.lane,
                        msg: Some(msg),
                        _permit: slot,
                    }),
                }));
            }
            permit = Some(slot);
            notified.await;
        }
    }
}

struct MemoryAcker {
    inner: Arc<Inner>,
    lane: Lane,
    msg: Option<Message>,
    _permit: OwnedSemaphorePermit,
}

#[async_trait]
impl Acker for MemoryAcker {
    async fn ack(mut self: Box<Self>) -> Result<(), PortError> {
        self.msg = None;
        Ok(())
    }

    async fn reject(mut self: Box<Self>, requeue: bool) -> Result<(), PortError> {
        if let Some(msg) = self.msg.take() {
            if requeue {
                self.inner.requeue(self.lane, msg);
            } else if self.lane != Lane::Dead {
                self.inner
                    .push(Lane::Dead, Message::new(msg.body, msg.parcel));
            }
        }
        Ok(())
    }
}

impl Drop for MemoryAcker {
    /// An unsettled delivery returns to the queue, as when a consumer's connection drops.
    fn drop(&mut self) {
        if let Some(msg) = self.msg.take() {
            self.inner.requeue(self.lane, msg);
        }
    }
}
