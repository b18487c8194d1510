//! The store contract, run against every implementation: first write wins, follow-ups join
//! the round atomically, and completion is reported exactly once.

use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::ports::Store;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Plan, Registry};

pub fn round(id: &str) -> Round {
    let registry = Registry::parse(
        "[meta]\nregion = \"测试市\"\nname = \"测试\"\n",
        std::path::Path::new("r.toml"),
    )
    .unwrap();
    Round {
        id: RoundId(id.into()),
        kind: RoundKind::Spot,
        parent: None,
        window: "2020-07-01..2020-09-30".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        registry,
        plan: Plan::default(),
        allow_private: false,
        menus: Default::default(),
    }
}

fn check(round: &RoundId, n: u32) -> Job {
    Job::new(
        round,
        Task::Check {
            url: format!("http://a.gov.cn/{n}").parse().unwrap(),
        },
    )
}

fn ok(job: &Job) -> JobResult {
    JobResult::new(job.clone(), Outcome::Link(Verdict::ok(200)))
}

/// Runs the whole contract against a store; `rid` must be fresh in it.
pub async fn contract(store: &dyn Store, rid: &str) {
    let r = round(rid);
    store.create_round(&r).await.unwrap();
    assert_eq!(store.round(&r.id).await.unwrap().unwrap(), r);
    assert!(store.rounds().await.unwrap().contains(&r.id));

    let (a, b, c) = (check(&r.id, 1), check(&r.id, 2), check(&r.id, 3));
    let new = store
        .expect(&r.id, &[a.id.clone(), b.id.clone()])
        .await
        .unwrap();
    assert_eq!(new.len(), 2);
    assert!(
        store
            .expect(&r.id, &[a.id.clone()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(!store.seal(&r.id).await.unwrap());

    assert_eq!(
        store.unexpected(&r.id, &[a.id.clone(), c.id.clone()]).await.unwrap(),
        vec![c.id.clone()],
        "a query changes nothing"
    );
    assert_eq!(
        store.unexpected(&r.id, &[c.id.clone()]).await.unwrap(),
        vec![c.id.clone()]
    );
    // c's result arrives before the result that spawns it.
    let rec = store.record(&ok(&c), &[]).await.unwrap();
    assert!(rec.first && !rec.completed);
    let rec = store.record(&ok(&a), &[c.id.clone()]).await.unwrap();
    assert!(rec.first && !rec.completed, "b is still outstanding");
    assert!(store.unexpected(&r.id, &[c.id.clone()]).await.unwrap().is_empty());
    // A redelivered result changes nothing.
    let rec = store.record(&ok(&a), &[c.id.clone()]).await.unwrap();
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

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    let store = spotcheck_store::MemoryStore::new();
    contract(&store, "2020Q4-mem1").await;
}

#[tokio::test]
async fn an_empty_round_completes_when_sealed() {
    let store = spotcheck_store::MemoryStore::new();
    let r = round("2020Q4-empty");
    store.create_round(&r).await.unwrap();
    assert!(store.seal(&r.id).await.unwrap());
    assert!(!store.seal(&r.id).await.unwrap());
}
