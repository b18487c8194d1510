//! Recording results — one with its follow-up jobs, or a batch — and reading them back.
//!
//! The first write of a job's result wins; a result of an expected job moves it from
//! outstanding to done, and the write that leaves a sealed round with nothing outstanding
//! completes it.

use spotcheck_core::job::JobId;
use spotcheck_core::outcome::{JobResult, Outcome};
#[cfg(doc)]
use spotcheck_core::ports::Store;
use spotcheck_core::ports::{PortError, Recorded};
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::calls::call_id;
use super::compaction::BLOCK;
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

    /// Hands a round's results to `each` in job id order, at most a block's worth at a time:
    /// a packed round's block by block; a round in progress by its job ids (read with
    /// `HSCAN`, sorted), the values fetched a batch at a time with `HMGET` (a big round is
    /// never one huge reply, nor all in memory). A value that is not a result is an error
    /// naming its key and field.
    pub(super) async fn round_results(
        &self,
        round: &RoundId,
        each: &mut (dyn FnMut(Vec<JobResult>) + Send),
    ) -> Result<(), PortError> {
        check_round(round)?;
        if self.is_packed(round).await? {
            return self.packed_results(round, None, each).await;
        }
        let [_, _, key, ..] = self.round_keys(round);
        let mut ids = self.result_ids(&key).await?;
        ids.sort_unstable();
        let mut last: Option<&str> = None;
        for chunk in ids.chunks(BLOCK) {
            let values: Vec<Option<Vec<u8>>> = self
                .retry("HMGET results", |mut c| {
                    let key = key.clone();
                    async move {
                        ::redis::cmd("HMGET")
                            .arg(key)
                            .arg(chunk)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if values.iter().any(Option::is_none) && self.is_packed(round).await? {
                // Packed while it was being read (the collector packs a round as it
                // completes): the hash is going, and the packed blocks have every result —
                // those after the ones handed out already come from there.
                return self.packed_results(round, last, each).await;
            }
            let mut batch = Vec::with_capacity(chunk.len());
            for (job, value) in chunk.iter().zip(values) {
                // None: the round's keys went (pruned, expired) while it was being read.
                let Some(value) = value else { continue };
                batch.push(
                    JobResult::decode(&value)
                        .map_err(|e| PortError::Invalid(format!("{key} field {job}: {e}")))?,
                );
            }
            last = chunk.last().map(String::as_str);
            if !batch.is_empty() {
                each(batch);
            }
        }
        if self.is_packed(round).await? {
            // Packed after the first look, perhaps before the hash was scanned (its ids
            // then came back short, or none at all): the blocks hold what was not handed out.
            return self.packed_results(round, last, each).await;
        }
        Ok(())
    }

    /// A packed round's results after the job id `after` (all of them without one), a block
    /// at a time: the blocks are read a few per call and decoded one by one.
    async fn packed_results(
        &self,
        round: &RoundId,
        after: Option<&str>,
        each: &mut (dyn FnMut(Vec<JobResult>) + Send),
    ) -> Result<(), PortError> {
        let mut next = 0;
        loop {
            let blocks = self
                .packed_blocks(round, next, READ_BLOCKS, after, each)
                .await?;
            next += blocks;
            if blocks < READ_BLOCKS {
                return Ok(());
            }
        }
    }
}
