//! Jobs travel a batch to a message. A job of a batch whose check fails (here: a drill panic)
//! sends the message back to the queue after the others' results are out; at the delivery limit
//! the message is dead-lettered, and only the failing job becomes a `Dead` result — the
//! others keep the result they got first. The round completes with every job accounted for.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::job::{Job, JobId, Task};
use spotcheck_core::outcome::Outcome;
use spotcheck_core::ports::{Lane, Queue, Store};
use spotcheck_politeness::MemoryGates;
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::MapSecrets;
use spotcheck_worker::{Worker, WorkerConfig};
use support::{City, ROUND_LIMIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_of_a_batch_is_the_only_one_dead() {
    let city = City::start().await;
    let round = city.round();
    let home = round.registry.websites[0].url.clone();
    let jobs: Vec<Job> = (1..=4)
        .map(|n| {
            let mut url = home.clone();
            url.set_query(Some(&format!("batch={n}")));
            Job::new(&round.id, Task::Link { url })
        })
        .collect();
    let ids: Vec<JobId> = jobs.iter().map(|j| j.id.clone()).collect();

    let queue = MemoryQueue::new(3);
    let store = Arc::new(MemoryStore::new());
    store.create_round(&round).await.unwrap();
    assert_eq!(store.add_jobs(&round.id, &ids).await.unwrap().len(), 4);
    queue
        .publish(Lane::Jobs, Job::encode_batch(&jobs), Duration::ZERO)
        .await
        .unwrap();
    assert!(!store.seal(&round.id).await.unwrap());

    let q: Arc<dyn Queue> = Arc::new(queue.clone());
    let s: Arc<dyn Store> = store.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let collector =
        tokio::spawn(Collector::new(s.clone(), q.clone(), Arc::new(|_| {})).run(stopped.clone()));
    let worker = Worker::new(
        q,
        s.clone(),
        Arc::new(MemoryGates::default()),
        Arc::new(MapSecrets(city.sim.secrets().into_iter().collect())),
        WorkerConfig {
            prefetch: 8,
            grace: Duration::from_secs(5),
            panic_on: Some("batch=3".into()),
        },
    );
    let worker = tokio::spawn(worker.run(stopped));

    let start = Instant::now();
    loop {
        let p = s.progress(&round.id).await.unwrap();
        if p.complete {
            assert_eq!((p.total, p.done, p.dead), (4, 4, 1), "{p:?}");
            break;
        }
        assert!(start.elapsed() < ROUND_LIMIT, "round not complete: {p:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    queue.close();
    collector.await.unwrap().unwrap();
    worker.await.unwrap().unwrap();

    let results = store.results(&round.id).await.unwrap();
    assert_eq!(results.len(), 4);
    for r in &results {
        let Task::Link { url } = &r.job.task else {
            panic!("not a check: {:?}", r.job.task)
        };
        match (url.query(), &r.outcome) {
            (Some("batch=3"), Outcome::Dead { .. }) => {}
            (Some("batch=3"), other) => panic!("the failing job got {other:?}"),
            (_, Outcome::Link(v)) => assert!(v.is_ok(), "{url}: {v:?}"),
            (_, other) => panic!("{url} got {other:?}"),
        }
    }
    assert_eq!(queue.depth(Lane::Jobs), 0, "nothing is left in the queue");
}
