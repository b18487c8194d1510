//! How long a round's keys live, and deleting a whole namespace.
//!
//! A round in progress lives [`RedisOptions::retention`] (default 90 days) after its last
//! write: each write refreshes the expiry of all of the round's keys, so a running round never
//! loses part of its state, and a round abandoned half way (its pool gone, never completed)
//! disappears whole once nobody writes to it for the retention period.
//!
//! A completed round, once packed (the `compaction` module), is kept until it is pruned: its
//! keys lose their expiry. Its report, its re-check and the audit of a notice may come long
//! after its last write, and a round that silently expired would take the evidence of a
//! published notice with it. Old rounds are removed by [`RedisStore::prune`] (`round prune`,
//! or the collector's retention setting), which keeps the rounds a later re-check refers to.
//! `{ns}:rounds` never expires, since it lists the packed rounds; [`Store::rounds`] leaves out
//! (and removes from it) rounds whose record has expired.
//!
//! The host keys are not per round (a host's limits hold across rounds) and live only as long
//! as they matter: the bucket expires one second after its arrival time has passed, the pause
//! when it ends, the leases one second after the last lease would expire.

use spotcheck_core::ports::PortError;
#[cfg(doc)]
use spotcheck_core::ports::Store;

#[cfg(doc)]
use super::RedisOptions;
use super::RedisStore;

impl RedisStore {
    /// The retention in ms, as the scripts set it (`PEXPIRE`, `SET … PX`): at least 1.
    pub(super) fn retention_ms(&self) -> u64 {
        u64::try_from(self.opts.retention.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Deletes every key of the namespace. For tests and operators; rounds in progress lose
    /// everything.
    pub async fn delete_namespace(&self) -> Result<u64, PortError> {
        self.unlink_matching(&self.namespace_pattern()).await
    }

    /// Deletes every key matching `pattern` (`SCAN`, so Redis never blocks on a long list);
    /// how many.
    pub(super) async fn unlink_matching(&self, pattern: &str) -> Result<u64, PortError> {
        let mut cursor: u64 = 0;
        let mut deleted = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = self
                .retry("SCAN", |mut c| {
                    let pattern = pattern.to_string();
                    async move {
                        ::redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(pattern)
                            .arg("COUNT")
                            .arg(500)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if !keys.is_empty() {
                let n: u64 = self
                    .retry("UNLINK", |mut c| {
                        let keys = keys.clone();
                        async move { ::redis::cmd("UNLINK").arg(keys).query_async(&mut c).await }
                    })
                    .await?;
                deleted += n;
            }
            cursor = next;
            if cursor == 0 {
                return Ok(deleted);
            }
        }
    }
}
