//! Dead letters in the collector: a job that failed every delivery becomes the `Dead` result
//! its round waits for; a dead job its round never had (forged, or sent with a round id it
//! does not belong to) is held back a while — its round may be about to add it — and then
//! dropped, so it neither counts in the round nor shows in its report.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::Plan;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::Outcome;
use spotcheck_core::ports::{Lane, Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::MemoryStore;
use spotcheck_testkit::rounds::{RegistryText, round};
use tokio::sync::watch;

fn link(round: &RoundId, url: &str) -> Job {
    Job::new(
        round,
        Task::Link {
            url: url.parse().unwrap(),
        },
    )
}

#[tokio::test]
async fn a_dead_job_of_its_round_is_recorded_and_a_foreign_one_dropped() {
    let registry = RegistryText::new("测试市", "测试")
        .unit("szf", "市政府办")
        .parse();
    let round = round("2020Q4-dead", registry, Plan::default());
    let store = Arc::new(MemoryStore::new());
    let queue = Arc::new(MemoryQueue::new(5));
    store.create_round(&round).await.unwrap();
    let theirs = link(&round.id, "http://a.gov.cn/x");
    let forged = link(&round.id, "http://a.gov.cn/forged");
    store
        .add_jobs(&round.id, std::slice::from_ref(&theirs.id))
        .await
        .unwrap();
    store.seal(&round.id).await.unwrap();
    // The forged job first: it must not hold up the one behind it.
    for job in [&forged, &theirs] {
        queue
            .publish(
                Lane::Dead,
                Job::encode_batch(std::slice::from_ref(job)),
                Duration::ZERO,
            )
            .await
            .unwrap();
    }
    let completions = Arc::new(AtomicUsize::new(0));
    let counted = completions.clone();
    let collector = Collector::new(
        store.clone(),
        queue.clone(),
        Arc::new(move |_: &RoundId| {
            counted.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(collector.run(stopped));

    let start = Instant::now();
    while !store.progress(&round.id).await.unwrap().complete {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the round's dead job held up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The forged one is held back a few seconds (ten deliveries, half a second apart), then
    // dropped: once the collector stops, nothing is left to return to the queue.
    tokio::time::sleep(Duration::from_secs(7)).await;
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(queue.depth(Lane::Dead), 0, "the forged job is still held");

    let p = store.progress(&round.id).await.unwrap();
    assert_eq!((p.total, p.done, p.dead, p.complete), (1, 1, 1, true));
    let results = store.results(&round.id).await.unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0].job, theirs);
    assert!(matches!(results[0].outcome, Outcome::Dead { .. }));
    assert_eq!(completions.load(Ordering::SeqCst), 1);
}
