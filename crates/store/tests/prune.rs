//! Pruning old rounds: an old round goes whole (no key of it left), unless a kept re-check
//! refers to it. Needs a Redis (`SPOTCHECK_TEST_REDIS_URL`, default the local one); without
//! one the tests fail, saying so.

mod common;

use std::time::Duration;

use common::*;
use spotcheck_core::Namespace;
use spotcheck_core::ports::Store;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_store::{RedisOptions, RedisStore};

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn raw() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("a raw Redis connection")
}

/// A complete, packed round of three link checks, created `age` ago.
async fn finished(store: &RedisStore, ns: &Namespace, r: &Round, age: Duration) {
    store.create_round(r).await.unwrap();
    let jobs: Vec<_> = (0..3).map(|n| check(&r.id, n)).collect();
    let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
    store.add_jobs(&r.id, &ids).await.unwrap();
    store.seal(&r.id).await.unwrap();
    let results: Vec<_> = jobs.iter().map(ok).collect();
    assert!(store.record_batch(&results).await.unwrap()[2].completed);
    assert!(store.pack(&r.id).await.unwrap());
    let mut c = raw().await;
    let (secs, _): (u64, u64) = redis::cmd("TIME").query_async(&mut c).await.unwrap();
    let created = (secs - age.as_secs()) * 1000;
    let _: i64 = redis::cmd("ZADD")
        .arg(format!("{ns}:rounds"))
        .arg("XX")
        .arg(created)
        .arg(&r.id.0)
        .query_async(&mut c)
        .await
        .unwrap();
}

fn recheck_of(id: &str, parent: &Round) -> Round {
    Round {
        kind: RoundKind::Recheck,
        parent: Some(parent.id.clone()),
        ..round(id)
    }
}

async fn keys_of(ns: &Namespace, id: &str) -> Vec<String> {
    let mut c = raw().await;
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:round:{id}"))
        .query_async(&mut c)
        .await
        .unwrap();
    let more: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:round:{id}:*"))
        .query_async(&mut c)
        .await
        .unwrap();
    keys.extend(more);
    keys
}

#[tokio::test]
async fn prune_keeps_what_a_live_recheck_refers_to_and_removes_the_rest_whole() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let old_parent = round("2019Q4");
        let old_alone = round("2019Q3");
        let recheck = recheck_of("2019Q4-recheck", &old_parent);
        let recent = round("2020Q4");
        finished(&store, &ns, &old_alone, 500 * DAY).await;
        finished(&store, &ns, &old_parent, 450 * DAY).await;
        finished(&store, &ns, &recheck, 100 * DAY).await;
        finished(&store, &ns, &recent, DAY).await;
        assert!(!keys_of(&ns, "2019Q3").await.is_empty());

        let pruned = store.prune(400 * DAY).await.unwrap();
        assert_eq!(pruned.removed, vec![RoundId("2019Q3".into())]);
        assert_eq!(pruned.kept_for_rechecks, vec![RoundId("2019Q4".into())]);
        assert_eq!(keys_of(&ns, "2019Q3").await, Vec::<String>::new());
        assert_eq!(store.round(&old_alone.id).await.unwrap(), None);
        assert_eq!(store.results(&old_parent.id).await.unwrap().len(), 3);
        let live = store.rounds().await.unwrap();
        assert_eq!(live.len(), 3, "{live:?}");

        // Once the re-check is old too, it goes, and its parent with it.
        let pruned = store.prune(90 * DAY).await.unwrap();
        assert_eq!(
            pruned.removed,
            vec![RoundId("2019Q4".into()), RoundId("2019Q4-recheck".into())]
        );
        assert!(pruned.kept_for_rechecks.is_empty());
        for id in ["2019Q4", "2019Q4-recheck"] {
            assert_eq!(keys_of(&ns, id).await, Vec::<String>::new(), "{id}");
        }
        assert_eq!(store.rounds().await.unwrap(), vec![recent.id.clone()]);
        assert_eq!(store.results(&recent.id).await.unwrap().len(), 3);
    })
    .await;
}

/// The expiry of a key in ms: -1 when it has none, -2 when there is no such key.
async fn pttl(key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut raw().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_packed_round_is_kept_until_pruned_while_an_abandoned_one_expires() {
    let hour = Duration::from_secs(3600);
    let opts = RedisOptions {
        retention: hour,
        ..RedisOptions::default()
    };
    in_namespace(opts, |store, ns| async move {
        let done = round("2020Q3");
        finished(&store, &ns, &done, DAY).await;
        let abandoned = round("2020Q4");
        store.create_round(&abandoned).await.unwrap();
        let job = check(&abandoned.id, 1);
        store.add_jobs(&abandoned.id, &[job.id]).await.unwrap();

        let kept = keys_of(&ns, "2020Q3").await;
        assert_eq!(kept.len(), 3, "record, state, packed blocks: {kept:?}");
        // A late duplicate and a retried seal, as a redelivery brings them, give it no expiry.
        store.record(&ok(&check(&done.id, 0)), &[]).await.unwrap();
        store.seal(&done.id).await.unwrap();
        store.create_round(&done).await.unwrap();
        for key in kept.iter().chain([&format!("{ns}:rounds")]) {
            assert_eq!(pttl(key).await, -1, "{key} must not expire");
        }
        for key in keys_of(&ns, "2020Q4").await {
            let ttl = pttl(&key).await;
            assert!(ttl > 3_500_000 && ttl <= 3_600_000, "{key}: PTTL {ttl}");
        }

        let pruned = store.prune(hour).await.unwrap();
        assert_eq!(pruned.removed, vec![done.id.clone()]);
        assert_eq!(keys_of(&ns, "2020Q3").await, Vec::<String>::new());
        assert_eq!(store.rounds().await.unwrap(), vec![abandoned.id.clone()]);
    })
    .await;
}
