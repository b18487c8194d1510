//! Poison and hostile messages on a pool's queues, on the real RabbitMQ and Redis: messages that
//! are not JSON, have an unknown kind, name an unknown round, are huge, or ask for a target the
//! round's registry does not have, queued in front of a real round's jobs. Each is dead-lettered
//! or dropped with a log line and a metric, no process restarts, nothing loops in a queue, and
//! the round behind them completes with the report it has when run alone.

use std::time::{Duration, Instant};

use crate::support::{City, LIMIT, Metrics, Pool, Role};
use crate::{lines_starting, total};
use spotcheck_core::job::{Job, Task};
use spotcheck_core::outcome::{JobResult, Outcome, Verdict};
use spotcheck_core::ports::{Lane, Queue};
use spotcheck_core::round::RoundId;
use url::Url;

/// A JSON object of 4 MiB that is neither a job nor a result.
fn huge() -> Vec<u8> {
    format!(
        "{{\"v\":1,\"round\":\"2020Q4-huge\",\"pad\":\"{}\"}}",
        "x".repeat(4 << 20)
    )
    .into_bytes()
}

/// `message` of a JSON value with the `kind` tag at `pointer` renamed to one no build knows.
fn unknown_kind(message: Vec<u8>, pointer: &str) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&message).unwrap();
    *v.pointer_mut(pointer).unwrap() = "teleport".into();
    serde_json::to_vec(&v).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_in_front_of_a_round_are_set_aside_and_the_round_completes() {
    let city = City::start().await;
    let reference = city.embedded_report();
    let pool = Pool::new("poison-msgs").await;
    let round = city.round();
    let other = RoundId("2020Q4-nosuchround".into());
    let menu = |r: &RoundId, account: &str| {
        Job::new(
            r,
            Task::Menu {
                account: account.into(),
            },
        )
    };
    let link = Job::new(
        &round.id,
        Task::Link {
            url: Url::parse("http://127.0.0.1:9/").unwrap(),
        },
    );
    let result = |job: &Job| JobResult::new(job.clone(), Outcome::Link(Verdict::ok(200))).encode();

    // Unreadable to a worker (3), of a round no store has (1), of targets the round's registry
    // does not have (2).
    let jobs: Vec<Vec<u8>> = vec![
        b"{not json".to_vec(),
        unknown_kind(link.encode(), "/task/kind"),
        huge(),
        menu(&other, "x").encode(),
        Job::new(
            &round.id,
            Task::Visit {
                site: "no-such-site".into(),
                n: 0,
            },
        )
        .encode(),
        menu(&round.id, "no-such-account").encode(),
    ];
    // Unreadable to the collector (3) and of a round no store has (1).
    let results: Vec<Vec<u8>> = vec![
        b"\x00\xff binary".to_vec(),
        unknown_kind(result(&link), "/outcome/kind"),
        huge(),
        result(&menu(&other, "x")),
    ];
    for body in jobs {
        pool.queue
            .publish(Lane::Jobs, body, Duration::ZERO)
            .await
            .unwrap();
    }
    for body in results {
        pool.queue
            .publish(Lane::Results, body, Duration::ZERO)
            .await
            .unwrap();
    }
    // The round's jobs queue up behind them; then the pool starts.
    spotcheck_scheduler::start_round(&pool.store, &pool.queue, &round)
        .await
        .unwrap();
    let mut collector = pool.spawn(&city, "collector", &["collector"], "warn", true);
    let mut workers: Vec<Role> = (0..2)
        .map(|i| pool.spawn(&city, &format!("worker{i}"), &["worker"], "warn", true))
        .collect();

    let p = pool.assert_completes_as(&city, &round.id, &reference).await;
    assert_eq!(p.dead, 0, "a forged job counted in the round: {p:?}");

    // Every poison message is accounted for, once, by the role that met it.
    let start = Instant::now();
    loop {
        let w: Vec<Metrics> = workers.iter().map(Role::scrape).collect();
        let c = collector.scrape();
        let failed = |reason| {
            total(
                &w,
                "spotcheck_worker_jobs_failed_total",
                &[("reason", reason)],
            )
        };
        let unreadable = |lane| c.sum("spotcheck_collector_unreadable_total", &[("lane", lane)]);
        let seen = (
            failed("unreadable"),
            failed("unknown_round"),
            failed("unknown_target"),
            unreadable("results"),
            unreadable("dead"),
        );
        // The dead lane gets the 3 unreadable jobs, the job of the unknown round, and the 4
        // results the collector could not use; all 8 are dropped there.
        if seen == (3.0, 1.0, 2.0, 4.0, 8.0) {
            break;
        }
        assert!(
            start.elapsed() < LIMIT,
            "(unreadable, unknown round, unknown target) jobs and (results, dead) messages \
             the collector could not read: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all: Vec<&Role> = workers.iter().chain([&collector]).collect();
    assert_eq!(
        lines_starting(&all, "unreadable job sent to the dead lane"),
        3
    );
    assert_eq!(lines_starting(&all, "the round has no "), 2);
    assert_eq!(
        lines_starting(&all, "unreadable result sent to the dead lane"),
        4
    );
    assert_eq!(lines_starting(&all, "unreadable dead letter dropped"), 8);

    // Nothing left to loop on, and no process went down on the way.
    for lane in [Lane::Jobs, Lane::Results, Lane::Dead] {
        assert_eq!(pool.queue.depth(lane).await.unwrap(), 0, "{lane:?}");
    }
    for role in workers.iter_mut().chain([&mut collector]) {
        assert!(
            role.child.try_wait().unwrap().is_none(),
            "{} exited; log:\n{}",
            role.name,
            role.log_text()
        );
    }
    pool.finish().await;
}
