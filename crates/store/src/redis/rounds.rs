//! Round records and the namespace's list of rounds (`{ns}:round:{id}`, `{ns}:rounds`).

use spotcheck_core::ports::PortError;
use spotcheck_core::round::{Round, RoundId};

use super::RedisStore;
use super::keys::check_round;

impl RedisStore {
    /// Writes the round record (the first write wins) and lists the round, scored by Redis
    /// server time.
    pub(super) async fn create_round_record(&self, round: &Round) -> Result<(), PortError> {
        check_round(&round.id)?;
        let json = serde_json::to_vec(round)
            .map_err(|e| PortError::Invalid(format!("round {}: {e}", round.id)))?;
        let [record, .., rounds] = self.round_keys(&round.id);
        let ttl = self.retention_ms();
        let script = &self.scripts.create;
        let _fresh: i64 = self
            .retry("create round", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(&record)
                    .key(&rounds)
                    .arg(ttl)
                    .arg(&json)
                    .arg(&round.id.0);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok(())
    }

    /// Reads a round record; `None` when there is none (never created, or expired).
    pub(super) async fn round_record(&self, id: &RoundId) -> Result<Option<Round>, PortError> {
        check_round(id)?;
        let [record, ..] = self.round_keys(id);
        let json: Option<Vec<u8>> = self
            .retry("GET round", |mut c| {
                let record = record.clone();
                async move { ::redis::cmd("GET").arg(record).query_async(&mut c).await }
            })
            .await?;
        json.map(|j| {
            serde_json::from_slice(&j)
                .map_err(|e| PortError::Invalid(format!("{record} does not hold a round: {e}")))
        })
        .transpose()
    }

    /// Every listed round with its creation time (ms of Redis server time).
    pub(super) async fn listed_rounds(&self) -> Result<Vec<(String, u64)>, PortError> {
        let key = self.rounds_key();
        let scored: Vec<(String, f64)> = self
            .retry("ZRANGE rounds", |mut c| {
                let key = key.clone();
                async move {
                    ::redis::cmd("ZRANGE")
                        .arg(key)
                        .arg(0)
                        .arg(-1)
                        .arg("WITHSCORES")
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        // Scores are whole milliseconds, well within a double's exact integers.
        Ok(scored.into_iter().map(|(id, ms)| (id, ms as u64)).collect())
    }

    /// The listed rounds whose record still exists, oldest first; the others are forgotten.
    pub(super) async fn live_rounds(&self) -> Result<Vec<RoundId>, PortError> {
        let ids: Vec<String> = self
            .listed_rounds()
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let key = self.rounds_key();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<String> = ids.iter().map(|id| self.record_key(id)).collect();
        let exists: Vec<bool> = self
            .retry("EXISTS rounds", |mut c| {
                let mut pipe = ::redis::pipe();
                for r in &records {
                    pipe.cmd("EXISTS").arg(r);
                }
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        let (live, gone): (Vec<_>, Vec<_>) =
            ids.into_iter().zip(exists).partition(|(_, exists)| *exists);
        if !gone.is_empty() {
            // Their records expired (retention): forget them.
            let gone: Vec<String> = gone.into_iter().map(|(id, _)| id).collect();
            let _: i64 = self
                .retry("ZREM rounds", |mut c| {
                    let (key, gone) = (key.clone(), gone.clone());
                    async move {
                        ::redis::cmd("ZREM")
                            .arg(key)
                            .arg(gone)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
        }
        Ok(live.into_iter().map(|(id, _)| RoundId(id)).collect())
    }
}
