//! Two collectors at once for a whole round, as during a rolling update with a surge: every
//! result is written once, the follow-ups a result brings are published once in all, and the
//! round completes once — and its report is the one the round has when run alone.

use std::time::{Duration, Instant};

use crate::support::{City, LIMIT, Metrics, Pool, Role};
use crate::{lines_starting, total};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_collectors_write_each_result_once_and_complete_the_round_once() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let initial = spotcheck_scheduler::initial_jobs(&city.round()).len() as f64;
    let pool = Pool::new("twocollectors").await;
    let collectors: Vec<Role> = (0..2)
        .map(|i| {
            pool.spawn(
                &city,
                &format!("collector{i}"),
                &["collector"],
                "info",
                true,
            )
        })
        .collect();
    let _workers: Vec<Role> = (0..3)
        .map(|i| pool.spawn(&city, &format!("worker{i}"), &["worker"], "warn", false))
        .collect();
    let id = pool.start_round(&city);
    let p = pool.assert_completes_as(&city, &id, &reference).await;
    assert_eq!(p.dead, 0, "{p:?}");
    let jobs = p.total as f64;
    assert!(jobs > initial, "the round brought no follow-ups: {p:?}");

    // A collector counts a write just after it; wait for the counters to catch up.
    let start = Instant::now();
    let scrapes = loop {
        let scrapes: Vec<Metrics> = collectors.iter().map(Role::scrape).collect();
        if total(&scrapes, "spotcheck_collector_results_written_total", &[]) >= jobs {
            break scrapes;
        }
        assert!(start.elapsed() < LIMIT, "results written trail the round");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let written = total(&scrapes, "spotcheck_collector_results_written_total", &[]);
    let published = total(
        &scrapes,
        "spotcheck_collector_follow_ups_published_total",
        &[],
    );
    let completed = total(&scrapes, "spotcheck_collector_rounds_completed_total", &[]);
    assert_eq!(
        written, jobs,
        "results written once each, over both collectors"
    );
    assert_eq!(
        published,
        jobs - initial,
        "every follow-up job published once, over both collectors"
    );
    assert_eq!(completed, 1.0, "one completion over both collectors");
    let all: Vec<&Role> = collectors.iter().collect();
    assert_eq!(lines_starting(&all, "round complete"), 1);
    for (c, m) in collectors.iter().zip(&scrapes) {
        assert!(
            m.sum("spotcheck_collector_results_written_total", &[]) > 0.0,
            "{} wrote nothing: the round did not run on both",
            c.name
        );
    }
    pool.finish().await;
}
