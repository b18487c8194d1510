//! The Redis store beyond the shared contract (which `contract.rs` runs against it):
//! concurrency, retention, bad data, round listing and lost connections. Needs a Redis
//! (`SPOTCHECK_TEST_REDIS_URL`, default the local one); without one the tests fail, saying so.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use spotcheck_core::Namespace;
use spotcheck_core::ports::{PortError, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::{RedisOptions, RedisStore};

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("a raw Redis connection")
}

#[tokio::test]
async fn concurrent_collectors_record_each_result_once_and_complete_once() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let store = Arc::new(store);
        let r = round("2020Q4-race");
        store.create_round(&r).await.unwrap();
        // 100 initial jobs, each with one follow-up: 200 results in all.
        let jobs: Vec<_> = (0..200).map(|n| check(&r.id, n)).collect();
        let initial: Vec<_> = jobs[..100].iter().map(|j| j.id.clone()).collect();
        assert_eq!(store.add_jobs(&r.id, &initial).await.unwrap().len(), 100);
        assert!(!store.seal(&r.id).await.unwrap());
        let work: Vec<_> = (0..200usize)
            .map(|i| {
                let follow = if i < 100 {
                    vec![jobs[i + 100].id.clone()]
                } else {
                    Vec::new()
                };
                (ok(&jobs[i]), follow)
            })
            .collect();
        let work = Arc::new(work);
        let mut tasks = Vec::new();
        for t in 0..8usize {
            let (store, work) = (store.clone(), work.clone());
            tasks.push(tokio::spawn(async move {
                // Every task in its own order: follow-ups often arrive before their parents.
                let mut order: Vec<usize> = (0..200).map(|i| (i * 37 + t * 25) % 200).collect();
                if t % 2 == 1 {
                    order.reverse();
                }
                let mut seen = Vec::new();
                for i in order {
                    let (result, follow) = &work[i];
                    let rec = store.record(result, follow).await.unwrap();
                    seen.push((i, rec));
                }
                seen
            }));
        }
        let mut firsts: HashMap<usize, u32> = HashMap::new();
        let mut completions = 0;
        for t in tasks {
            for (i, rec) in t.await.unwrap() {
                if rec.first {
                    *firsts.entry(i).or_default() += 1;
                }
                if rec.completed {
                    assert!(rec.first, "only a first write can complete the round");
                    completions += 1;
                }
            }
        }
        assert_eq!(firsts.len(), 200, "every job got its result");
        assert!(
            firsts.values().all(|n| *n == 1),
            "exactly one first write per job"
        );
        assert_eq!(completions, 1, "completion is reported exactly once");
        let p = store.progress(&r.id).await.unwrap();
        assert_eq!(
            (p.total, p.done, p.dead, p.sealed, p.complete),
            (200, 200, 0, true, true)
        );
        let results = store.results(&r.id).await.unwrap();
        assert_eq!(results.len(), 200);
        assert!(results.windows(2).all(|w| w[0].job.id < w[1].job.id));
    })
    .await;
}

#[tokio::test]
async fn every_key_of_a_round_in_progress_expires_and_writes_refresh_it() {
    let hour = Duration::from_secs(3600);
    let opts = RedisOptions {
        retention: hour,
        ..RedisOptions::default()
    };
    in_namespace(opts, |store, _| async move {
        let r = round("2020Q4-ttl");
        store.create_round(&r).await.unwrap();
        let (a, b) = (check(&r.id, 1), check(&r.id, 2));
        store
            .add_jobs(&r.id, std::slice::from_ref(&a.id))
            .await
            .unwrap();
        store
            .record(&ok(&a), std::slice::from_ref(&b.id))
            .await
            .unwrap();
        let mut c = raw(&redis_url()).await;
        // The round's own keys; the list of rounds (the last) lists packed rounds, kept until
        // pruned, and never expires.
        let [keys @ .., rounds] = store.round_keys(&r.id);
        for key in &keys {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut c)
                .await
                .unwrap();
            assert!(ttl > 3_500_000 && ttl <= 3_600_000, "{key}: PTTL {ttl}");
        }
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&rounds)
            .query_async(&mut c)
            .await
            .unwrap();
        assert_eq!(ttl, -1, "{rounds} must not expire");
        // Nearly expired; a write gives the whole round its full retention back.
        for key in &keys {
            let _: i64 = redis::cmd("PEXPIRE")
                .arg(key)
                .arg(5000)
                .query_async(&mut c)
                .await
                .unwrap();
        }
        store.seal(&r.id).await.unwrap();
        for key in &keys {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut c)
                .await
                .unwrap();
            assert!(ttl > 3_500_000, "{key}: PTTL {ttl} after a write");
        }
    })
    .await;
}

#[tokio::test]
async fn a_value_that_is_not_a_result_is_an_error_naming_it() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let r = round("2020Q4-bad");
        store.create_round(&r).await.unwrap();
        store.record(&ok(&check(&r.id, 1)), &[]).await.unwrap();
        let key = store.round_keys(&r.id)[2].clone();
        let mut c = raw(&redis_url()).await;
        let _: i64 = redis::cmd("HSET")
            .arg(&key)
            .arg("ffffffffffffffff")
            .arg("{not json")
            .query_async(&mut c)
            .await
            .unwrap();
        match store.results(&r.id).await {
            Err(PortError::Invalid(why)) => {
                assert!(
                    why.contains(&key) && why.contains("ffffffffffffffff"),
                    "{why}"
                );
            }
            other => panic!("expected an error naming the bad value, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn rounds_come_oldest_first_and_expired_ones_drop_out() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let ids = ["2020Q4-c", "2020Q4-a", "2020Q4-b"];
        for id in ids {
            store.create_round(&round(id)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        // Creating again changes neither the record's place nor the list.
        store.create_round(&round("2020Q4-c")).await.unwrap();
        let want: Vec<RoundId> = ids.iter().map(|i| RoundId(i.to_string())).collect();
        assert_eq!(store.rounds().await.unwrap(), want);
        let gone = RoundId("2020Q4-a".into());
        let mut c = raw(&redis_url()).await;
        let _: i64 = redis::cmd("DEL")
            .arg(&store.round_keys(&gone)[0])
            .query_async(&mut c)
            .await
            .unwrap();
        assert_eq!(
            store.rounds().await.unwrap(),
            vec![want[0].clone(), want[2].clone()]
        );
        assert_eq!(store.round(&gone).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn bad_round_ids_and_namespaces_are_refused() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let bad = RoundId("a:b*".into());
        assert!(matches!(
            store.progress(&bad).await,
            Err(PortError::Invalid(_))
        ));
        assert!(matches!(
            store.results(&bad).await,
            Err(PortError::Invalid(_))
        ));
    })
    .await;
    // A namespace with ':' would reach other namespaces' keys: it cannot even be made, so no
    // store is ever connected with one.
    assert!("a:b".parse::<Namespace>().is_err());
}

#[tokio::test]
async fn an_unreachable_redis_is_reported_at_once() {
    let r = RedisStore::connect("redis://127.0.0.1:1", &namespace()).await;
    assert!(matches!(r, Err(PortError::Unavailable(_))), "{:?}", r.err());
}

#[tokio::test]
async fn calls_are_retried_across_a_lost_connection() {
    let (proxy, proxied) = redis_behind_proxy().await;
    let ns = namespace();
    let opts = RedisOptions {
        attempts: 5,
        retry_delay: Duration::from_millis(100),
        ..RedisOptions::default()
    };
    let store = connect(&proxied, &ns, opts).await;
    let r = round("2020Q4-lost");
    store.create_round(&r).await.unwrap();

    // The connection drops; the next call reconnects and succeeds.
    proxy.cut();
    let a = check(&r.id, 1);
    assert_eq!(
        store
            .add_jobs(&r.id, std::slice::from_ref(&a.id))
            .await
            .unwrap(),
        vec![a.id.clone()]
    );

    // Redis stays away longer than the attempts last: the caller hears it is unavailable.
    proxy.refuse(true);
    proxy.cut();
    let p = store.progress(&r.id).await;
    assert!(matches!(p, Err(PortError::Unavailable(_))), "{p:?}");

    // And back.
    proxy.refuse(false);
    let rec = store.record(&ok(&a), &[]).await.unwrap();
    assert!(rec.first);
    assert_eq!(store.progress(&r.id).await.unwrap().done, 1);

    connect(&redis_url(), &ns, RedisOptions::default())
        .await
        .delete_namespace()
        .await
        .unwrap();
}

/// A Redis that goes silent — the bytes go nowhere, nothing closes — turns calls into errors
/// within the response timeout instead of leaving them waiting. Its connection lost requests
/// on the way, so it is never used again: once the path carries bytes, every answer is its
/// own call's (on the old connection each would go to the call after it, or to none).
#[tokio::test]
async fn a_silent_redis_is_an_error_and_the_next_calls_get_their_own_answers() {
    let (proxy, proxied) = redis_behind_proxy().await;
    let ns = namespace();
    let opts = RedisOptions {
        retry_delay: Duration::from_millis(50),
        response_timeout: Duration::from_millis(500),
        connection_timeout: Duration::from_millis(500),
        ..RedisOptions::default()
    };
    let store = connect(&proxied, &ns, opts).await;
    let r = round("2020Q4-silent");
    store.create_round(&r).await.unwrap();
    let jobs: Vec<_> = (0..6).map(|i| check(&r.id, i)).collect();

    proxy.black_hole(true);
    let p = tokio::time::timeout(Duration::from_secs(30), store.progress(&r.id))
        .await
        .expect("a call waited on a silent Redis");
    assert!(matches!(p, Err(PortError::Unavailable(_))), "{p:?}");
    let lost = tokio::time::timeout(
        Duration::from_secs(30),
        store.add_jobs(&r.id, std::slice::from_ref(&jobs[0].id)),
    )
    .await
    .expect("a call waited on a silent Redis");
    assert!(matches!(lost, Err(PortError::Unavailable(_))), "{lost:?}");

    proxy.black_hole(false);
    for (n, job) in jobs.iter().enumerate() {
        let added = store.add_jobs(&r.id, std::slice::from_ref(&job.id)).await;
        assert_eq!(added.unwrap(), vec![job.id.clone()], "job {n}");
        assert_eq!(store.progress(&r.id).await.unwrap().total, n as u64 + 1);
    }

    connect(&redis_url(), &ns, RedisOptions::default())
        .await
        .delete_namespace()
        .await
        .unwrap();
}

/// A page's result brings its links as follow-ups, many more than the record script reads at
/// once: each counts once, those whose result came first as done, those in the round already
/// not again.
#[tokio::test]
async fn a_result_with_many_follow_ups_counts_each_once_and_the_results_already_in() {
    in_namespace(RedisOptions::default(), |store, _ns| async move {
        let r = round("2020Q4-follow");
        store.create_round(&r).await.unwrap();
        let page = check(&r.id, 10_000);
        assert_eq!(
            store
                .add_jobs(&r.id, std::slice::from_ref(&page.id))
                .await
                .unwrap()
                .len(),
            1
        );
        let jobs: Vec<_> = (0..1_201).map(|n| check(&r.id, n)).collect();
        let mut ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
        // Every fourth link's result is in before the page's, in every chunk of the script.
        let early: Vec<_> = jobs.iter().step_by(4).map(ok).collect();
        store.record_batch(&early).await.unwrap();
        // The first fifty are in the round already (another page linked them), and one link
        // comes twice, in another chunk.
        store.add_jobs(&r.id, &ids[..50]).await.unwrap();
        ids.push(ids[900].clone());
        let rec = store.record(&ok(&page), &ids).await.unwrap();
        assert!(rec.first && !rec.completed);
        let p = store.progress(&r.id).await.unwrap();
        // The page, and 1,201 links of which 301 are in (13 of them among the first fifty).
        assert_eq!((p.total, p.done), (1_202, 1 + early.len() as u64));
        // The rest complete the round, once the round is sealed.
        store.seal(&r.id).await.unwrap();
        let rest: Vec<_> = jobs
            .iter()
            .enumerate()
            .filter(|(n, _)| n % 4 != 0)
            .map(|(_, j)| ok(j))
            .collect();
        let recorded = store.record_batch(&rest).await.unwrap();
        assert!(recorded.iter().all(|r| r.first));
        assert!(recorded.last().unwrap().completed);
        let p = store.progress(&r.id).await.unwrap();
        assert_eq!((p.total, p.done, p.complete), (1_202, 1_202, true));
    })
    .await;
}

/// A page's links come in one call, many more than the scripts read at once: every one is
/// added once and in order, and those whose result came first count as done.
#[tokio::test]
async fn many_jobs_added_at_once_keep_their_order_and_the_results_already_in() {
    in_namespace(RedisOptions::default(), |store, _ns| async move {
        let r = round("2020Q4-many");
        store.create_round(&r).await.unwrap();
        let jobs: Vec<_> = (0..1_201).map(|n| check(&r.id, n)).collect();
        let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
        // Every third job's result is in before the result that spawns them.
        let early: Vec<_> = jobs.iter().step_by(3).map(ok).collect();
        store.record_batch(&early).await.unwrap();
        // The first hundred are in the round already, and one id comes twice.
        assert_eq!(
            store.add_jobs(&r.id, &ids[..100]).await.unwrap(),
            &ids[..100]
        );
        let mut asked = ids.clone();
        asked.push(ids[700].clone());
        let added = store.add_jobs(&r.id, &asked).await.unwrap();
        assert_eq!(added, &ids[100..], "the new ones, once each, in order");
        let p = store.progress(&r.id).await.unwrap();
        assert_eq!((p.total, p.done), (1_201, early.len() as u64));
        // A batch with results old and new: only the new ones are first.
        let mixed: Vec<_> = jobs[..6].iter().map(ok).collect();
        let firsts: Vec<_> = store
            .record_batch(&mixed)
            .await
            .unwrap()
            .iter()
            .map(|r| r.first)
            .collect();
        assert_eq!(firsts, [false, true, true, false, true, true]);
    })
    .await;
}
