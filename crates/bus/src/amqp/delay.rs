//! Delayed messages, in wait queues that dead-letter into their lane when the delay is up.
//!
//! RabbitMQ expires messages only at the head of a queue, so in one wait queue a long delay
//! would hold back every shorter one queued behind it. Each distinct delay therefore gets its
//! own wait queue with a queue-wide `x-message-ttl`: within it every message waits equally long,
//! so the head always expires first and nothing blocks anything. When its time is up a message is
//! dead-lettered (through the default exchange) into its lane's queue. To keep the number of
//! wait queues small, a delay is rounded *up* to two significant digits of milliseconds (1234 ms
//! waits 1300 ms; below 100 ms it is exact): a message never arrives before its delay, and at most
//! 10 % after it. See [`delay_bucket`].
//!
//! Wait queues are classic, not quorum: quorum queues only support message TTL from RabbitMQ
//! 3.10 on, and a Raft group per delay bucket would be heavy. The cost is that dead-lettering out
//! of a classic queue is at-most-once: a broker crash at the instant a delayed message moves to
//! its lane can lose it (the round then shows the job as outstanding, and the scheduler can
//! re-publish it: job ids are idempotent).
//!
//! A wait queue has `x-expires` (its delay plus a margin of at least a minute) so buckets that
//! are no longer used vanish. Publishing does not count as use for `x-expires`, so a publisher
//! re-declares a bucket (which does) whenever it last did so more than half the margin ago: a
//! queue can therefore only expire after its last message has moved on. Buckets created by other
//! processes are unknown here; [`AmqpQueue::purge_namespace`] and
//! [`AmqpQueue::delete_namespace`] cover the ones this process declared, and the others expire by
//! themselves.

use std::collections::BTreeSet;
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};

use lapin::Channel;
use lapin::types::AMQPValue;
use spotcheck_core::namespace::Namespace;
use spotcheck_core::ports::Lane;

#[cfg(doc)]
use super::AmqpQueue;
use super::retry::Failure;
use super::topology::{durable, long_string, table};
use super::{Inner, Link};

/// Longest delay a message can wait: RabbitMQ's TTLs are 32-bit milliseconds.
pub const MAX_DELAY: Duration = Duration::from_millis(u32::MAX as u64);

/// The wait a delay actually gets, in milliseconds: rounded up to two significant digits, so a
/// message never arrives early and the number of wait queues stays small. `None` when the delay
/// is zero (published directly) or longer than [`MAX_DELAY`].
pub fn delay_bucket(delay: Duration) -> Option<u64> {
    if delay.is_zero() || delay > MAX_DELAY {
        return None;
    }
    let ms = delay.as_nanos().div_ceil(1_000_000) as u64;
    let mut step = 1u64;
    while ms / step >= 100 {
        step *= 10;
    }
    Some(ms.div_ceil(step) * step)
}

/// How long a wait queue outlives its last (re-)declaration: the delay plus this margin.
fn wait_margin(ms: u64) -> Duration {
    Duration::from_millis(ms.max(60_000))
}

impl Inner {
    /// Declares (or refreshes, see the module doc on `x-expires`) the wait queue of a lane and
    /// delay bucket.
    pub(super) async fn wait_queue(
        &self,
        link: &Link,
        ch: &Channel,
        lane: Lane,
        ms: u64,
    ) -> Result<String, Failure> {
        let name = self.names.wait(lane, ms);
        let margin = wait_margin(ms);
        let fresh = link
            .waits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&name)
            .is_some_and(|at| at.elapsed() < margin / 2);
        if fresh {
            return Ok(name);
        }
        let started = Instant::now();
        let ttl = i64::try_from(ms).unwrap_or(i64::MAX);
        let expires = ttl.saturating_add(i64::try_from(margin.as_millis()).unwrap_or(i64::MAX));
        let args = table(vec![
            ("x-queue-type", long_string("classic")),
            ("x-message-ttl", AMQPValue::LongLongInt(ttl)),
            ("x-expires", AMQPValue::LongLongInt(expires)),
            ("x-dead-letter-exchange", long_string("")),
            (
                "x-dead-letter-routing-key",
                long_string(self.names.queue(lane)),
            ),
        ]);
        ch.queue_declare(name.as_str().into(), durable(), args)
            .await
            .map_err(|e| Failure::from_lapin(&format!("declaring wait queue {name}"), &e))?;
        link.waits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.clone(), started);
        known_waits().insert((self.names.ns.clone(), name.clone()));
        Ok(name)
    }
}

/// Every wait queue declared in this process, of every namespace: any [`AmqpQueue`] of a
/// namespace can then purge or delete the buckets its siblings declared (a test's cleanup runs
/// on a fresh connection, an operator's tool may open several).
/// Entries are (namespace, queue name).
pub(super) fn known_waits() -> std::sync::MutexGuard<'static, BTreeSet<(Namespace, String)>> {
    static KNOWN: StdMutex<BTreeSet<(Namespace, String)>> = StdMutex::new(BTreeSet::new());
    KNOWN.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_round_up_to_two_significant_digits() {
        let ms = |n| delay_bucket(Duration::from_millis(n));
        assert_eq!(delay_bucket(Duration::ZERO), None);
        assert_eq!(delay_bucket(Duration::from_micros(1)), Some(1));
        assert_eq!(ms(1), Some(1));
        assert_eq!(ms(99), Some(99));
        assert_eq!(ms(100), Some(100));
        assert_eq!(ms(101), Some(110));
        assert_eq!(ms(1234), Some(1300));
        assert_eq!(ms(1300), Some(1300));
        assert_eq!(ms(60_001), Some(61_000));
        assert_eq!(delay_bucket(MAX_DELAY + Duration::from_millis(1)), None);
        for n in [1u64, 7, 150, 999, 1001, 12_345, 3_600_000, 86_400_123] {
            let b = ms(n).unwrap();
            assert!(b >= n && b <= n + n / 10, "{n} -> {b}");
        }
    }
}
