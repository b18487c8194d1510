//! Jobs travel a batch to a message. A job of a batch whose check fails (here: a drill panic)
//! sends the message back to the queue after the others' results are out; at the delivery limit
//! the message is dead-lettered, and only the failing job becomes a `Dead` result — the
//! others keep the result they got first. The round completes with every job accounted for.
//!
//! A worker takes a delivery only while fewer than `prefetch` of its jobs wait for a slot: it
//! holds the jobs it is about to check, not every message the queue would give it.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::job::{Job, JobId, Task};
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{Lane, PortError, Progress, Queue, Store};
use spotcheck_core::round::{Round, RoundId};
use spotcheck_politeness::MemoryGates;
use spotcheck_store::MemoryStore;
use spotcheck_worker::secrets::MapSecrets;
use spotcheck_worker::{Worker, WorkerConfig};
use support::{City, ROUND_LIMIT};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A round's messages on an in-memory queue and store, checked by one worker and collected.
struct OneWorker {
    queue: MemoryQueue,
    store: Arc<MemoryStore>,
    round: RoundId,
    stop: tokio::sync::watch::Sender<bool>,
    collector: JoinHandle<Result<(), PortError>>,
    worker: JoinHandle<Result<(), PortError>>,
}

impl OneWorker {
    /// Creates the round with the messages' jobs, publishes them a message each, seals the
    /// round and starts a collector and a worker with `cfg`.
    async fn start(city: &City, round: &Round, messages: &[Vec<Job>], cfg: WorkerConfig) -> Self {
        let ids: Vec<JobId> = messages.iter().flatten().map(|j| j.id.clone()).collect();
        let queue = MemoryQueue::new(3);
        let store = Arc::new(MemoryStore::new());
        store.create_round(round).await.unwrap();
        assert_eq!(
            store.add_jobs(&round.id, &ids).await.unwrap().len(),
            ids.len()
        );
        for jobs in messages {
            queue
                .publish(Lane::Jobs, Job::encode_batch(jobs), Duration::ZERO)
                .await
                .unwrap();
        }
        assert!(!store.seal(&round.id).await.unwrap());

        let q: Arc<dyn Queue> = Arc::new(queue.clone());
        let s: Arc<dyn Store> = store.clone();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let collector = tokio::spawn(
            Collector::new(s.clone(), q.clone(), Arc::new(|_| {})).run(stopped.clone()),
        );
        let worker = Worker::new(
            q,
            s,
            Arc::new(MemoryGates::default()),
            Arc::new(MapSecrets(city.sim.secrets().into_iter().collect())),
            cfg,
        );
        let worker = tokio::spawn(worker.run(stopped));
        OneWorker {
            queue,
            store,
            round: round.id.clone(),
            stop,
            collector,
            worker,
        }
    }

    /// Waits until the round is complete (within [`ROUND_LIMIT`] of `start`); its progress.
    async fn complete(&self, start: Instant) -> Progress {
        loop {
            let p = self.store.progress(&self.round).await.unwrap();
            if p.complete {
                return p;
            }
            assert!(start.elapsed() < ROUND_LIMIT, "round not complete: {p:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the worker and the collector; the round's results.
    async fn stop(self) -> Vec<JobResult> {
        self.stop.send(true).unwrap();
        self.queue.close();
        self.collector.await.unwrap().unwrap();
        self.worker.await.unwrap().unwrap();
        assert_eq!(
            self.queue.depth(Lane::Jobs),
            0,
            "nothing is left in the queue"
        );
        self.store.results(&self.round).await.unwrap()
    }
}

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
    let pool = OneWorker::start(
        &city,
        &round,
        &[jobs],
        WorkerConfig {
            prefetch: 8,
            grace: Duration::from_secs(5),
            panic_on: Some("batch=3".into()),
        },
    )
    .await;
    let p = pool.complete(Instant::now()).await;
    assert_eq!((p.total, p.done, p.dead), (4, 4, 1), "{p:?}");
    let results = pool.stop().await;
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
}

/// A link server that accepts at once but answers nothing until `open` turns true; then `ok`
/// to every request. Its address, and how many requests it has read.
async fn held_server(
    open: tokio::sync::watch::Receiver<bool>,
) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (mut open, asked) = (open.clone(), counter.clone());
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if !line.is_empty() {
                        continue;
                    }
                    // The end of a request's head.
                    asked.fetch_add(1, Ordering::SeqCst);
                    if open.wait_for(|o| *o).await.is_err() {
                        return;
                    }
                    let answer =
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok";
                    if write.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_takes_deliveries_as_its_slots_free_up() {
    let city = City::start().await;
    let round = city.round();
    let (open, opened) = tokio::sync::watch::channel(false);
    let (addr, asked) = held_server(opened).await;
    // Three messages of eight link checks; the worker checks two at once.
    let messages: Vec<Vec<Job>> = (0..3)
        .map(|m| {
            (0..8)
                .map(|n| {
                    let url = format!("http://{addr}/{m}/{n}.html").parse().unwrap();
                    Job::new(&round.id, Task::Link { url })
                })
                .collect()
        })
        .collect();
    let pool = OneWorker::start(
        &city,
        &round,
        &messages,
        WorkerConfig {
            prefetch: 2,
            grace: Duration::from_secs(5),
            panic_on: None,
        },
    )
    .await;

    // Two checks hang on the server; the first message's six other jobs wait for a slot, so
    // the worker leaves the other two messages in the queue (a prefetch of two messages
    // would take both).
    let start = Instant::now();
    while asked.load(Ordering::SeqCst) < 2 {
        assert!(
            start.elapsed() < ROUND_LIMIT,
            "the checks never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(asked.load(Ordering::SeqCst), 2, "two checks at once");
    assert_eq!(pool.queue.depth(Lane::Jobs), 2, "one message taken");

    open.send(true).unwrap();
    let p = pool.complete(start).await;
    assert_eq!((p.total, p.done, p.dead), (24, 24, 0), "{p:?}");
    assert_eq!(pool.stop().await.len(), 24);
}
