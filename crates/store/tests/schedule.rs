//! Claims on scheduled rounds in Redis: one winner among racing schedulers, and fencing when
//! a claim lapses. Needs a Redis server (`./tests/run` starts one).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use spotcheck_core::round::RoundId;
use spotcheck_store::{Claim, RedisOptions};

#[tokio::test]
async fn racing_claims_on_one_due_time_have_one_winner() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let store = Arc::new(store);
        let claims: Vec<_> = (0..8)
            .map(|_| {
                let s = store.clone();
                tokio::spawn(async move {
                    s.claim_scheduled("entry", 1_609_462_800, Duration::from_secs(60))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut won = Vec::new();
        for c in claims {
            if let Claim::Won(token) = c.await.unwrap() {
                won.push(token);
            }
        }
        assert_eq!(won.len(), 1, "{won:?}");
        let id = RoundId("2021Q1-abcdef".to_string());
        assert!(
            store
                .confirm_scheduled("entry", 1_609_462_800, won[0], &id)
                .await
                .unwrap()
        );
        // Started for good: a later claim (a restart) finds it started.
        assert_eq!(
            store
                .claim_scheduled("entry", 1_609_462_800, Duration::from_secs(60))
                .await
                .unwrap(),
            Claim::Held("started:2021Q1-abcdef".to_string())
        );
        // Another due time of the entry is a claim of its own.
        assert!(matches!(
            store
                .claim_scheduled("entry", 1_617_238_800, Duration::from_secs(60))
                .await
                .unwrap(),
            Claim::Won(_)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_lapsed_claim_passes_on_and_its_old_holder_cannot_confirm() {
    in_namespace(RedisOptions::default(), |store, _| async move {
        let lease = Duration::from_millis(200);
        let Claim::Won(first) = store.claim_scheduled("e", 100, lease).await.unwrap() else {
            panic!("the first claim wins");
        };
        assert!(matches!(
            store.claim_scheduled("e", 100, lease).await.unwrap(),
            Claim::Held(_)
        ));
        tokio::time::sleep(Duration::from_millis(400)).await;
        let Claim::Won(second) = store.claim_scheduled("e", 100, lease).await.unwrap() else {
            panic!("a lapsed claim passes on");
        };
        assert!(second > first, "tokens only grow: {first} then {second}");
        let id = RoundId("2021Q1-000001".to_string());
        assert!(!store.confirm_scheduled("e", 100, first, &id).await.unwrap());
        assert!(
            store
                .confirm_scheduled("e", 100, second, &id)
                .await
                .unwrap()
        );
    })
    .await;
}
