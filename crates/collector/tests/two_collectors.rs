//! Two collectors on one Redis (a rolling update's surge): pages that share links are recorded
//! by both at once, and every shared link is published once in all — the collectors take
//! turns at the round's follow-ups. Needs a Redis (`SPOTCHECK_TEST_REDIS_URL`, default the
//! local one); without one the test fails, saying so.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, PageOutcome, Verdict};
use spotcheck_core::ports::{Lane, Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::RedisStore;
use spotcheck_testkit::{namespace, redis_url};
use tokio::sync::watch;
use url::Url;

mod common;
use common::Hooked;

const PAGES: usize = 200;
const SHARED: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_links_are_published_once_by_two_collectors() {
    let ns = namespace();
    let connect = || async {
        RedisStore::connect(&redis_url(), &ns)
            .await
            .unwrap_or_else(|e| panic!("Redis at {} is needed ({e}); run ./tests/run", redis_url()))
    };
    let (a, b) = (Arc::new(connect().await), Arc::new(connect().await));
    let (round, depth) = common::portal_round("2020Q4-twocollectors");
    a.create_round(&round).await.unwrap();
    let pages: Vec<Job> = (0..PAGES)
        .map(|i| {
            Job::new(
                &round.id,
                Task::Page {
                    site: "portal".into(),
                    url: Url::parse(&format!("http://www.a.gov.cn/p{i}.html")).unwrap(),
                    depth,
                },
            )
        })
        .collect();
    let ids: Vec<_> = pages.iter().map(|j| j.id.clone()).collect();
    a.add_jobs(&round.id, &ids).await.unwrap();
    a.seal(&round.id).await.unwrap();
    let shared: Vec<Url> = (0..SHARED)
        .map(|k| Url::parse(&format!("http://www.a.gov.cn/shared/{k}.html")).unwrap())
        .collect();
    let queue = Arc::new(MemoryQueue::new(5));
    let (stop, stopped) = watch::channel(false);
    let running: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|store| {
            // Slow to record, as a store under load is: the time between a collector's look
            // at which links are new and its record that adds them is wide enough for the
            // other collector to look too.
            let mut slow = Hooked::new(store);
            slow.before_record = Some(Arc::new(|| {
                Box::pin(tokio::time::sleep(Duration::from_millis(30)))
            }));
            let store: Arc<dyn Store> = Arc::new(slow);
            let collector = Collector::new(store, queue.clone(), Arc::new(|_: &RoundId| {}));
            tokio::spawn(collector.run(stopped.clone()))
        })
        .collect();
    // Both collectors wait for results before the first comes, so both get pages.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for page in &pages {
        let page_outcome = Outcome::Page(PageOutcome {
            verdict: Verdict::ok(200),
            links: shared.clone(),
            newest: None,
        });
        queue
            .publish(
                Lane::Results,
                JobResult::new(page.clone(), page_outcome).encode(),
                Duration::ZERO,
            )
            .await
            .unwrap();
    }

    common::wait_recorded(
        a.as_ref(),
        &round.id,
        PAGES as u64,
        (PAGES + SHARED) as u64,
        Duration::from_secs(30),
    )
    .await;
    stop.send(true).unwrap();
    for r in running {
        r.await.unwrap().unwrap();
    }

    // Every shared link went out once, whichever collector recorded its pages.
    let mut published: HashMap<String, usize> = HashMap::new();
    let mut jobs = queue.consume(Lane::Jobs, 1000).await.unwrap();
    while queue.depth(Lane::Jobs) > 0 {
        let d = jobs.next().await.unwrap().unwrap();
        for job in d.jobs().unwrap() {
            *published.entry(job.id.0).or_default() += 1;
        }
        d.acker.ack().await.unwrap();
    }
    assert_eq!(published.len(), SHARED);
    let twice: Vec<_> = published.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "links published more than once: {twice:?}"
    );
    a.delete_namespace().await.unwrap();
}
