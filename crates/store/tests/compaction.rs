//! A completed round packed for keeping: within its byte budget per job in Redis, with
//! nothing its report, re-check or progress needs lost. Needs a Redis
//! (`SPOTCHECK_TEST_REDIS_URL`, default the local one); without one the test fails, saying so.

mod common;

use common::*;
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::ports::{Recorded, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::RedisOptions;

/// Link checks in the round: enough that the round's fixed keys weigh little per job.
const JOBS: u32 = 5_000;
/// The most a completed round may keep in Redis per job.
const BUDGET: u64 = 200;

/// A link check as a government site's pages have them: many sites, article URLs.
fn link(round: &RoundId, n: u32) -> Job {
    let url = format!(
        "http://www.site{}.gov.cn/art/2020/{}/{}/art_{}_{}.html",
        n % 97,
        n % 12 + 1,
        n % 28 + 1,
        1000 + n % 300,
        100_000 + n * 7
    );
    Job::new(
        round,
        Task::Link {
            url: url.parse().unwrap(),
        },
    )
}

fn result(job: &Job, n: u32) -> JobResult {
    let verdict = if n % 25 == 0 {
        Verdict::broken(Some(404), "HTTP 404")
    } else {
        Verdict::ok(200)
    };
    JobResult::new(job.clone(), Outcome::Link(verdict))
}

/// Bytes Redis holds for every key of the namespace (`MEMORY USAGE`, counted exactly).
async fn namespace_bytes(ns: &spotcheck_core::Namespace) -> u64 {
    let mut c = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("a raw Redis connection");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:*"))
        .query_async(&mut c)
        .await
        .unwrap();
    let mut total = 0;
    for k in keys {
        let bytes: Option<u64> = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg(&k)
            .arg("SAMPLES")
            .arg(0)
            .query_async(&mut c)
            .await
            .unwrap();
        total += bytes.unwrap_or(0);
    }
    total
}

async fn key_count(ns: &spotcheck_core::Namespace, pattern: &str) -> usize {
    let mut c = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:{pattern}"))
        .query_async(&mut c)
        .await
        .unwrap();
    keys.len()
}

#[tokio::test]
async fn a_completed_round_is_packed_within_its_budget_losing_nothing() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let r = round("2020Q4-packed");
        store.create_round(&r).await.unwrap();
        let jobs: Vec<Job> = (0..JOBS).map(|n| link(&r.id, n)).collect();
        let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
        store.add_jobs(&r.id, &ids).await.unwrap();
        assert!(!store.seal(&r.id).await.unwrap());
        let results: Vec<JobResult> = jobs.iter().zip(0..).map(|(j, n)| result(j, n)).collect();
        let mut last = Vec::new();
        for batch in results.chunks(100) {
            last = store.record_batch(batch).await.unwrap();
        }
        assert!(last.last().unwrap().completed);
        let before = namespace_bytes(&ns).await;
        let (progress, stored) = (
            store.progress(&r.id).await.unwrap(),
            store.results(&r.id).await.unwrap(),
        );
        assert!(
            before > BUDGET * u64::from(JOBS),
            "in progress the round takes {} B a job: nothing to pack?",
            before / u64::from(JOBS)
        );

        assert!(store.pack(&r.id).await.unwrap(), "the first packing packs");
        assert!(
            !store.pack(&r.id).await.unwrap(),
            "packing again changes nothing"
        );
        let after = namespace_bytes(&ns).await;
        let per_job = after / u64::from(JOBS);
        assert!(
            per_job <= BUDGET,
            "a packed round takes {per_job} B a job ({after} B for {JOBS} jobs)"
        );
        assert_eq!(key_count(&ns, "round:*:packing:*").await, 0);

        // Nothing the report, the re-check or `round status` reads is lost.
        assert_eq!(store.results(&r.id).await.unwrap(), stored);
        assert_eq!(store.progress(&r.id).await.unwrap(), progress);
        assert_eq!(progress.total, u64::from(JOBS));
        // A late duplicate changes nothing and brings nothing back.
        assert_eq!(
            store.record(&results[3], &[]).await.unwrap(),
            Recorded {
                first: false,
                completed: false
            }
        );
        assert!(store.new_jobs(&r.id, &ids[..10]).await.unwrap().is_empty());
        assert_eq!(namespace_bytes(&ns).await, after);
    })
    .await;
}

/// A round not complete yet is never packed: its bookkeeping is still needed.
#[tokio::test]
async fn a_round_in_progress_is_not_packed() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let r = round("2020Q4-running");
        store.create_round(&r).await.unwrap();
        let jobs: Vec<Job> = (0..3).map(|n| link(&r.id, n)).collect();
        let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
        store.add_jobs(&r.id, &ids).await.unwrap();
        store.seal(&r.id).await.unwrap();
        store.record(&result(&jobs[0], 1), &[]).await.unwrap();
        assert!(!store.pack(&r.id).await.unwrap());
        assert_eq!(store.new_jobs(&r.id, &ids).await.unwrap(), Vec::new());
        let rest: Vec<_> = jobs[1..]
            .iter()
            .zip(2..)
            .map(|(j, n)| result(j, n))
            .collect();
        let done = store.record_batch(&rest).await.unwrap();
        assert!(done[1].completed);
        assert!(store.pack(&r.id).await.unwrap());
        assert_eq!(store.results(&r.id).await.unwrap().len(), 3);
    })
    .await;
}

/// Results read while the collector packs the round come back whole: a reader that found the
/// round not packed yet, and then its results hash gone, reads the packed blocks instead of
/// returning nothing. The reader starts a few round trips (PINGs) later each time, so some
/// starts fall in every step of the packing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_read_while_the_round_is_packed_come_back_whole() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let store = std::sync::Arc::new(store);
        let mut c = redis::Client::open(redis_url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .expect("a raw Redis connection");
        for start in 0..40u32 {
            let r = round(&format!("2020Q4-race{start}"));
            store.create_round(&r).await.unwrap();
            let jobs: Vec<Job> = (0..200).map(|n| link(&r.id, n)).collect();
            let ids: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
            store.add_jobs(&r.id, &ids).await.unwrap();
            store.seal(&r.id).await.unwrap();
            let results: Vec<JobResult> = jobs.iter().zip(0..).map(|(j, n)| result(j, n)).collect();
            assert!(store.record_batch(&results).await.unwrap()[199].completed);
            let packer = {
                let (store, id) = (store.clone(), r.id.clone());
                tokio::spawn(async move { store.pack(&id).await.unwrap() })
            };
            for _ in 0..start % 10 {
                let _: String = redis::cmd("PING").query_async(&mut c).await.unwrap();
            }
            let read = store.results(&r.id).await.unwrap();
            assert!(packer.await.unwrap());
            assert_eq!(read.len(), 200, "{ns}: read {start} PINGs into the packing");
        }
    })
    .await;
}
