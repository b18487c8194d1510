//! The store contract, run against every implementation: first write wins, follow-ups join
//! the round atomically, and completion is reported exactly once.

mod common;

use common::{check, ok, round};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{RESULT_BATCH, Recorded, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::RedisOptions;

/// Runs the whole contract against a store; `rid` must be fresh in it.
pub async fn contract(store: &dyn Store, rid: &str) {
    let r = round(rid);
    store.create_round(&r).await.unwrap();
    assert_eq!(store.round(&r.id).await.unwrap().unwrap(), r);
    assert!(store.rounds().await.unwrap().contains(&r.id));

    let (a, b, c) = (check(&r.id, 1), check(&r.id, 2), check(&r.id, 3));
    let new = store
        .add_jobs(&r.id, &[a.id.clone(), b.id.clone()])
        .await
        .unwrap();
    assert_eq!(new.len(), 2);
    assert!(
        store
            .add_jobs(&r.id, std::slice::from_ref(&a.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.seal(&r.id).await.unwrap());

    assert_eq!(
        store
            .new_jobs(&r.id, &[a.id.clone(), c.id.clone()])
            .await
            .unwrap(),
        vec![c.id.clone()],
        "a query changes nothing"
    );
    assert_eq!(
        store
            .new_jobs(&r.id, std::slice::from_ref(&c.id))
            .await
            .unwrap(),
        vec![c.id.clone()]
    );
    // c's result arrives before the result that spawns it.
    let rec = store.record(&ok(&c), &[]).await.unwrap();
    assert!(rec.first && !rec.completed);
    let rec = store
        .record(&ok(&a), std::slice::from_ref(&c.id))
        .await
        .unwrap();
    assert!(rec.first && !rec.completed, "b is still outstanding");
    assert!(
        store
            .new_jobs(&r.id, std::slice::from_ref(&c.id))
            .await
            .unwrap()
            .is_empty()
    );
    // A redelivered result changes nothing.
    let rec = store
        .record(&ok(&a), std::slice::from_ref(&c.id))
        .await
        .unwrap();
    assert!(!rec.first && !rec.completed);
    let p = store.progress(&r.id).await.unwrap();
    assert_eq!((p.total, p.done, p.complete), (3, 2, false));

    let dead = JobResult::new(
        b.clone(),
        Outcome::Dead {
            reason: "crashed".into(),
        },
    );
    let rec = store.record(&dead, &[]).await.unwrap();
    assert!(
        rec.first && rec.completed,
        "the last result completes the round"
    );
    let rec = store.record(&dead, &[]).await.unwrap();
    assert!(!rec.completed, "completion is reported once");
    let p = store.progress(&r.id).await.unwrap();
    assert_eq!((p.total, p.done, p.dead, p.complete), (3, 3, 1, true));

    let results = store.results(&r.id).await.unwrap();
    assert_eq!(results.len(), 3);
    let mut ids: Vec<_> = results.iter().map(|x| x.job.id.clone()).collect();
    let sorted = {
        let mut s = ids.clone();
        s.sort();
        s
    };
    assert_eq!(ids, sorted, "results come in job id order");
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

/// Results recorded a batch at a time, as the collector records link checks: each first
/// write wins, a repeated result changes nothing, and the batch that completes the round says
/// so once, on its last result.
pub async fn batch_contract(store: &dyn Store, rid: &str) {
    let r = round(rid);
    store.create_round(&r).await.unwrap();
    let jobs: Vec<_> = (1..=4).map(|n| check(&r.id, n)).collect();
    let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
    assert_eq!(store.add_jobs(&r.id, &ids).await.unwrap().len(), 4);
    assert!(!store.seal(&r.id).await.unwrap());
    let firsts = |recs: &[Recorded]| recs.iter().map(|r| r.first).collect::<Vec<_>>();
    let completions = |recs: &[Recorded]| recs.iter().filter(|r| r.completed).count();

    let recs = store
        .record_batch(&[ok(&jobs[0]), ok(&jobs[1]), ok(&jobs[0])])
        .await
        .unwrap();
    assert_eq!(
        firsts(&recs),
        [true, true, false],
        "a job twice counts once"
    );
    assert_eq!(completions(&recs), 0);
    let p = store.progress(&r.id).await.unwrap();
    assert_eq!((p.total, p.done, p.complete), (4, 2, false));

    let dead = JobResult::new(
        jobs[3].clone(),
        Outcome::Dead {
            reason: "crashed".into(),
        },
    );
    let recs = store
        .record_batch(&[ok(&jobs[1]), ok(&jobs[2]), dead])
        .await
        .unwrap();
    assert_eq!(firsts(&recs), [false, true, true], "b was already in");
    assert!(
        recs[2].completed && completions(&recs) == 1,
        "the batch completed the round, once: {recs:?}"
    );
    let recs = store.record_batch(&[ok(&jobs[2])]).await.unwrap();
    assert_eq!(firsts(&recs), [false]);
    assert_eq!(completions(&recs), 0, "completion is reported once");
    let p = store.progress(&r.id).await.unwrap();
    assert_eq!((p.total, p.done, p.dead, p.complete), (4, 4, 1, true));
    assert_eq!(store.results(&r.id).await.unwrap().len(), 4);
}

/// The results of a round of two batches and a bit, in batches as a report reads them.
async fn batches(store: &dyn Store, round: &RoundId) -> Vec<Vec<JobResult>> {
    let mut batches = Vec::new();
    store
        .results_in_batches(round, &mut |b| batches.push(b))
        .await
        .unwrap();
    batches
}

/// A round's results are handed out in bounded batches, in job id order, each exactly once —
/// while the round is in progress and once it is complete and compacted — so a reader that
/// keeps little of each batch never holds the whole round.
pub async fn batches_contract(store: &dyn Store, rid: &str) {
    let r = round(rid);
    store.create_round(&r).await.unwrap();
    let n = 2 * RESULT_BATCH + 1;
    let jobs: Vec<_> = (0..n as u32).map(|i| check(&r.id, i)).collect();
    let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
    store.add_jobs(&r.id, &ids).await.unwrap();
    store.seal(&r.id).await.unwrap();
    let results: Vec<_> = jobs.iter().map(ok).collect();
    for chunk in results.chunks(500) {
        store.record_batch(chunk).await.unwrap();
    }
    assert!(store.progress(&r.id).await.unwrap().complete);
    let mut want = results;
    want.sort_by(|a, b| a.job.id.cmp(&b.job.id));
    for compacted in [false, true] {
        if compacted {
            store.compact(&r.id).await.unwrap();
        }
        let got = batches(store, &r.id).await;
        assert!(got.len() >= 3, "{} batches", got.len());
        for b in &got {
            assert!(
                !b.is_empty() && b.len() <= RESULT_BATCH,
                "a batch of {} results (compacted: {compacted})",
                b.len()
            );
        }
        assert_eq!(got.concat(), want, "compacted: {compacted}");
        assert_eq!(store.results(&r.id).await.unwrap(), want);
    }
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    let store = spotcheck_store::MemoryStore::new();
    contract(&store, "2020Q4-mem1").await;
    batch_contract(&store, "2020Q4-mem2").await;
    batches_contract(&store, "2020Q4-mem3").await;
}

#[tokio::test]
async fn an_empty_round_completes_when_sealed() {
    let store = spotcheck_store::MemoryStore::new();
    let r = round("2020Q4-empty");
    store.create_round(&r).await.unwrap();
    assert!(store.seal(&r.id).await.unwrap());
    assert!(!store.seal(&r.id).await.unwrap());
}

#[tokio::test]
async fn redis_store_keeps_the_contract() {
    common::in_namespace(RedisOptions::default(), |store, _| async move {
        contract(&store, "2020Q4-redis1").await;
        batch_contract(&store, "2020Q4-redis2").await;
        batches_contract(&store, "2020Q4-redis3").await;
    })
    .await;
}

#[tokio::test]
async fn an_empty_redis_round_completes_when_sealed() {
    common::in_namespace(RedisOptions::default(), |store, _| async move {
        let r = round("2020Q4-empty");
        store.create_round(&r).await.unwrap();
        assert!(store.seal(&r.id).await.unwrap());
        assert!(!store.seal(&r.id).await.unwrap());
    })
    .await;
}
