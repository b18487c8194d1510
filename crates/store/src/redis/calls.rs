//! Call ids: a retried write answers as the call it repeats.
//!
//! A failed call may nevertheless have run (the answer was lost, not the command), so every
//! write carries a random call id that the scripts store: a retry of a call that already took
//! effect answers exactly as that call would have (`first`, `completed`, the new job ids),
//! instead of "already done" — otherwise a lost answer would swallow the round's one
//! completion, or the follow-up jobs to publish.

use ::redis::Script;
use spotcheck_core::ports::PortError;
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::keys::check_round;

/// 80 random bits as 20 hex digits: calls of every process in the pool never share an id.
pub(super) fn call_id() -> String {
    format!("{:016x}{:04x}", fastrand::u64(..), fastrand::u16(..))
}

impl RedisStore {
    /// Runs one of the round scripts with the round's keys, the retention and a call id
    /// (the same on every retry).
    pub(super) async fn round_script<T: ::redis::FromRedisValue>(
        &self,
        what: &str,
        script: &Script,
        round: &RoundId,
        call: &str,
        args: &[&[u8]],
    ) -> Result<T, PortError> {
        check_round(round)?;
        let keys = self.round_keys(round);
        let ttl = self.retention_ms();
        self.retry(what, |mut c| {
            let mut inv = script.prepare_invoke();
            for k in &keys {
                inv.key(k);
            }
            inv.arg(ttl).arg(call);
            for a in args {
                inv.arg(*a);
            }
            async move { inv.invoke_async::<T>(&mut c).await }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use spotcheck_core::outcome::{JobResult, Outcome};
    use spotcheck_core::ports::{Recorded, Store};

    use super::*;

    #[test]
    fn call_ids_differ() {
        let a = call_id();
        let b = call_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 20);
    }

    /// A call whose answer was lost and that is tried again must answer as it would have:
    /// the new jobs, `first` and the round's one completion are not swallowed.
    #[tokio::test]
    async fn a_retried_call_answers_as_the_call_did() {
        use spotcheck_core::job::{Job, Task};
        use spotcheck_core::outcome::Verdict;

        let url = spotcheck_testkit::redis_url();
        let ns = spotcheck_testkit::namespace();
        let store = RedisStore::connect(&url, &ns).await.unwrap_or_else(|e| {
            panic!(
                "Redis is not reachable at {url} ({e}); this test needs one (./tests/run starts it)"
            )
        });
        let rid = RoundId("2020Q4-retry".into());
        let job = |n: u32| {
            Job::new(
                &rid,
                Task::Link {
                    url: format!("http://a.gov.cn/{n}").parse().unwrap(),
                },
            )
        };
        let (a, b) = (job(1), job(2));
        let ok = |j: &Job| JobResult::new(j.clone(), Outcome::Link(Verdict::ok(200)));
        let ids = [a.id.clone(), b.id.clone()];

        assert_eq!(store.add_jobs_as("e1", &rid, &ids).await.unwrap(), ids);
        assert_eq!(
            store.add_jobs_as("e1", &rid, &ids).await.unwrap(),
            ids,
            "retry"
        );
        assert!(
            store
                .add_jobs_as("e2", &rid, &ids)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(!store.seal_as("s1", &rid).await.unwrap());

        let first = Recorded {
            first: true,
            completed: false,
        };
        let again = Recorded {
            first: false,
            completed: false,
        };
        let last = Recorded {
            first: true,
            completed: true,
        };
        assert_eq!(store.record_as("r1", &ok(&a), &[]).await.unwrap(), first);
        assert_eq!(
            store.record_as("r1", &ok(&a), &[]).await.unwrap(),
            first,
            "retry"
        );
        assert_eq!(store.record_as("r2", &ok(&a), &[]).await.unwrap(), again);
        assert_eq!(store.record_as("r3", &ok(&b), &[]).await.unwrap(), last);
        assert_eq!(
            store.record_as("r3", &ok(&b), &[]).await.unwrap(),
            last,
            "retry"
        );
        assert_eq!(store.record_as("r4", &ok(&b), &[]).await.unwrap(), again);
        assert!(!store.seal_as("s1", &rid).await.unwrap());
        assert!(!store.seal_as("s2", &rid).await.unwrap());
        let p = store.progress(&rid).await.unwrap();
        assert_eq!((p.total, p.done, p.complete), (2, 2, true));

        // A batch whose answer was lost, retried: it answers as it did, completion included.
        let batch = RoundId("2020Q4-retry-batch".into());
        let (c, d) = (job(3), job(4));
        let (c, d) = (
            Job::new(&batch, c.task.clone()),
            Job::new(&batch, d.task.clone()),
        );
        let ids = [c.id.clone(), d.id.clone()];
        assert_eq!(store.add_jobs_as("e3", &batch, &ids).await.unwrap(), ids);
        assert!(!store.seal_as("s5", &batch).await.unwrap());
        let (rc, rd) = (ok(&c), ok(&d));
        let both = [&rc, &rd];
        let answered = vec![first, last];
        assert_eq!(
            store.record_batch_as("b1", &batch, &both).await.unwrap(),
            answered
        );
        assert_eq!(
            store.record_batch_as("b1", &batch, &both).await.unwrap(),
            answered,
            "retry"
        );
        assert_eq!(
            store.record_batch_as("b2", &batch, &both).await.unwrap(),
            vec![again, again]
        );
        // A batch of a result recorded before, a new one and that one again, retried after
        // a later call recorded the same jobs: each answer is the one the call gave.
        let mixed = RoundId("2020Q4-retry-mixed".into());
        let (e, f) = (
            Job::new(&mixed, c.task.clone()),
            Job::new(&mixed, d.task.clone()),
        );
        let ids = [e.id.clone(), f.id.clone()];
        assert_eq!(store.add_jobs_as("e4", &mixed, &ids).await.unwrap(), ids);
        let (re, rf) = (ok(&e), ok(&f));
        assert_eq!(
            store.record_batch_as("m1", &mixed, &[&re]).await.unwrap(),
            vec![first]
        );
        let answered = vec![again, first, again];
        assert_eq!(
            store
                .record_batch_as("m2", &mixed, &[&re, &rf, &rf])
                .await
                .unwrap(),
            answered
        );
        assert_eq!(
            store.record_batch_as("m3", &mixed, &[&rf]).await.unwrap(),
            vec![again]
        );
        assert_eq!(
            store
                .record_batch_as("m2", &mixed, &[&re, &rf, &rf])
                .await
                .unwrap(),
            answered,
            "retry"
        );

        // An empty round sealed by a call whose answer was lost.
        let empty = RoundId("2020Q4-retry-empty".into());
        assert!(store.seal_as("s3", &empty).await.unwrap());
        assert!(store.seal_as("s3", &empty).await.unwrap(), "retry");
        assert!(!store.seal_as("s4", &empty).await.unwrap());

        store.delete_namespace().await.unwrap();
    }
}
