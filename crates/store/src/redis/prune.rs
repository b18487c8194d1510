//! Removing old rounds: every key of each round created before a cut-off, except the rounds
//! a later re-check still refers to.
//!
//! A re-check's report stands on its parent's results (which problems were rectified), so a
//! parent is kept as long as any re-check of it is — even one older than the cut-off whose
//! own re-check is kept — and goes with the last of them.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::Deserialize;
use spotcheck_core::ports::PortError;
use spotcheck_core::round::RoundId;

use super::RedisStore;

/// What a prune did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Rounds removed, every key of them.
    pub removed: Vec<RoundId>,
    /// Rounds older than the cut-off kept because a later re-check refers to them.
    pub kept_for_rechecks: Vec<RoundId>,
}

/// The one field of a round record a prune reads.
#[derive(Deserialize)]
struct Parent {
    parent: Option<RoundId>,
}

impl RedisStore {
    /// Removes the rounds created more than `older_than` ago (by Redis server time) that no
    /// kept round re-checks.
    pub async fn prune(&self, older_than: Duration) -> Result<Pruned, PortError> {
        let listed = self.listed_rounds().await?;
        let now_ms = self.server_ms().await?;
        let cutoff =
            now_ms.saturating_sub(u64::try_from(older_than.as_millis()).unwrap_or(u64::MAX));
        let mut parents: HashMap<String, Option<String>> = HashMap::new();
        for (id, _) in &listed {
            parents.insert(id.clone(), self.parent_of(id).await?);
        }
        let old: BTreeSet<String> = listed
            .iter()
            .filter(|(_, created)| *created < cutoff)
            .map(|(id, _)| id.clone())
            .collect();
        let mut removing = old.clone();
        // A kept round keeps its parent, which keeps its own parent in turn.
        loop {
            let needed: Vec<String> = parents
                .iter()
                .filter(|(id, _)| !removing.contains(*id))
                .filter_map(|(_, parent)| parent.clone())
                .filter(|p| removing.contains(p))
                .collect();
            if needed.is_empty() {
                break;
            }
            for p in needed {
                removing.remove(&p);
            }
        }
        for id in &removing {
            self.remove_round(id).await?;
        }
        Ok(Pruned {
            kept_for_rechecks: old.difference(&removing).cloned().map(RoundId).collect(),
            removed: removing.into_iter().map(RoundId).collect(),
        })
    }

    async fn server_ms(&self) -> Result<u64, PortError> {
        let (secs, micros): (u64, u64) = self
            .retry("TIME", |mut c| async move {
                ::redis::cmd("TIME").query_async(&mut c).await
            })
            .await?;
        Ok(secs * 1000 + micros / 1000)
    }

    /// The round a round re-checks; none for a spot round, or a record gone or unreadable
    /// (such a round refers to nothing a prune could keep).
    async fn parent_of(&self, id: &str) -> Result<Option<String>, PortError> {
        let record = self.record_key(id);
        let json: Option<Vec<u8>> = self
            .retry("GET round", |mut c| {
                let record = record.clone();
                async move { ::redis::cmd("GET").arg(record).query_async(&mut c).await }
            })
            .await?;
        Ok(json
            .and_then(|j| serde_json::from_slice::<Parent>(&j).ok())
            .and_then(|p| p.parent)
            .map(|p| p.0))
    }

    /// Deletes every key of a round, then its place in the list of rounds.
    async fn remove_round(&self, id: &str) -> Result<(), PortError> {
        let record = self.record_key(id);
        self.unlink_matching(&format!("{record}:*")).await?;
        let (key, id) = (self.rounds_key(), id.to_string());
        self.retry("remove round", |mut c| {
            let mut pipe = ::redis::pipe();
            pipe.cmd("UNLINK")
                .arg(&record)
                .ignore()
                .cmd("ZREM")
                .arg(&key)
                .arg(&id)
                .ignore();
            async move { pipe.query_async::<()>(&mut c).await }
        })
        .await
    }
}
