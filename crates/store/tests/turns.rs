//! Collectors' turns at a round's follow-ups on Redis: one at a time across processes (two
//! stores on one namespace stand for two collectors), given back when dropped. Needs a Redis
//! (`SPOTCHECK_TEST_REDIS_URL`, default the local one); without one the test fails, saying so.

mod common;

use std::time::Duration;

use common::*;
use spotcheck_core::ports::Store;
use spotcheck_core::round::RoundId;
use spotcheck_store::{RedisOptions, RedisStore};

#[tokio::test]
async fn a_turn_is_held_by_one_collector_at_a_time() {
    in_namespace(RedisOptions::default(), |first, ns| async move {
        let second = RedisStore::connect(&redis_url(), &ns).await.unwrap();
        let round = RoundId("2020Q4-turns".into());
        let other = RoundId("2020Q4-other".into());
        let held = first.follow_up_turn(&round).await.unwrap();
        // Another round's turn is free meanwhile.
        drop(second.follow_up_turn(&other).await.unwrap());
        let waiting = tokio::spawn(async move {
            let _turn = second.follow_up_turn(&round).await.unwrap();
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !waiting.is_finished(),
            "two collectors had the turn at once"
        );
        drop(held);
        tokio::time::timeout(Duration::from_secs(2), waiting)
            .await
            .expect("the turn was not given back")
            .unwrap();
    })
    .await;
}
