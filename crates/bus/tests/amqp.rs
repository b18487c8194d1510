//! What only the RabbitMQ queue does, against a real broker (`SPOTCHECK_TEST_AMQP_URL`, default
//! the local one): back-pressure, closing, delay buckets, purging, and riding out a broker that
//! goes away. The port's promises, which the memory queue keeps too, are in `contract.rs`.
//! Every test works in its own namespace and deletes it afterwards; without a broker the tests
//! fail, saying so.

mod common;

use std::time::{Duration, Instant};

use common::*;
use spotcheck_bus::AmqpOptions;
use spotcheck_bus::amqp::CLOSE_TIMEOUT;
use spotcheck_core::ports::{Lane, PortError, Queue};

#[tokio::test]
async fn purging_empties_the_lanes_and_the_wait_queues() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        for (lane, n) in [(Lane::Jobs, 3u8), (Lane::Results, 2)] {
            for i in 0..n {
                q.publish(lane, vec![i], Duration::ZERO).await.unwrap();
            }
        }
        q.publish(Lane::Jobs, b"later".to_vec(), Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(q.purge_namespace().await.unwrap(), 6, "the delayed one too");
        assert_eq!(q.depth(Lane::Jobs).await.unwrap(), 0);
        assert_eq!(q.depth(Lane::Results).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_nack_is_an_error() {
    let opts = AmqpOptions {
        max_queued: Some(1),
        ..AmqpOptions::default()
    };
    in_namespace(opts, |q, _| async move {
        q.publish(Lane::Jobs, b"1".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut refused = None;
        for _ in 0..10 {
            if let Err(e) = q
                .publish(Lane::Jobs, b"more".to_vec(), Duration::ZERO)
                .await
            {
                refused = Some(e);
                break;
            }
        }
        match refused {
            Some(PortError::Unavailable(why)) => assert!(why.contains("nack"), "{why}"),
            other => panic!("a full queue must refuse publishes, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn an_unsettled_delivery_returns_when_its_channel_closes() {
    in_namespace(AmqpOptions::default(), |q, ns| async move {
        q.publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.redeliveries, 0);
        // The worker "dies": its connection closes with the delivery unsettled.
        q.close().await;
        assert!(c.next().await.is_none(), "consumers end on close");
        assert!(
            matches!(d.acker.ack().await, Err(PortError::Unavailable(_))),
            "acking on a closed channel fails"
        );
        assert!(matches!(
            q.publish(Lane::Jobs, b"x".to_vec(), Duration::ZERO).await,
            Err(PortError::Unavailable(_))
        ));
        let other = connect(&amqp_url(), &ns, AmqpOptions::default()).await;
        let mut c = other.consume(Lane::Jobs, 1).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.body, b"a");
        assert_eq!(d.redeliveries, 1);
        d.acker.ack().await.unwrap();
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn messages_in_one_delay_bucket_each_wait_their_full_delay_in_order() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        let start = Instant::now();
        q.publish(Lane::Results, b"1".to_vec(), Duration::from_millis(300))
            .await
            .unwrap();
        q.publish(Lane::Results, b"2".to_vec(), Duration::from_millis(300))
            .await
            .unwrap();
        let mut r = q.consume(Lane::Results, 10).await.unwrap();
        for body in [b"1", b"2"] {
            let d = next(&mut r).await;
            assert_eq!(d.body, body);
            assert!(start.elapsed() >= Duration::from_millis(300));
            d.acker.ack().await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn consumers_and_publishes_survive_a_lost_connection() {
    let (proxy, url) = broker_proxy().await;
    let ns = namespace();
    let q = connect(&url, &ns, AmqpOptions::default()).await;
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(async {
        let mut c = q.consume(Lane::Jobs, 10).await.unwrap();
        q.publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.redeliveries, 0);

        // The broker goes away for a while.
        proxy.refuse(true);
        proxy.cut();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            matches!(d.acker.ack().await, Err(PortError::Unavailable(_))),
            "a delivery from a dead connection cannot be acked"
        );
        let publisher = {
            let q = q.clone();
            tokio::spawn(async move { q.publish(Lane::Jobs, b"b".to_vec(), Duration::ZERO).await })
        };
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!publisher.is_finished(), "publish waits for the broker");
        proxy.refuse(false);
        publisher
            .await
            .unwrap()
            .expect("publish succeeds after reconnecting");

        // The consumer resubscribed; the unacked message came back.
        let mut got = Vec::new();
        for _ in 0..2 {
            let d = next_within(&mut c, 20).await;
            got.push((d.body.clone(), d.redeliveries));
            d.acker.ack().await.unwrap();
        }
        got.sort();
        assert_eq!(got, vec![(b"a".to_vec(), 1), (b"b".to_vec(), 0)]);
    }))
    .await;
    q.close().await;
    let cleaner = connect(&amqp_url(), &ns, AmqpOptions::default()).await;
    cleaner.delete_namespace().await.unwrap();
    cleaner.close().await;
    if let Err(p) = outcome {
        std::panic::resume_unwind(p);
    }
}

#[tokio::test]
async fn closing_gives_up_on_a_broker_that_does_not_answer() {
    let (proxy, url) = broker_proxy().await;
    let ns = namespace();
    let q = connect(&url, &ns, AmqpOptions::default()).await;
    let consumer = q.consume(Lane::Jobs, 10).await.unwrap();
    q.publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
        .await
        .unwrap();
    // The broker's answers stop coming, the connection stays open: a worker shutting down
    // must still get to exit.
    proxy.black_hole(true);
    let t = Instant::now();
    let closed = tokio::time::timeout(CLOSE_TIMEOUT * 4, q.close()).await;
    let took = t.elapsed();
    drop(consumer);
    drop(proxy);
    let cleaner = connect(&amqp_url(), &ns, AmqpOptions::default()).await;
    cleaner.delete_namespace().await.unwrap();
    cleaner.close().await;
    assert!(closed.is_ok(), "close still waiting after {took:?}");
    assert!(
        took < CLOSE_TIMEOUT + Duration::from_secs(2),
        "close took {took:?}"
    );
}

/// A network path that fails without a reset is noticed by both ends within the heartbeat:
/// the broker returns the delivery the silent consumer held to its queue (with RabbitMQ's own
/// 60-s heartbeat it would hold it for two minutes), and once the path carries bytes again
/// the consumer is back, on a fresh connection, and gets it.
#[tokio::test]
async fn a_black_hole_is_noticed_within_the_heartbeat() {
    let (proxy, url) = broker_proxy().await;
    let ns = namespace();
    let opts = AmqpOptions {
        heartbeat: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(2),
        ..AmqpOptions::default()
    };
    let q = connect(&url, &ns, opts).await;
    let direct = connect(&amqp_url(), &ns, AmqpOptions::default()).await;
    let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
    proxy.black_hole(true);
    direct
        .publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
        .await
        .unwrap();
    let depth_becomes = |n: u32| {
        let direct = direct.clone();
        async move {
            let start = Instant::now();
            while direct.depth(Lane::Jobs).await.unwrap() != n {
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "the jobs queue never held {n} ready"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    // Delivered into the hole, then returned when the broker hears nothing for too long.
    depth_becomes(0).await;
    depth_becomes(1).await;
    proxy.black_hole(false);
    let d = next_within(&mut c, 20).await;
    assert_eq!((d.body.as_slice(), d.redeliveries), (&b"a"[..], 1));
    d.acker.ack().await.unwrap();
    drop(c);
    q.close().await;
    direct.delete_namespace().await.unwrap();
    direct.close().await;
}

#[tokio::test]
async fn publish_gives_up_at_its_deadline() {
    let (proxy, url) = broker_proxy().await;
    let ns = namespace();
    let opts = AmqpOptions {
        publish_timeout: Duration::from_millis(800),
        ..AmqpOptions::default()
    };
    let q = connect(&url, &ns, opts).await;
    proxy.refuse(true);
    proxy.cut();
    let start = Instant::now();
    let r = q.publish(Lane::Jobs, b"x".to_vec(), Duration::ZERO).await;
    assert!(matches!(r, Err(PortError::Unavailable(_))), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
    q.close().await;
    let cleaner = connect(&amqp_url(), &ns, AmqpOptions::default()).await;
    cleaner.delete_namespace().await.unwrap();
    cleaner.close().await;
}

#[tokio::test]
async fn an_unreachable_broker_is_reported_at_once() {
    let r = spotcheck_bus::AmqpQueue::connect(
        "amqp://guest:guest@127.0.0.1:1/%2f",
        &namespace(),
        AmqpOptions::default(),
    )
    .await;
    assert!(matches!(r, Err(PortError::Unavailable(_))));
}
