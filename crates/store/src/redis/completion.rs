//! A round's expected jobs, sealing, and its progress: what decides that a round is complete.
//!
//! A round completes once it is sealed (every initial job scheduled) with no expected job
//! left without a result; the scripts keep the counters, so progress is read, never counted.

use spotcheck_core::job::JobId;
use spotcheck_core::ports::{PortError, Progress};
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::keys::check_round;

impl RedisStore {
    /// Adds jobs to the round with a given call id: a retry of the same call answers as the
    /// call did.
    pub(super) async fn add_jobs_as(
        &self,
        call: &str,
        round: &RoundId,
        ids: &[JobId],
    ) -> Result<Vec<JobId>, PortError> {
        let args: Vec<&[u8]> = ids.iter().map(|id| id.0.as_bytes()).collect();
        let new: Vec<String> = self
            .round_script("expect", &self.scripts.expect, round, call, &args)
            .await?;
        Ok(new.into_iter().map(JobId).collect())
    }

    /// The ids the round does not expect, in the order given.
    pub(super) async fn new_jobs_in(
        &self,
        round: &RoundId,
        ids: &[JobId],
    ) -> Result<Vec<JobId>, PortError> {
        check_round(round)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if self.is_packed(round).await? {
            // Complete and packed: no job is new to it any more.
            return Ok(Vec::new());
        }
        let [_, expected, ..] = self.round_keys(round);
        let known: Vec<Vec<bool>> = self
            .retry("SMISMEMBER expected", |mut c| {
                let mut pipe = ::redis::pipe();
                for chunk in ids.chunks(1000) {
                    pipe.cmd("SMISMEMBER").arg(&expected);
                    for id in chunk {
                        pipe.arg(&id.0);
                    }
                }
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        let new: Vec<JobId> = ids
            .iter()
            .zip(known.into_iter().flatten())
            .filter(|(_, known)| !known)
            .map(|(id, _)| id.clone())
            .collect();
        if !new.is_empty() && self.is_packed(round).await? {
            // Packed since the first look: the expected set went with it.
            return Ok(Vec::new());
        }
        Ok(new)
    }

    /// Seals the round with a given call id; true when this call completed it.
    pub(super) async fn seal_as(&self, call: &str, round: &RoundId) -> Result<bool, PortError> {
        let c: i64 = self
            .round_script("seal", &self.scripts.seal, round, call, &[])
            .await?;
        Ok(c == 1)
    }

    /// The round's counters, read together.
    pub(super) async fn round_progress(&self, round: &RoundId) -> Result<Progress, PortError> {
        check_round(round)?;
        let [_, expected, _, state, ..] = self.round_keys(round);
        type Fields = (
            Option<u64>,
            Option<u64>,
            Option<String>,
            Option<String>,
            Option<u64>,
        );
        let (expected_now, (done, dead, sealed, completed, packed_total)): (u64, Fields) = self
            .retry("progress", |mut c| {
                let mut pipe = ::redis::pipe();
                pipe.atomic()
                    .cmd("SCARD")
                    .arg(&expected)
                    .cmd("HMGET")
                    .arg(&state)
                    .arg(&["done", "dead", "sealed", "completed", "total"]);
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        Ok(Progress {
            // A packed round's expected set is gone; its size was kept.
            total: packed_total.unwrap_or(expected_now),
            done: done.unwrap_or(0),
            dead: dead.unwrap_or(0),
            sealed: sealed.as_deref() == Some("1"),
            complete: completed.as_deref() == Some("1"),
        })
    }
}
