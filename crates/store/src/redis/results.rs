//! Recording results — one with its follow-up jobs, or a batch — and reading them back.
//!
//! The first write of a job's result wins; a result of an expected job moves it from
//! outstanding to done, and the write that leaves a sealed round with nothing outstanding
//! completes it.

use std::collections::BTreeMap;

use spotcheck_core::job::JobId;
use spotcheck_core::outcome::{JobResult, Outcome};
#[cfg(doc)]
use spotcheck_core::ports::Store;
use spotcheck_core::ports::{PortError, Recorded};
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::calls::call_id;
use super::keys::check_round;

/// Packed blocks read per call.
const READ_BLOCKS: usize = 8;

/// A result as the record scripts take it: its JSON, and `1` if its outcome is `Dead`.
fn script_args(result: &JobResult) -> Result<(Vec<u8>, &'static [u8]), PortError> {
    let json = serde_json::to_vec(result)
        .map_err(|e| PortError::Invalid(format!("result of job {}: {e}", result.job.id)))?;
    let dead: &[u8] = if matches!(result.outcome, Outcome::Dead { .. }) {
        b"1"
    } else {
        b"0"
    };
    Ok((json, dead))
}

impl RedisStore {
    /// [`Store::record`] with a given call id: a retry of the same call answers as the call did.
    pub(super) async fn record_as(
        &self,
        call: &str,
        result: &JobResult,
        follow_ups: &[JobId],
    ) -> Result<Recorded, PortError> {
        let (json, dead) = script_args(result)?;
        let mut args: Vec<&[u8]> = vec![result.job.id.0.as_bytes(), &json, dead];
        args.extend(follow_ups.iter().map(|f| f.0.as_bytes()));
        let (first, completed): (i64, i64) = self
            .round_script(
                "record",
                &self.scripts.record,
                &result.job.round,
                call,
                &args,
            )
            .await?;
        Ok(Recorded {
            first: first == 1,
            completed: completed == 1,
        })
    }

    /// [`Store::record_batch`] for results of one round, with a given call id.
    pub(super) async fn record_batch_as(
        &self,
        call: &str,
        round: &RoundId,
        results: &[&JobResult],
    ) -> Result<Vec<Recorded>, PortError> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        let mut encoded = Vec::with_capacity(results.len());
        for r in results {
            let (json, dead) = script_args(r)?;
            encoded.push((r.job.id.0.as_bytes(), json, dead));
        }
        let args: Vec<&[u8]> = encoded
            .iter()
            .flat_map(|(id, json, dead)| [*id, json.as_slice(), *dead])
            .collect();
        let answer: Vec<i64> = self
            .round_script(
                "record_batch",
                &self.scripts.record_batch,
                round,
                call,
                &args,
            )
            .await?;
        let Some((completed, firsts)) = answer.split_first() else {
            return Err(PortError::Invalid("record_batch answered nothing".into()));
        };
        if firsts.len() != results.len() {
            return Err(PortError::Invalid(format!(
                "record_batch answered for {} of {} results",
                firsts.len(),
                results.len()
            )));
        }
        // The completing write is the batch's last: its results are in the store together.
        let last = firsts.len() - 1;
        Ok(firsts
            .iter()
            .enumerate()
            .map(|(i, first)| Recorded {
                first: *first == 1,
                completed: *completed == 1 && i == last,
            })
            .collect())
    }

    /// Records results of any rounds: one script call per round (a batch is nearly always of
    /// one round), answers put back in the order of the results.
    pub(super) async fn record_results(
        &self,
        results: &[JobResult],
    ) -> Result<Vec<Recorded>, PortError> {
        let mut rounds: Vec<(&RoundId, Vec<usize>)> = Vec::new();
        for (i, r) in results.iter().enumerate() {
            match rounds.iter_mut().find(|(id, _)| **id == r.job.round) {
                Some((_, at)) => at.push(i),
                None => rounds.push((&r.job.round, vec![i])),
            }
        }
        let mut recorded = vec![
            Recorded {
                first: false,
                completed: false
            };
            results.len()
        ];
        for (round, at) in rounds {
            let of_round: Vec<&JobResult> = at.iter().map(|&i| &results[i]).collect();
            let answers = self.record_batch_as(&call_id(), round, &of_round).await?;
            for (i, a) in at.into_iter().zip(answers) {
                recorded[i] = a;
            }
        }
        Ok(recorded)
    }

    /// Reads a round's results: a packed round's block by block, or the results hash with
    /// `HSCAN` (a big round is never one huge reply), decoding each; a value that is not a
    /// result is an error naming its key and field.
    pub(super) async fn round_results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        check_round(round)?;
        if self.is_packed(round).await? {
            return self.packed_results(round).await;
        }
        let scanned = self.scanned_results(round).await?;
        // Packed while it was being read (the collector packs a round as it completes): the
        // hash may have gone half way, and the packed blocks have every result.
        if self.is_packed(round).await? {
            return self.packed_results(round).await;
        }
        Ok(scanned)
    }

    /// A packed round's results, a few blocks at a time.
    async fn packed_results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        let mut all = Vec::new();
        let mut next = 0;
        loop {
            let (got, blocks) = self.packed_blocks(round, next, READ_BLOCKS).await?;
            all.extend(got);
            next += blocks;
            if blocks < READ_BLOCKS {
                return Ok(all);
            }
        }
    }

    /// The results hash, read with `HSCAN`.
    async fn scanned_results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        let [_, _, key, ..] = self.round_keys(round);
        // Each page is decoded as it comes: the round is held once, as results.
        let mut decoded: BTreeMap<String, JobResult> = BTreeMap::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, page): (u64, Vec<(String, Vec<u8>)>) = self
                .retry("HSCAN results", |mut c| {
                    let key = key.clone();
                    async move {
                        ::redis::cmd("HSCAN")
                            .arg(key)
                            .arg(cursor)
                            .arg("COUNT")
                            .arg(500)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            for (job, value) in page {
                // HSCAN may return a field twice; the map keeps one.
                if decoded.contains_key(&job) {
                    continue;
                }
                let result = JobResult::decode(&value)
                    .map_err(|e| PortError::Invalid(format!("{key} field {job}: {e}")))?;
                decoded.insert(job, result);
            }
            cursor = next;
            if cursor == 0 {
                return Ok(decoded.into_values().collect());
            }
        }
    }
}
