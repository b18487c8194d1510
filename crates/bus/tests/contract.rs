//! The queue contract, run against every implementation: what the roles rely on whichever
//! queue carries their messages — confirmed publishes, manual settling, redelivery with a
//! count, a delivery limit that dead-letters, delays, a prefetch bound, and deployments kept
//! apart. Each promise is one function, run once on the in-memory queue and once on RabbitMQ
//! (in namespaces of its own, deleted afterwards; without a broker those runs fail, saying so).

mod common;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::{amqp_url, connect, namespace, next, next_within, nothing_for};
use futures_util::FutureExt;
use spotcheck_bus::{AmqpOptions, AmqpQueue, MemoryQueue};
use spotcheck_core::Namespace;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::ports::{Lane, Parcel, Queue};
use spotcheck_core::round::RoundId;

/// A deployment's queues under test.
#[async_trait]
trait Deployment: Sync {
    /// A handle on the deployment's queues, as one more process of the deployment opens them.
    async fn open(&self) -> Box<dyn Queue>;
    /// The queues of another deployment beside this one (on the same broker).
    async fn neighbour(&self) -> Box<dyn Queue>;
    /// Messages ready in a lane (neither in flight nor still delayed).
    async fn depth(&self, lane: Lane) -> usize;
    /// Shuts down every handle [`Deployment::open`] gave, as a process does on exit.
    async fn shut_down(&self);
}

struct Memory {
    queue: MemoryQueue,
    delivery_limit: u32,
}

impl Memory {
    fn new(delivery_limit: u32) -> Memory {
        Memory {
            queue: MemoryQueue::new(delivery_limit),
            delivery_limit,
        }
    }
}

#[async_trait]
impl Deployment for Memory {
    async fn open(&self) -> Box<dyn Queue> {
        Box::new(self.queue.clone())
    }

    async fn neighbour(&self) -> Box<dyn Queue> {
        Box::new(MemoryQueue::new(self.delivery_limit))
    }

    async fn depth(&self, lane: Lane) -> usize {
        self.queue.depth(lane)
    }

    async fn shut_down(&self) {
        self.queue.close();
    }
}

/// A namespace of its own on the test broker; every handle is a connection of its own.
struct Rabbit {
    url: String,
    namespace: Namespace,
    opts: AmqpOptions,
    /// Reads depths; not one of the handles, so it outlives [`Deployment::shut_down`].
    admin: AmqpQueue,
    handles: Mutex<Vec<AmqpQueue>>,
    neighbours: Mutex<Vec<(Namespace, AmqpQueue)>>,
}

impl Rabbit {
    async fn start(delivery_limit: u32) -> Rabbit {
        let url = amqp_url();
        let namespace = namespace();
        let opts = AmqpOptions {
            delivery_limit,
            ..AmqpOptions::default()
        };
        let admin = connect(&url, &namespace, opts.clone()).await;
        Rabbit {
            url,
            namespace,
            opts,
            admin,
            handles: Mutex::default(),
            neighbours: Mutex::default(),
        }
    }

    /// Runs one promise, then deletes every namespace it used, pass or fail.
    async fn run<Fut: Future<Output = ()>>(&self, promise: Fut) {
        let outcome = AssertUnwindSafe(promise).catch_unwind().await;
        let handles = std::mem::take(&mut *self.handles.lock().unwrap());
        let neighbours = std::mem::take(&mut *self.neighbours.lock().unwrap());
        for q in handles.iter().chain(neighbours.iter().map(|(_, q)| q)) {
            q.close().await;
        }
        self.admin.close().await;
        let namespaces =
            std::iter::once(self.namespace.clone()).chain(neighbours.into_iter().map(|(ns, _)| ns));
        for ns in namespaces {
            // A fresh connection: the promise may have shut the others down.
            let cleaner = connect(&self.url, &ns, self.opts.clone()).await;
            cleaner.delete_namespace().await.expect("cleanup");
            cleaner.close().await;
        }
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

#[async_trait]
impl Deployment for Rabbit {
    async fn open(&self) -> Box<dyn Queue> {
        let q = connect(&self.url, &self.namespace, self.opts.clone()).await;
        self.handles.lock().unwrap().push(q.clone());
        Box::new(q)
    }

    async fn neighbour(&self) -> Box<dyn Queue> {
        let ns = namespace();
        let q = connect(&self.url, &ns, self.opts.clone()).await;
        self.neighbours.lock().unwrap().push((ns, q.clone()));
        Box::new(q)
    }

    async fn depth(&self, lane: Lane) -> usize {
        self.admin.depth(lane).await.expect("depth") as usize
    }

    async fn shut_down(&self) {
        let handles = self.handles.lock().unwrap().clone();
        for q in handles {
            q.close().await;
        }
    }
}

/// Each promise as a test on each implementation: `memory::NAME` and `rabbitmq::NAME`, with the
/// delivery limit given.
macro_rules! contract {
    ($($promise:ident(delivery_limit = $limit:expr);)*) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $promise() {
                    super::$promise(&super::Memory::new($limit)).await;
                }
            )*
        }

        mod rabbitmq {
            $(
                #[tokio::test]
                async fn $promise() {
                    let d = super::Rabbit::start($limit).await;
                    d.run(super::$promise(&d)).await;
                }
            )*
        }
    };
}

contract! {
    messages_come_in_order_and_an_ack_settles_them(delivery_limit = 5);
    a_publish_has_landed_when_it_returns(delivery_limit = 5);
    concurrent_publishes_each_land_once(delivery_limit = 5);
    a_requeued_message_comes_back_counted(delivery_limit = 10);
    a_dropped_delivery_comes_back_at_once(delivery_limit = 5);
    the_deliveries_of_a_consumer_that_goes_away_go_to_another(delivery_limit = 5);
    deliveries_in_flight_are_settled_one_by_one(delivery_limit = 5);
    prefetch_bounds_unsettled_deliveries(delivery_limit = 5);
    the_delivery_limit_dead_letters(delivery_limit = 3);
    a_limit_of_one_delivery_dead_letters_on_the_first_return(delivery_limit = 1);
    dropped_deliveries_count_towards_the_limit(delivery_limit = 2);
    a_rejected_message_goes_to_the_dead_lane_and_ends_there(delivery_limit = 1);
    delayed_messages_wait_their_delay_and_do_not_hold_each_other_back(delivery_limit = 5);
    deployments_are_kept_apart(delivery_limit = 5);
    shutting_down_ends_consumers(delivery_limit = 5);
    jobs_and_results_arrive_as_published_through_returns(delivery_limit = 5);
}

async fn publish(q: &dyn Queue, lane: Lane, body: &[u8]) {
    q.publish(lane, body.to_vec(), Duration::ZERO)
        .await
        .expect("publish");
}

/// Messages of a lane come in the order they were published, each once, and an ack settles
/// one for good; lanes keep their own messages.
async fn messages_come_in_order_and_an_ack_settles_them(d: &dyn Deployment) {
    let q = d.open().await;
    for i in 0..3u8 {
        publish(q.as_ref(), Lane::Jobs, &[i]).await;
    }
    publish(q.as_ref(), Lane::Results, b"r").await;
    let mut jobs = q.consume(Lane::Jobs, 10).await.unwrap();
    for i in 0..3u8 {
        let d = next(&mut jobs).await;
        assert_eq!(d.body, vec![i], "messages come in order");
        assert_eq!(d.redeliveries, 0);
        d.acker.ack().await.unwrap();
    }
    nothing_for(&mut jobs, 200).await;
    let mut results = q.consume(Lane::Results, 1).await.unwrap();
    let r = next(&mut results).await;
    assert_eq!(r.body, b"r");
    r.acker.ack().await.unwrap();
    nothing_for(&mut results, 200).await;
    assert_eq!(d.depth(Lane::Jobs).await, 0);
    assert_eq!(d.depth(Lane::Results).await, 0);
}

/// When `publish` returns, the queue holds the message: no waiting, and another process sees it.
async fn a_publish_has_landed_when_it_returns(d: &dyn Deployment) {
    let q = d.open().await;
    for i in 0..20u8 {
        publish(q.as_ref(), Lane::Jobs, &[i]).await;
        assert_eq!(d.depth(Lane::Jobs).await, usize::from(i) + 1);
    }
    let other = d.open().await;
    let mut c = other.consume(Lane::Jobs, 20).await.unwrap();
    for i in 0..20u8 {
        let d = next(&mut c).await;
        assert_eq!(d.body, vec![i]);
        d.acker.ack().await.unwrap();
    }
}

/// Publishes from many tasks at once, some delayed: each message arrives exactly once.
async fn concurrent_publishes_each_land_once(d: &dyn Deployment) {
    let q: std::sync::Arc<dyn Queue> = d.open().await.into();
    let mut tasks = Vec::new();
    for i in 0..64u8 {
        let q = q.clone();
        tasks.push(tokio::spawn(async move {
            let delay = if i % 4 == 0 {
                Duration::from_millis(50)
            } else {
                Duration::ZERO
            };
            q.publish(Lane::Jobs, vec![i], delay).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut c = d.open().await.consume(Lane::Jobs, 64).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..64 {
        let d = next(&mut c).await;
        got.push(d.body[0]);
        d.acker.ack().await.unwrap();
    }
    got.sort();
    assert_eq!(got, (0..64).collect::<Vec<u8>>());
    nothing_for(&mut c, 200).await;
}

/// A reject with requeue hands the message back, and each delivery counts the ones before.
async fn a_requeued_message_comes_back_counted(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"a").await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    for n in 0..3 {
        let d = next(&mut c).await;
        assert_eq!(d.redeliveries, n);
        d.acker.reject(true).await.unwrap();
    }
    let d = next(&mut c).await;
    assert_eq!((d.body.as_slice(), d.redeliveries), (&b"a"[..], 3));
    d.acker.ack().await.unwrap();
    nothing_for(&mut c, 200).await;
}

/// A delivery dropped unsettled (its handler crashed) comes back at once, counted; dropping the
/// consumer keeps the deliveries in flight settleable.
async fn a_dropped_delivery_comes_back_at_once(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"a").await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    drop(next(&mut c).await);
    let again = next_within(&mut c, 5).await;
    assert_eq!((again.body.as_slice(), again.redeliveries), (&b"a"[..], 1));
    drop(c);
    again.acker.ack().await.unwrap();
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    nothing_for(&mut c, 300).await;
    assert_eq!(d.depth(Lane::Jobs).await, 0);
}

/// A worker that dies with deliveries in flight: another worker gets them, counted.
async fn the_deliveries_of_a_consumer_that_goes_away_go_to_another(d: &dyn Deployment) {
    let (a, b) = (d.open().await, d.open().await);
    publish(a.as_ref(), Lane::Jobs, b"1").await;
    publish(a.as_ref(), Lane::Jobs, b"2").await;
    let mut dying = a.consume(Lane::Jobs, 2).await.unwrap();
    let in_flight = (next(&mut dying).await, next(&mut dying).await);
    let mut survivor = b.consume(Lane::Jobs, 10).await.unwrap();
    nothing_for(&mut survivor, 300).await;
    drop(dying);
    drop(in_flight);
    let mut got = Vec::new();
    for _ in 0..2 {
        let d = next(&mut survivor).await;
        got.push((d.body.clone(), d.redeliveries));
        d.acker.ack().await.unwrap();
    }
    got.sort();
    assert_eq!(got, [(b"1".to_vec(), 1), (b"2".to_vec(), 1)]);
}

/// Several deliveries in flight at once (a batch) are settled each on its own, in any order:
/// only the ones handed back return.
async fn deliveries_in_flight_are_settled_one_by_one(d: &dyn Deployment) {
    let q = d.open().await;
    for i in 0..6u8 {
        publish(q.as_ref(), Lane::Results, &[i]).await;
    }
    let mut c = q.consume(Lane::Results, 10).await.unwrap();
    let mut batch = Vec::new();
    for i in 0..6u8 {
        let d = next(&mut c).await;
        assert_eq!(d.body, vec![i]);
        batch.push(Some(d));
    }
    let mut take = |i: usize| batch[i].take().expect("each delivery settled once");
    take(5).acker.ack().await.unwrap();
    take(1).acker.reject(true).await.unwrap();
    drop(take(3));
    for i in [4, 2, 0] {
        take(i).acker.ack().await.unwrap();
    }
    let mut back = Vec::new();
    for _ in 0..2 {
        let d = next(&mut c).await;
        back.push((d.body[0], d.redeliveries));
        d.acker.ack().await.unwrap();
    }
    back.sort();
    assert_eq!(back, [(1, 1), (3, 1)]);
    nothing_for(&mut c, 300).await;
}

/// No more than `prefetch` deliveries are unsettled at once; settling one lets the next come.
async fn prefetch_bounds_unsettled_deliveries(d: &dyn Deployment) {
    let q = d.open().await;
    for i in 0..3u8 {
        publish(q.as_ref(), Lane::Jobs, &[i]).await;
    }
    let mut c = q.consume(Lane::Jobs, 2).await.unwrap();
    let first = next(&mut c).await;
    let _second = next(&mut c).await;
    nothing_for(&mut c, 300).await;
    assert_eq!(d.depth(Lane::Jobs).await, 1, "the third waits in the queue");
    first.acker.ack().await.unwrap();
    assert_eq!(next(&mut c).await.body, vec![2]);
}

/// A message delivered `delivery_limit` (3) times without being settled goes to the dead lane,
/// which counts its own deliveries.
async fn the_delivery_limit_dead_letters(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"poison").await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    for n in 0..3 {
        let d = next(&mut c).await;
        assert_eq!(d.redeliveries, n);
        d.acker.reject(true).await.unwrap();
    }
    nothing_for(&mut c, 300).await;
    assert_eq!(d.depth(Lane::Jobs).await, 0);
    assert_eq!(d.depth(Lane::Dead).await, 1);
    let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
    let m = next(&mut dead).await;
    assert_eq!((m.body.as_slice(), m.redeliveries), (&b"poison"[..], 0));
    m.acker.ack().await.unwrap();
    assert_eq!(d.depth(Lane::Dead).await, 0);
}

/// With a limit of one delivery, the first return dead-letters.
async fn a_limit_of_one_delivery_dead_letters_on_the_first_return(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"once").await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    next(&mut c).await.acker.reject(true).await.unwrap();
    nothing_for(&mut c, 300).await;
    let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
    assert_eq!(next(&mut dead).await.body, b"once");
}

/// A dropped delivery is a return like any other: with a limit of two, two crashes dead-letter.
async fn dropped_deliveries_count_towards_the_limit(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Results, b"r").await;
    let mut c = q.consume(Lane::Results, 1).await.unwrap();
    drop(next(&mut c).await);
    drop(next(&mut c).await);
    nothing_for(&mut c, 300).await;
    let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
    assert_eq!(next(&mut dead).await.body, b"r");
}

/// A reject without requeue sends a message to the dead lane at once. The dead lane has no
/// delivery limit (with a limit of one, a return there still keeps the message), and a reject
/// without requeue there drops the message for good.
async fn a_rejected_message_goes_to_the_dead_lane_and_ends_there(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"bad").await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    next(&mut c).await.acker.reject(false).await.unwrap();
    let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
    for n in 0..3 {
        let m = next(&mut dead).await;
        assert_eq!((m.body.as_slice(), m.redeliveries), (&b"bad"[..], n));
        if n < 2 {
            m.acker.reject(true).await.unwrap();
        } else {
            m.acker.reject(false).await.unwrap();
        }
    }
    nothing_for(&mut dead, 300).await;
    assert_eq!(d.depth(Lane::Dead).await, 0);
    nothing_for(&mut c, 100).await;
}

/// A delayed message is not delivered before its delay, and a short delay is not held back by
/// a longer one published before it.
async fn delayed_messages_wait_their_delay_and_do_not_hold_each_other_back(d: &dyn Deployment) {
    let q = d.open().await;
    let start = Instant::now();
    q.publish(Lane::Jobs, b"slow".to_vec(), Duration::from_millis(2500))
        .await
        .unwrap();
    q.publish(Lane::Jobs, b"fast".to_vec(), Duration::from_millis(400))
        .await
        .unwrap();
    publish(q.as_ref(), Lane::Jobs, b"now").await;
    assert_eq!(
        d.depth(Lane::Jobs).await,
        1,
        "delayed messages are not ready yet"
    );
    let mut c = q.consume(Lane::Jobs, 10).await.unwrap();
    let m = next(&mut c).await;
    assert_eq!(m.body, b"now");
    m.acker.ack().await.unwrap();

    let m = next(&mut c).await;
    let at = start.elapsed();
    assert_eq!(
        m.body, b"fast",
        "a short delay is not held back by a longer one"
    );
    assert!(
        at >= Duration::from_millis(400),
        "fast arrived early: {at:?}"
    );
    assert!(
        at < Duration::from_millis(2000),
        "fast arrived late: {at:?}"
    );
    assert_eq!(m.redeliveries, 0);
    m.acker.ack().await.unwrap();

    let m = next(&mut c).await;
    let at = start.elapsed();
    assert_eq!(m.body, b"slow");
    assert!(
        at >= Duration::from_millis(2500),
        "slow arrived early: {at:?}"
    );
    m.acker.ack().await.unwrap();
}

/// Two deployments on one broker never see each other's messages, dead letters included.
async fn deployments_are_kept_apart(d: &dyn Deployment) {
    let (ours, theirs) = (d.open().await, d.neighbour().await);
    publish(ours.as_ref(), Lane::Jobs, b"ours").await;
    publish(theirs.as_ref(), Lane::Jobs, b"theirs").await;
    let mut c = ours.consume(Lane::Jobs, 10).await.unwrap();
    let m = next(&mut c).await;
    assert_eq!(m.body, b"ours");
    m.acker.reject(false).await.unwrap();
    nothing_for(&mut c, 300).await;

    let mut their_dead = theirs.consume(Lane::Dead, 10).await.unwrap();
    nothing_for(&mut their_dead, 300).await;
    let mut their_jobs = theirs.consume(Lane::Jobs, 10).await.unwrap();
    let m = next(&mut their_jobs).await;
    assert_eq!(m.body, b"theirs");
    m.acker.ack().await.unwrap();
    nothing_for(&mut their_jobs, 200).await;
    let mut our_dead = ours.consume(Lane::Dead, 10).await.unwrap();
    assert_eq!(next(&mut our_dead).await.body, b"ours");
}

/// On shutdown every consumer's `next` returns `None`: an idle one, and one whose prefetch is
/// full of deliveries still in flight.
async fn shutting_down_ends_consumers(d: &dyn Deployment) {
    let q = d.open().await;
    publish(q.as_ref(), Lane::Jobs, b"a").await;
    let mut busy = q.consume(Lane::Jobs, 1).await.unwrap();
    let in_flight = next(&mut busy).await;
    let mut idle = q.consume(Lane::Results, 1).await.unwrap();
    d.shut_down().await;
    for (what, c) in [("an idle", &mut idle), ("a busy", &mut busy)] {
        match tokio::time::timeout(Duration::from_secs(5), c.next()).await {
            Ok(None) => {}
            Ok(Some(_)) => panic!("{what} consumer got a delivery after shutdown"),
            Err(_) => panic!("{what} consumer still running 5 s after shutdown"),
        }
    }
    drop(in_flight);
}

fn some_jobs() -> Vec<Job> {
    let round = RoundId("2020Q4-parcel".into());
    ["http://a.gov.cn/1.html", "http://b.gov.cn/链接?x=1"]
        .iter()
        .map(|u| {
            let url = url::Url::parse(u).unwrap();
            Job::new(&round, Task::Link { url })
        })
        .collect()
}

/// Jobs and results published as a parcel arrive as they were published — also after a
/// dropped delivery, and in the dead lane — whether the queue carries them encoded or not.
async fn jobs_and_results_arrive_as_published_through_returns(d: &dyn Deployment) {
    let q = d.open().await;
    let jobs = some_jobs();
    let results: Vec<JobResult> = jobs
        .iter()
        .map(|j| JobResult::new(j.clone(), Outcome::Link(Verdict::ok(200))))
        .collect();
    q.publish_parcel(Lane::Jobs, Parcel::Jobs(jobs.clone()), Duration::ZERO)
        .await
        .unwrap();
    q.publish_parcel(
        Lane::Results,
        Parcel::Results(results.clone()),
        Duration::ZERO,
    )
    .await
    .unwrap();
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    let first = next(&mut c).await;
    assert_eq!(first.jobs().unwrap(), jobs);
    assert!(first.results().is_err(), "jobs are not results");
    drop(first);
    let mut again = next_within(&mut c, 5).await;
    assert_eq!(again.redeliveries, 1);
    assert_eq!(again.take_jobs().unwrap(), jobs);
    again.acker.reject(false).await.unwrap();
    let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
    let m = next(&mut dead).await;
    assert_eq!(m.jobs().unwrap(), jobs, "dead-lettered whole");
    m.acker.ack().await.unwrap();
    let mut r = q.consume(Lane::Results, 1).await.unwrap();
    let m = next(&mut r).await;
    assert_eq!(*m.results().unwrap(), results[..]);
    m.acker.ack().await.unwrap();
}

/// Within one process nothing is encoded: the consumer gets the jobs themselves (a round in
/// one process spends no time writing and reading JSON), and raw bytes stay raw bytes.
#[tokio::test]
async fn the_in_process_queue_hands_parcels_over_unencoded() {
    let q = MemoryQueue::new(5);
    let jobs = some_jobs();
    q.publish_parcel(Lane::Jobs, Parcel::Jobs(jobs.clone()), Duration::ZERO)
        .await
        .unwrap();
    publish(&q, Lane::Jobs, b"raw").await;
    let mut c = q.consume(Lane::Jobs, 2).await.unwrap();
    let d = next(&mut c).await;
    assert!(d.body.is_empty(), "nothing encoded");
    assert!(matches!(d.parcel.as_deref(), Some(Parcel::Jobs(j)) if *j == jobs));
    let raw = next(&mut c).await;
    assert_eq!(
        (raw.body.as_slice(), raw.parcel.is_none()),
        (&b"raw"[..], true)
    );
}
