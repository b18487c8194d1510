//! Rounds read back from the store: their progress, and a finished one for its report or its
//! re-check.

use spotcheck_core::Namespace;
use spotcheck_core::ports::{Progress, Store};
use spotcheck_core::round::RoundId;
use spotcheck_report::Evidence;
use spotcheck_store::RedisStore;

use crate::error::CliError;
use crate::finished::Finished;

/// A round and its results from the store; a round the store does not have is bad input.
pub async fn finished(
    store: &RedisStore,
    namespace: &Namespace,
    id: &RoundId,
) -> Result<Finished, CliError> {
    let round = store
        .round(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?
        .ok_or_else(|| missing(namespace, id))?;
    // A completed round its collector did not pack (it stopped first) is packed now.
    store
        .compact(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    // What the report reads of the results, a batch at a time: a province's round of 10⁶
    // results is never in memory whole.
    let evidence = Evidence::read(store, id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    Ok(Finished { round, evidence })
}

/// A round's progress; a round the store does not have is bad input.
pub async fn progress(
    store: &RedisStore,
    namespace: &Namespace,
    id: &RoundId,
) -> Result<Progress, CliError> {
    let known = store
        .round(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?
        .is_some();
    if !known {
        return Err(missing(namespace, id));
    }
    progress_of(store, id).await
}

/// The progress of a round known to be in the store.
pub async fn progress_of(store: &RedisStore, id: &RoundId) -> Result<Progress, CliError> {
    store
        .progress(id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))
}

fn missing(namespace: &Namespace, id: &RoundId) -> CliError {
    CliError::input(format!(
        "no round {id} in the store (namespace {namespace})"
    ))
}
