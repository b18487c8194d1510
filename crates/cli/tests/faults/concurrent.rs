//! Many rounds at once: twelve rounds of one city started together on one pool (a collector,
//! three workers) and two more in a second namespace with its own collector and worker, all
//! against one simulator. Each report is the report of the same round run alone, and every
//! host's request log keeps the plan's rate across all fourteen rounds and both namespaces:
//! a site's limit is the site's, not a deployment's.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use spotcheck_core::round::RoundId;
use spotcheck_sim::RequestRecord;

use crate::support::{City, Pool, Role, busiest_second, printed_round};

/// Rounds started at once in the first namespace, and in the second.
const ROUNDS: usize = 12;
const OTHER_ROUNDS: usize = 2;
/// The plan's per-host rate for this test: low enough that fourteen rounds at once would go
/// far over it without the pool-wide gate, and that the one request of slack the check allows
/// absorbs requests arriving up to a tenth of a second late against each other (a request
/// every 100 ms); high enough that the busiest host's hundred-odd requests a round, fourteen
/// times, take under three minutes.
const RATE: usize = 10;
/// How long the fourteen rounds may take together.
const ALL_ROUNDS_LIMIT: Duration = Duration::from_secs(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fourteen_rounds_at_once_keep_their_reports_and_every_hosts_limit() {
    let city = City::fixture_with("small-city.toml", |s| {
        let politeness = s
            .plan
            .get_mut("politeness")
            .unwrap()
            .as_table_mut()
            .unwrap();
        politeness.insert("per_host_rate".into(), format!("{RATE}/s").into());
        // The slow site keeps a round running long enough to interrupt; here fourteen rounds
        // at once are long enough.
        for site in &mut s.sites {
            site.delay = None;
        }
    })
    .await;
    let reference = city.embedded_report();
    let alone = city.sim.requests().len();

    let main = Pool::new("crowd").await;
    let mut other = Pool::new("crowdother").await;
    // The second deployment keeps the gate namespace every deployment on one Redis shares by
    // default; the test pools each have their own, so it is named here.
    other.env.push((
        "SPOTCHECK_GATE_NAMESPACE".into(),
        main.ns.as_str().to_string(),
    ));
    let spawn = |pool: &Pool, name: &str, role: &str| -> Role {
        pool.spawn(&city, name, &[role, "--threads", "1"], "warn", false)
    };
    let mut roles = vec![
        spawn(&main, "collector", "collector"),
        spawn(&other, "other-collector", "collector"),
    ];

    // Every `round start` runs at once; then each prints its round's id. The workers come
    // once all fourteen rounds wait in the queues: fourteen processes starting at once keep
    // both cores busy for seconds, and a request that leaves a worker on time may then reach
    // the simulator a third of a second late, beside the next one — the machine's own
    // queueing, not the gate's (whose answers read late are `politeness/tests/redis.rs`).
    let starts: Vec<_> = std::iter::repeat_n(&main, ROUNDS)
        .chain(std::iter::repeat_n(&other, OTHER_ROUNDS))
        .map(|pool| {
            let child = pool
                .round_start(&city)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (pool, child)
        })
        .collect();
    let ids: Vec<(&Pool, RoundId)> = starts
        .into_iter()
        .map(|(pool, child)| (pool, printed_round(child.wait_with_output().unwrap())))
        .collect();
    roles.extend([
        spawn(&main, "worker0", "worker"),
        spawn(&main, "worker1", "worker"),
        spawn(&main, "worker2", "worker"),
        spawn(&other, "other-worker", "worker"),
    ]);
    let mut distinct: Vec<&str> = ids.iter().map(|(_, id)| id.0.as_str()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ROUNDS + OTHER_ROUNDS, "one id per round");

    for (pool, id) in &ids {
        pool.wait_for(id, ALL_ROUNDS_LIMIT, "completion", |p| p.complete)
            .await;
        let p = pool.assert_completes_as(&city, id, &reference).await;
        assert_eq!(p.dead, 0, "{id:?}: {p:?}");
    }

    let requests = city.sim.requests();
    let (alone, together) = requests.split_at(alone);
    let count = |log: &[RequestRecord], host: &str| log.iter().filter(|r| r.host == host).count();
    let mut by_host: BTreeMap<&str, Vec<Instant>> = BTreeMap::new();
    for r in together {
        by_host.entry(&r.host).or_default().push(r.at);
    }
    let (busiest, _) = by_host.iter().max_by_key(|(_, t)| t.len()).unwrap();
    assert!(
        count(together, busiest) >= (ROUNDS + OTHER_ROUNDS) * count(alone, busiest),
        "{busiest} served {} requests to the rounds, {} to one alone: not every round is in the log",
        count(together, busiest),
        count(alone, busiest)
    );
    for (host, times) in &by_host {
        let worst = busiest_second(times);
        eprintln!(
            "{host}: {} requests, {worst} in the busiest second",
            times.len()
        );
        assert!(
            worst <= RATE + 1,
            "{host}: {worst} requests within one second over {} rounds (limit {RATE}/s); \
             the busiest second, ms after its first request: {:?}",
            ROUNDS + OTHER_ROUNDS,
            busiest_offsets(times)
        );
    }
    main.finish().await;
    other.finish().await;
}

/// The arrival times in the busiest second, in milliseconds after its first request: shows
/// whether a window went over by a burst or by requests arriving late.
fn busiest_offsets(times: &[Instant]) -> Vec<u128> {
    let worst = busiest_second(times);
    let start = (0..times.len())
        .find(|&i| {
            times[i..]
                .iter()
                .take_while(|u| u.duration_since(times[i]) < Duration::from_secs(1))
                .count()
                == worst
        })
        .unwrap_or(0);
    times[start..start + worst]
        .iter()
        .map(|t| t.duration_since(times[start]).as_millis())
        .collect()
}
