//! The RabbitMQ queue against a real broker (`SPOTCHECK_TEST_AMQP_URL`, default the local
//! one). Every test works in its own namespace and deletes it afterwards; without a broker the
//! tests fail, saying so.

mod common;

use std::time::{Duration, Instant};

use common::*;
use spotcheck_bus::AmqpOptions;
use spotcheck_bus::amqp::CLOSE_TIMEOUT;
use spotcheck_core::ports::{Lane, PortError, Queue};

fn limit(n: u32) -> AmqpOptions {
    AmqpOptions {
        delivery_limit: n,
        ..AmqpOptions::default()
    }
}

#[tokio::test]
async fn publish_consume_ack() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        for i in 0..3u8 {
            q.publish(Lane::Jobs, vec![i], Duration::ZERO)
                .await
                .unwrap();
        }
        q.publish(Lane::Results, b"r".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 10).await.unwrap();
        for i in 0..3u8 {
            let d = next(&mut c).await;
            assert_eq!(d.body, vec![i], "messages come in order");
            assert_eq!(d.redeliveries, 0);
            d.acker.ack().await.unwrap();
        }
        nothing_for(&mut c, 200).await;
        let mut r = q.consume(Lane::Results, 1).await.unwrap();
        let d = next(&mut r).await;
        assert_eq!(d.body, b"r");
        d.acker.ack().await.unwrap();
        assert_eq!(q.depth(Lane::Jobs).await.unwrap(), 0);
        assert_eq!(q.depth(Lane::Results).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn confirmed_publishes_are_on_the_broker_when_publish_returns() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        for i in 0..20u8 {
            q.publish(Lane::Jobs, vec![i], Duration::ZERO)
                .await
                .unwrap();
            // No waiting: the confirm means the queue holds it.
            assert_eq!(q.depth(Lane::Jobs).await.unwrap(), u32::from(i) + 1);
        }
        assert_eq!(q.purge_namespace().await.unwrap(), 20);
        assert_eq!(q.depth(Lane::Jobs).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn concurrent_publishes_are_each_confirmed() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
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
        let mut c = q.consume(Lane::Jobs, 64).await.unwrap();
        let mut got = Vec::new();
        for _ in 0..64 {
            let d = next(&mut c).await;
            got.push(d.body[0]);
            d.acker.ack().await.unwrap();
        }
        got.sort();
        assert_eq!(got, (0..64).collect::<Vec<u8>>());
        nothing_for(&mut c, 200).await;
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
async fn a_dropped_delivery_comes_back_at_once() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        q.publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        let d = next(&mut c).await;
        drop(d);
        let d = next_within(&mut c, 5).await;
        assert_eq!((d.body.as_slice(), d.redeliveries), (&b"a"[..], 1));
        // Dropping the consumer keeps an in-flight delivery settleable.
        drop(c);
        d.acker.ack().await.unwrap();
        assert_eq!(q.depth(Lane::Jobs).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn requeues_are_counted() {
    in_namespace(limit(10), |q, _| async move {
        q.publish(Lane::Jobs, b"a".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        for n in 0..3 {
            let d = next(&mut c).await;
            assert_eq!(d.redeliveries, n);
            d.acker.reject(true).await.unwrap();
        }
        let d = next(&mut c).await;
        assert_eq!(d.redeliveries, 3);
        d.acker.ack().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_delivery_limit_dead_letters() {
    in_namespace(limit(3), |q, _| async move {
        q.publish(Lane::Jobs, b"poison".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        for n in 0..3 {
            let d = next(&mut c).await;
            assert_eq!(d.redeliveries, n);
            d.acker.reject(true).await.unwrap();
        }
        nothing_for(&mut c, 300).await;
        let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
        let d = next(&mut dead).await;
        assert_eq!(d.body, b"poison");
        assert_eq!(d.redeliveries, 0, "the dead lane counts its own deliveries");
        d.acker.ack().await.unwrap();
        assert_eq!(q.depth(Lane::Jobs).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_limit_of_one_delivery_dead_letters_on_the_first_return() {
    in_namespace(limit(1), |q, _| async move {
        q.publish(Lane::Jobs, b"once".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        next(&mut c).await.acker.reject(true).await.unwrap();
        nothing_for(&mut c, 300).await;
        let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
        assert_eq!(next(&mut dead).await.body, b"once");
    })
    .await;
}

#[tokio::test]
async fn a_dropped_delivery_counts_towards_the_limit() {
    in_namespace(limit(2), |q, _| async move {
        q.publish(Lane::Results, b"r".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Results, 1).await.unwrap();
        drop(next(&mut c).await);
        drop(next(&mut c).await);
        nothing_for(&mut c, 300).await;
        let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
        assert_eq!(next(&mut dead).await.body, b"r");
    })
    .await;
}

#[tokio::test]
async fn reject_without_requeue_goes_to_the_dead_lane() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        q.publish(Lane::Jobs, b"bad".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let mut c = q.consume(Lane::Jobs, 1).await.unwrap();
        next(&mut c).await.acker.reject(false).await.unwrap();
        let mut dead = q.consume(Lane::Dead, 1).await.unwrap();
        let d = next(&mut dead).await;
        assert_eq!(d.body, b"bad");
        // Rejecting on the dead lane drops the message for good.
        d.acker.reject(false).await.unwrap();
        nothing_for(&mut dead, 300).await;
        assert_eq!(q.depth(Lane::Dead).await.unwrap(), 0);
        nothing_for(&mut c, 100).await;
    })
    .await;
}

#[tokio::test]
async fn delayed_messages_arrive_after_their_delay_and_do_not_block_each_other() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        let mut c = q.consume(Lane::Jobs, 10).await.unwrap();
        let start = Instant::now();
        q.publish(Lane::Jobs, b"slow".to_vec(), Duration::from_millis(2500))
            .await
            .unwrap();
        q.publish(Lane::Jobs, b"fast".to_vec(), Duration::from_millis(400))
            .await
            .unwrap();
        q.publish(Lane::Jobs, b"now".to_vec(), Duration::ZERO)
            .await
            .unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.body, b"now");
        d.acker.ack().await.unwrap();

        let d = next(&mut c).await;
        let at = start.elapsed();
        assert_eq!(
            d.body, b"fast",
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
        assert_eq!(d.redeliveries, 0);
        d.acker.ack().await.unwrap();

        let d = next(&mut c).await;
        let at = start.elapsed();
        assert_eq!(d.body, b"slow");
        assert!(
            at >= Duration::from_millis(2500),
            "slow arrived early: {at:?}"
        );
        d.acker.ack().await.unwrap();

        // Two messages in one bucket: both wait their full delay, in order.
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
async fn prefetch_bounds_unsettled_deliveries() {
    in_namespace(AmqpOptions::default(), |q, _| async move {
        for i in 0..3u8 {
            q.publish(Lane::Jobs, vec![i], Duration::ZERO)
                .await
                .unwrap();
        }
        let mut c = q.consume(Lane::Jobs, 2).await.unwrap();
        let a = next(&mut c).await;
        let _b = next(&mut c).await;
        nothing_for(&mut c, 300).await;
        assert_eq!(
            q.depth(Lane::Jobs).await.unwrap(),
            1,
            "depth counts ready messages"
        );
        a.acker.ack().await.unwrap();
        assert_eq!(next(&mut c).await.body, vec![2]);
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
