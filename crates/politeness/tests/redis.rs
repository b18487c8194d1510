//! The pool-wide host gate on a real Redis: two gates on two connections stand for two worker
//! processes, and the plan's per-host limits must hold across them. Needs a Redis
//! (`SPOTCHECK_TEST_REDIS_URL`, default the local one); without one the tests fail, saying so.

// The gate keeps its state in the store's Redis: the store's test helpers (a reachable Redis,
// a fresh namespace per test, a round) are the ones these tests need.
#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use spotcheck_core::Namespace;
use spotcheck_core::ports::{GateFactory, HostGate};
use spotcheck_politeness::{GateLimits, RedisGate, RedisGates};
use spotcheck_store::{RedisOptions, RedisStore};

fn limits(rate: &str, concurrency: u32) -> GateLimits {
    GateLimits {
        rate: rate.parse().unwrap(),
        concurrency,
        lease_ttl: Duration::from_secs(30),
        holder_ttl: Duration::from_secs(10),
    }
}

/// A second "worker": its own connection to the same namespace.
async fn second(ns: &Namespace) -> RedisStore {
    connect(&redis_url(), ns, RedisOptions::default()).await
}

async fn leases(store_ns: &Namespace, host: &str) -> i64 {
    let mut c = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("a raw Redis connection");
    redis::cmd("ZCARD")
        .arg(format!("{store_ns}:host:{host}:leases"))
        .query_async(&mut c)
        .await
        .unwrap()
}

/// Waits until every lease of `host` is back in Redis, or fails after 5 s.
async fn all_returned(ns: &Namespace, host: &str) {
    eventually(Duration::from_secs(5), "leases returned", || async {
        leases(ns, host).await == 0
    })
    .await;
}

/// Waits until `f` holds, or fails after `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !f().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn two_workers_share_one_rate() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let gates = [
            Arc::new(RedisGate::new(&store, limits("5/s", 100))),
            Arc::new(RedisGate::new(&other, limits("5/s", 100))),
        ];
        let start = Instant::now();
        let run_for = Duration::from_secs(3);
        let mut tasks = Vec::new();
        // Four eager tasks per worker, each asking again as soon as it got through.
        for gate in &gates {
            for _ in 0..4 {
                let gate = gate.clone();
                tasks.push(tokio::spawn(async move {
                    let mut times = Vec::new();
                    while start.elapsed() < run_for {
                        let permit = gate.enter("a.gov.cn", None).await;
                        times.push(start.elapsed());
                        drop(permit);
                    }
                    times
                }));
            }
        }
        let mut times = Vec::new();
        for t in tasks {
            times.extend(t.await.unwrap());
        }
        times.sort();
        let busiest = busiest(&times, Duration::from_secs(1));
        assert!(
            busiest <= 6,
            "{busiest} requests within one second at 5/s across two workers: {times:?}"
        );
        // And the limit is a rate, not a stall: about 5/s for the 3 s.
        assert!(
            times.len() >= 13,
            "only {} requests in 3 s at 5/s",
            times.len()
        );
        // Another host has its own bucket.
        let t = Instant::now();
        drop(gates[1].enter("b.gov.cn", None).await);
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "b.gov.cn waited {:?}",
            t.elapsed()
        );
    })
    .await;
}

#[tokio::test]
async fn concurrency_cap_holds_across_workers() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let gates = [
            Arc::new(RedisGate::new(&store, limits("1000/s", 2))),
            Arc::new(RedisGate::new(&other, limits("1000/s", 2))),
        ];
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..16 {
            let gate = gates[i % 2].clone();
            let (in_flight, most) = (in_flight.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let permit = gate.enter("a.gov.cn", None).await;
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // The request's work: long enough for the others to pile up behind it.
                tokio::time::sleep(Duration::from_millis(40)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
            }));
        }
        let all = async {
            for t in tasks {
                t.await.unwrap();
            }
        };
        tokio::time::timeout(Duration::from_secs(20), all)
            .await
            .expect("every request got through");
        assert_eq!(most.load(Ordering::SeqCst), 2, "pool-wide concurrency 2");
        // Every lease was returned.
        all_returned(&ns, "a.gov.cn").await;
    })
    .await;
}

/// Requests through two gates (two workers) with at most `limit` in flight between them:
/// `tasks` eager tasks per gate, each holding its permit for `work`, until `run_for` is over.
/// Returns the most in flight at once and when each request went, sorted.
async fn busy(
    gates: &[Arc<RedisGate>],
    tasks: usize,
    work: Duration,
    run_for: Duration,
) -> (usize, Vec<Duration>) {
    let start = Instant::now();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut running = Vec::new();
    for gate in gates {
        for _ in 0..tasks {
            let gate = gate.clone();
            let (in_flight, most) = (in_flight.clone(), most.clone());
            running.push(tokio::spawn(async move {
                let mut times = Vec::new();
                while start.elapsed() < run_for {
                    let permit = gate.enter("a.gov.cn", None).await;
                    times.push(start.elapsed());
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(work).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    drop(permit);
                }
                times
            }));
        }
    }
    let mut times = Vec::new();
    for t in running {
        times.extend(t.await.unwrap());
    }
    times.sort();
    (most.load(Ordering::SeqCst), times)
}

/// The most requests that went within any `window`.
fn busiest(times: &[Duration], window: Duration) -> usize {
    times
        .iter()
        .map(|t| {
            times
                .iter()
                .filter(|u| **u >= *t && **u < *t + window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_busy_worker_asks_once_for_many_requests() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let gate = Arc::new(RedisGate::new(&store, limits("1000000/s", 16)));
        let (most, times) = busy(
            std::slice::from_ref(&gate),
            32,
            Duration::from_millis(2),
            Duration::from_secs(1),
        )
        .await;
        assert!(most <= 16, "{most} in flight at a concurrency of 16");
        let (requests, asks) = (times.len() as u64, gate.asks());
        assert!(requests >= 200, "only {requests} requests in 1 s");
        // Waiting requests share an ask, leases go from one request to the next, and cells
        // are prepaid: far fewer asks than requests (one per request before).
        assert!(
            asks * 4 <= requests,
            "{asks} asks to Redis for {requests} requests"
        );
        all_returned(&ns, "a.gov.cn").await;
    })
    .await;
}

#[tokio::test]
async fn a_few_quick_requests_at_a_fast_rate_prepay_what_they_take() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let gate = Arc::new(RedisGate::new(&store, limits("1000000/s", 64)));
        // Four in flight, each a millisecond or two: the rate would allow 10,000 in a prepaid
        // span of 10 ms (64 at most in one ask), and the queue takes a dozen or more.
        let (most, times) = busy(
            std::slice::from_ref(&gate),
            4,
            Duration::from_millis(1),
            Duration::from_secs(1),
        )
        .await;
        assert!(most <= 4);
        let (requests, asks) = (times.len() as u64, gate.asks());
        assert!(requests >= 800, "only {requests} requests in 1 s");
        // Prepaying one cell per lease in use asked once per four requests (200 or more);
        // prepaying what the queue took over the last span asks about once per span, 100
        // times in the second however fast the requests go.
        assert!(asks <= 140, "{asks} asks to Redis for {requests} requests");
        all_returned(&ns, "a.gov.cn").await;
    })
    .await;
}

#[tokio::test]
async fn one_call_carries_the_asks_of_many_hosts() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let gate = Arc::new(RedisGate::new(&store, limits("1000000/s", 4)));
        let hosts: Vec<String> = (0..8).map(|i| format!("h{i}.gov.cn")).collect();
        // One request to each of eight hosts at the same moment: eight lines ask together.
        let tasks: Vec<_> = hosts
            .iter()
            .map(|host| {
                let (gate, host) = (gate.clone(), host.clone());
                tokio::spawn(async move {
                    let permit = gate.enter(&host, None).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    drop(permit);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        // One call per host before: eight.
        let asks = gate.asks();
        assert!(
            asks <= 2,
            "{asks} calls to Redis for 8 hosts asking at once"
        );
        for host in &hosts {
            all_returned(&ns, host).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_lease_handed_on_is_returned_before_it_expires() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        // Leases live 1.5 s: a worker that kept handing its lease on would run requests on
        // an expired lease, and the other worker would take the slot beside it.
        let short = GateLimits {
            lease_ttl: Duration::from_millis(1500),
            ..limits("1000000/s", 1)
        };
        let gates = [
            Arc::new(RedisGate::new(&store, short)),
            Arc::new(RedisGate::new(&other, short)),
        ];
        let (most, times) = busy(
            &gates,
            2,
            Duration::from_millis(20),
            Duration::from_millis(3500),
        )
        .await;
        assert_eq!(most, 1, "pool-wide concurrency 1");
        assert!(times.len() >= 40, "only {} requests in 3.5 s", times.len());
    })
    .await;
}

#[tokio::test]
async fn a_fast_rate_granted_ahead_keeps_its_pace() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        // 200/s: a cell every 5 ms, two prepaid at a time for the leases in use.
        let gates = [
            Arc::new(RedisGate::new(&store, limits("200/s", 100))),
            Arc::new(RedisGate::new(&other, limits("200/s", 100))),
        ];
        let (_, times) = busy(&gates, 8, Duration::from_millis(3), Duration::from_secs(2)).await;
        // 100 per half second, and at most a prepaid cell or two late.
        let most = busiest(&times, Duration::from_millis(500));
        assert!(most <= 103, "{most} requests within 500 ms at 200/s");
        assert!(
            times.len() >= 200,
            "only {} requests in 2 s at 200/s",
            times.len()
        );
    })
    .await;
}

#[tokio::test]
async fn back_off_on_one_worker_pauses_the_other() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let a = RedisGate::new(&store, limits("100/s", 4));
        let b = RedisGate::new(&other, limits("100/s", 4));
        drop(b.enter("a.gov.cn", None).await);
        a.back_off("a.gov.cn", Duration::from_millis(600)).await;
        let t = Instant::now();
        drop(b.enter("a.gov.cn", None).await);
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(500),
            "b went on after {waited:?}"
        );
        assert!(waited < Duration::from_secs(3), "b waited {waited:?}");
        // A shorter back-off does not cut a longer pause short.
        a.back_off("a.gov.cn", Duration::from_millis(800)).await;
        a.back_off("a.gov.cn", Duration::from_millis(10)).await;
        let t = Instant::now();
        drop(b.enter("a.gov.cn", None).await);
        assert!(
            t.elapsed() >= Duration::from_millis(700),
            "{:?}",
            t.elapsed()
        );
        // Other hosts are not paused.
        a.back_off("a.gov.cn", Duration::from_secs(5)).await;
        let t = Instant::now();
        drop(b.enter("b.gov.cn", None).await);
        assert!(t.elapsed() < Duration::from_millis(200));
    })
    .await;
}

#[tokio::test]
async fn a_paused_host_does_not_hold_back_another_asking_in_the_same_call() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let a = RedisGate::new(&store, limits("100/s", 4));
        let b = Arc::new(RedisGate::new(&other, limits("100/s", 4)));
        a.back_off("a.gov.cn", Duration::from_millis(800)).await;
        let t = Instant::now();
        // Both lines of `b` ask at once, so their asks share a call.
        let enter = |host: &'static str| {
            let b = b.clone();
            tokio::spawn(async move {
                drop(b.enter(host, None).await);
                t.elapsed()
            })
        };
        let (paused, free) = (enter("a.gov.cn"), enter("b.gov.cn"));
        let (paused, free) = (paused.await.unwrap(), free.await.unwrap());
        assert!(
            free < Duration::from_millis(300),
            "b.gov.cn went after {free:?}"
        );
        assert!(
            paused >= Duration::from_millis(700),
            "a.gov.cn went after {paused:?}, inside its pause"
        );
        assert!(
            b.asks() >= 2,
            "the paused host was asked again after its pause"
        );
    })
    .await;
}

#[tokio::test]
async fn a_crashed_workers_lease_expires() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let short = GateLimits {
            lease_ttl: Duration::from_millis(400),
            ..limits("1000/s", 1)
        };
        let crashed = RedisGate::new(&store, short);
        let survivor = RedisGate::new(&other, short);
        // The crashed worker never returns its lease.
        std::mem::forget(crashed.enter("a.gov.cn", None).await);
        assert_eq!(leases(&ns, "a.gov.cn").await, 1);
        let t = Instant::now();
        let permit = tokio::time::timeout(Duration::from_secs(5), survivor.enter("a.gov.cn", None))
            .await
            .expect("the slot freed itself");
        assert!(
            t.elapsed() >= Duration::from_millis(300),
            "{:?}",
            t.elapsed()
        );
        drop(permit);
        all_returned(&ns, "a.gov.cn").await;
    })
    .await;
}

#[tokio::test]
async fn a_killed_workers_leases_free_when_its_beat_stops_not_when_they_expire() {
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let other = second(&ns).await;
        let quick = GateLimits {
            holder_ttl: Duration::from_millis(300),
            ..limits("1000/s", 2)
        };
        let killed = RedisGate::new(&store, quick);
        let survivor = RedisGate::new(&other, quick);
        // The killed worker had both slots, and will never return them.
        std::mem::forget(killed.enter("a.gov.cn", None).await);
        std::mem::forget(killed.enter("a.gov.cn", None).await);
        assert_eq!(leases(&ns, "a.gov.cn").await, 2);
        // While it still beats, its slots are its own.
        let early =
            tokio::time::timeout(Duration::from_millis(800), survivor.enter("a.gov.cn", None));
        assert!(early.await.is_err(), "a live worker's lease was taken");
        // Killed: no more beats. Both slots free within the holder key's life, not the
        // leases' 30 s.
        drop(killed);
        let t = Instant::now();
        let a = tokio::time::timeout(Duration::from_secs(5), survivor.enter("a.gov.cn", None))
            .await
            .expect("the killed worker's slot freed within seconds");
        let b = tokio::time::timeout(Duration::from_secs(5), survivor.enter("a.gov.cn", None))
            .await
            .expect("and its second slot");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        assert_eq!(leases(&ns, "a.gov.cn").await, 2);
        // The survivor's own slots are not freed under it: its beat goes on.
        let third =
            tokio::time::timeout(Duration::from_millis(800), survivor.enter("a.gov.cn", None));
        assert!(third.await.is_err(), "the concurrency limit no longer held");
        drop((a, b));
    })
    .await;
}

#[tokio::test]
async fn gates_follow_the_rounds_plan() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let gates = RedisGates::new(&store, store.namespace().clone());
        let mut r = round("2020Q4-gates");
        r.plan.politeness.per_host_rate = "4/s".parse().unwrap();
        let g1 = gates.gate(&r);
        let g2 = gates.gate(&r);
        assert!(
            Arc::ptr_eq(&g1, &g2),
            "rounds with the same limits share a gate"
        );
        let t = Instant::now();
        for _ in 0..3 {
            drop(g1.enter("a.gov.cn", None).await);
        }
        // 3 requests at 4/s: the 2nd and 3rd wait 250 ms each.
        assert!(
            t.elapsed() >= Duration::from_millis(450),
            "{:?}",
            t.elapsed()
        );
        r.plan.politeness.per_host_rate = "8/s".parse().unwrap();
        assert!(!Arc::ptr_eq(&g1, &gates.gate(&r)));
    })
    .await;
}

/// A Redis that cannot be reached holds the gate's requests: the pool's limits cannot be
/// read, and this process's own would let every worker of the pool send the plan's rate.
/// Once Redis is back the request goes. (A silent Redis, whose calls time out rather than
/// fail, is `cli/tests/faults/black_holes.rs`.)
#[tokio::test]
async fn without_redis_the_gate_waits_until_it_is_back() {
    let (proxy, proxied) = redis_behind_proxy().await;
    let ns = namespace();
    let store = connect(&proxied, &ns, RedisOptions::default()).await;
    let gate = Arc::new(RedisGate::new(&store, limits("10/s", 4)));
    drop(gate.enter("a.gov.cn", None).await);
    // A lease given back as the connection drops may stay taken until it expires: more
    // slots than one keep that wait out of this test.
    proxy.refuse(true);
    proxy.cut();
    let waiting = tokio::spawn({
        let gate = gate.clone();
        async move { drop(gate.enter("a.gov.cn", None).await) }
    });
    // Every call fails at once: many asks later, still waiting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !waiting.is_finished(),
        "a request went without the pool's limits"
    );
    proxy.refuse(false);
    tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the request still waits with Redis back")
        .unwrap();
    connect(&redis_url(), &ns, RedisOptions::default())
        .await
        .delete_namespace()
        .await
        .unwrap();
}

/// A worker whose answers from Redis wait (a busy process reads them late: CI saw 250 ms while
/// a worker started) spends no cell late. Two workers at 10/s, one of them behind a proxy that
/// holds Redis's answers for 300 ms at a time (every 450 ms): a cell granted at the start of a hold reaches
/// its worker when the other worker is already sending the cells after it, and going then
/// would put two requests side by side at the host. Requests stay half an interval apart
/// (less a little timer slack), no second holds more than the rate and one, and the pool
/// keeps going.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_read_late_spend_no_cell_late() {
    let (proxy, proxied) = redis_behind_proxy().await;
    in_namespace(RedisOptions::default(), |store, ns| async move {
        let late = connect(&proxied, &ns, RedisOptions::default()).await;
        let gates = [
            Arc::new(RedisGate::new(&store, limits("10/s", 100))),
            Arc::new(RedisGate::new(&late, limits("10/s", 100))),
        ];
        // A dozen holds: about half of them catch a grant, and each of those would have put
        // its request within 40 ms of another less than half the time.
        let run_for = Duration::from_secs(6);
        let start = Instant::now();
        let holds = tokio::spawn({
            let proxy = Arc::new(proxy);
            async move {
                while start.elapsed() < run_for {
                    proxy.hold_answers(true);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    proxy.hold_answers(false);
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                proxy
            }
        });
        let (_, times) = busy(&gates, 2, Duration::ZERO, run_for).await;
        drop(holds.await.unwrap());
        let closest = times.windows(2).map(|w| w[1] - w[0]).min().unwrap();
        assert!(
            closest >= Duration::from_millis(40),
            "two requests {closest:?} apart at 10/s: {times:?}"
        );
        let most = busiest(&times, Duration::from_secs(1));
        assert!(most <= 11, "{most} requests within one second at 10/s");
        assert!(times.len() >= 30, "only {} requests in 6 s", times.len());
    })
    .await;
}
