//! Packing a completed round: its results into compressed blocks, and everything that only a
//! round in progress needs dropped.
//!
//! While a round runs, each result is a field of its results hash (quick to write, first
//! write wins), and the calls hash and the expected set make every write exact. Once the
//! round is complete none of that is needed, and a province's round of 10⁶ link checks would
//! keep half a gigabyte of it: the results are packed, in job id order, into blocks of
//! [`BLOCK`] results (their JSON, one a line, deflated — neighbouring results share most of
//! their text) in the list `{ns}:round:{id}:packed`; the round's total is kept in its state
//! hash; and the results hash, the calls hash and the expected set are deleted.
//!
//! A packed round is kept until it is pruned (`prune`): the round's record, state and blocks
//! lose their expiry, since a re-check, a report or an audit may ask for it years later, and
//! at a few dozen bytes a result keeping it is cheap.
//!
//! Packing is safe to run twice or to interrupt: the blocks go into a key of the packing
//! call's own, which one script then renames into place — only if the round is not packed
//! yet — while it deletes the rest. Whoever packs first wins; the others' blocks are dropped.

use std::io::Write;

use flate2::Compression;
use flate2::write::{DeflateDecoder, DeflateEncoder};
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{PortError, RESULT_BATCH};
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::calls::call_id;
use super::keys::check_round;

/// Results per packed block: big enough that deflate finds the results' shared text, small
/// enough that a reader holds one block at a time — one batch of
/// [`Store::results_in_batches`](spotcheck_core::ports::Store::results_in_batches).
pub(super) const BLOCK: usize = RESULT_BATCH;

impl RedisStore {
    /// Packs a completed round (see the module's documentation); false when the round is
    /// not complete, or was packed already.
    pub async fn pack(&self, round: &RoundId) -> Result<bool, PortError> {
        check_round(round)?;
        let [record, expected, results, state, calls, _] = self.round_keys(round);
        let (completed, packed): (Option<String>, Option<String>) = self
            .retry("HMGET state", |mut c| {
                let state = state.clone();
                async move {
                    ::redis::cmd("HMGET")
                        .arg(state)
                        .arg(&["completed", "packed"])
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        if completed.as_deref() != Some("1") || packed.as_deref() == Some("1") {
            return Ok(false);
        }
        let mut ids = self.result_ids(&results).await?;
        ids.sort_unstable();
        let staging = format!("{}:packing:{}", self.record_key(&round.0), call_id());
        for chunk in ids.chunks(BLOCK) {
            let values: Vec<Option<Vec<u8>>> = self
                .retry("HMGET results", |mut c| {
                    let results = results.clone();
                    async move {
                        ::redis::cmd("HMGET")
                            .arg(results)
                            .arg(chunk)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            let block = pack(values.iter().flatten().map(Vec::as_slice))
                .map_err(|e| PortError::Invalid(format!("packing {round}: {e}")))?;
            let _: i64 = self
                .retry("RPUSH packing", |mut c| {
                    let (staging, block) = (staging.clone(), block.clone());
                    async move {
                        ::redis::cmd("RPUSH")
                            .arg(staging)
                            .arg(block)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
        }
        let packed_key = self.packed_key(round);
        let script = &self.scripts.compact;
        let done: i64 = self
            .retry("compact", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(&state)
                    .key(&staging)
                    .key(&packed_key)
                    .key(&results)
                    .key(&calls)
                    .key(&expected)
                    .key(&record)
                    .arg(ids.len());
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok(done == 1)
    }

    /// Whether the round's results are packed.
    pub(super) async fn is_packed(&self, round: &RoundId) -> Result<bool, PortError> {
        let [.., state, _, _] = self.round_keys(round);
        let packed: Option<String> = self
            .retry("HGET packed", |mut c| {
                let state = state.clone();
                async move {
                    ::redis::cmd("HGET")
                        .arg(state)
                        .arg("packed")
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        Ok(packed.as_deref() == Some("1"))
    }

    /// The job ids of a results hash, read with `HSCAN` (the values are dropped page by
    /// page, so a big round's results are never all in memory).
    pub(super) async fn result_ids(&self, results: &str) -> Result<Vec<String>, PortError> {
        let mut ids = std::collections::HashSet::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, page): (u64, Vec<(String, ::redis::Value)>) = self
                .retry("HSCAN results", |mut c| {
                    let results = results.to_string();
                    async move {
                        ::redis::cmd("HSCAN")
                            .arg(results)
                            .arg(cursor)
                            .arg("COUNT")
                            .arg(BLOCK)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            ids.extend(page.into_iter().map(|(id, _)| id));
            cursor = next;
            if cursor == 0 {
                return Ok(ids.into_iter().collect());
            }
        }
    }

    /// Reads the packed blocks `from..from + count` of a round and hands each block's results
    /// after the job id `after` (all without one) to `each`; how many blocks there were (fewer
    /// than `count` at the end). Only one block is decoded at a time.
    pub(super) async fn packed_blocks(
        &self,
        round: &RoundId,
        from: usize,
        count: usize,
        after: Option<&str>,
        each: &mut (dyn FnMut(Vec<JobResult>) + Send),
    ) -> Result<usize, PortError> {
        let key = self.packed_key(round);
        let blocks: Vec<Vec<u8>> = self
            .retry("LRANGE packed", |mut c| {
                let key = key.clone();
                async move {
                    ::redis::cmd("LRANGE")
                        .arg(key)
                        .arg(from)
                        .arg(from + count - 1)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        for (i, block) in blocks.iter().enumerate() {
            let at = from + i;
            let lines =
                unpack(block).map_err(|e| PortError::Invalid(format!("{key} block {at}: {e}")))?;
            let mut batch = Vec::with_capacity(BLOCK);
            for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let result = JobResult::decode(line)
                    .map_err(|e| PortError::Invalid(format!("{key} block {at}: {e}")))?;
                if after.is_none_or(|a| result.job.id.0.as_str() > a) {
                    batch.push(result);
                }
            }
            if !batch.is_empty() {
                each(batch);
            }
        }
        Ok(blocks.len())
    }
}

/// Results' JSON, one a line, deflated. (JSON as serde writes it has no raw line breaks.)
fn pack<'a>(values: impl Iterator<Item = &'a [u8]>) -> std::io::Result<Vec<u8>> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    for v in values {
        enc.write_all(v)?;
        enc.write_all(b"\n")?;
    }
    enc.finish()
}

fn unpack(block: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut dec = DeflateDecoder::new(Vec::new());
    dec.write_all(block)?;
    dec.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_unpacks_to_its_lines() {
        let values: [&[u8]; 2] = [br#"{"a":"\n"}"#, b"{}"];
        let block = pack(values.into_iter()).unwrap();
        assert_eq!(unpack(&block).unwrap(), b"{\"a\":\"\\n\"}\n{}\n");
        assert!(unpack(b"not deflate at all").is_err());
    }
}
