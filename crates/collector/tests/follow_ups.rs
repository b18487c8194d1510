//! A page's follow-ups leave the collector a message at a time: the first message is published
//! before the store has been asked about the rest of the page's links, every new link is
//! published once, in messages of the size the page calls for, and links the round has already
//! are not published again.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use spotcheck_bus::MemoryQueue;
use spotcheck_collector::Collector;
use spotcheck_core::job::{Job, JobId, Task};
use spotcheck_core::outcome::{JobResult, Outcome, PageOutcome, Verdict};
use spotcheck_core::ports::{Lane, Queue, Store};
use spotcheck_core::round::RoundId;
use spotcheck_store::MemoryStore;
use tokio::sync::watch;
use url::Url;

mod common;
use common::Hooked;

const LINKS: usize = 2_500;
/// As the collector splits them: about 20 messages a page.
const PER_MESSAGE: usize = LINKS.div_ceil(20);

/// Publishes a page result with [`LINKS`] links, every second one in the round already when
/// `half_known`; the sizes of the job messages the collector published, once the page is
/// recorded.
async fn page_with_links(half_known: bool) -> Vec<usize> {
    let (round, depth) = common::portal_round("2020Q4-followups");
    // The collector's first question about new jobs is answered at once, every later one
    // once a job message has been seen on the queue.
    let (publish, published) = watch::channel(false);
    let asked = Arc::new(AtomicUsize::new(0));
    let mut store = Hooked::new(Arc::new(MemoryStore::new()));
    store.before_new_jobs = Some({
        let asked = asked.clone();
        Arc::new(move || {
            let first = asked.fetch_add(1, Ordering::SeqCst) == 0;
            let mut published = published.clone();
            Box::pin(async move {
                if !first {
                    let _ = published.wait_for(|p| *p).await;
                }
            })
        })
    });
    let store = Arc::new(store);
    store.create_round(&round).await.unwrap();
    let page = Job::new(
        &round.id,
        Task::Page {
            site: "portal".into(),
            url: Url::parse("http://www.a.gov.cn/").unwrap(),
            depth,
        },
    );
    let links: Vec<Url> = (0..LINKS)
        .map(|n| Url::parse(&format!("http://www.a.gov.cn/art/{n}.html")).unwrap())
        .collect();
    let known_ids: Vec<JobId> = links
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|_| half_known)
        .map(|u| Task::Link { url: u.clone() }.id())
        .collect();
    let known = known_ids.len();
    let mut ids = known_ids.clone();
    ids.push(page.id.clone());
    store.add_jobs(&round.id, &ids).await.unwrap();
    store.seal(&round.id).await.unwrap();

    let queue = Arc::new(MemoryQueue::new(5));
    let collector = Collector::new(store.clone(), queue.clone(), Arc::new(|_: &RoundId| {}));
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(collector.run(stopped));
    let outcome = Outcome::Page(PageOutcome {
        verdict: Verdict::ok(200),
        links,
        newest: None,
    });
    queue
        .publish(
            Lane::Results,
            JobResult::new(page, outcome).encode(),
            Duration::ZERO,
        )
        .await
        .unwrap();

    let mut jobs = queue.consume(Lane::Jobs, 1_000).await.unwrap();
    let mut sizes = Vec::new();
    let mut seen = HashSet::new();
    while seen.len() < LINKS - known {
        let next = tokio::time::timeout(Duration::from_secs(5), jobs.next()).await;
        let Ok(Some(Ok(d))) = next else {
            panic!(
                "{} of {} new links published: the collector waited for the whole page before \
                 publishing its first links",
                seen.len(),
                LINKS - known
            );
        };
        let batch = d.jobs().unwrap();
        sizes.push(batch.len());
        for job in batch {
            assert!(
                !known_ids.contains(&job.id),
                "a link the round had was published again"
            );
            assert!(seen.insert(job.id), "a link published twice");
        }
        d.acker.ack().await.unwrap();
        publish.send_replace(true);
    }
    common::wait_recorded(
        store.as_ref(),
        &round.id,
        1,
        (LINKS + 1) as u64,
        Duration::from_secs(10),
    )
    .await;
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert!(
        asked.load(Ordering::SeqCst) > 1,
        "the store was asked about all the links at once"
    );
    sizes
}

#[tokio::test]
async fn a_page_s_first_links_go_out_before_the_rest_are_sorted() {
    let sizes = page_with_links(false).await;
    assert_eq!(sizes.iter().sum::<usize>(), LINKS);
    assert!(sizes.iter().all(|&n| n <= PER_MESSAGE), "{sizes:?}");
    assert_eq!(sizes.len(), LINKS.div_ceil(PER_MESSAGE), "{sizes:?}");
}

#[tokio::test]
async fn links_the_round_has_are_left_out_and_the_rest_still_fill_their_messages() {
    let known = LINKS / 2;
    let sizes = page_with_links(true).await;
    assert_eq!(sizes.iter().sum::<usize>(), LINKS - known);
    assert_eq!(
        sizes.len(),
        (LINKS - known).div_ceil(PER_MESSAGE),
        "{sizes:?}"
    );
}
