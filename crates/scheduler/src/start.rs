//! Starting a round: store it, publish its jobs, seal it.

use spotcheck_core::job::JobId;
use spotcheck_core::ports::{Lane, PortError, Queue, Store};
use spotcheck_core::round::Round;

use crate::jobs::initial_jobs;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the store refused the round: {0}")]
    Store(PortError),
    #[error("the queue refused a job: {0}")]
    Queue(PortError),
}

/// Stores the round and publishes its initial jobs; returns how many. The round is sealed
/// only after every job is confirmed, so it cannot complete while jobs are still going out.
pub async fn start_round(
    store: &dyn Store,
    queue: &dyn Queue,
    round: &Round,
) -> Result<usize, StartError> {
    store.create_round(round).await.map_err(StartError::Store)?;
    let jobs = initial_jobs(round);
    let ids: Vec<JobId> = jobs.iter().map(|(j, _)| j.id.clone()).collect();
    store
        .add_jobs(&round.id, &ids)
        .await
        .map_err(StartError::Store)?;
    for (job, delay) in &jobs {
        queue
            .publish(Lane::Jobs, job.encode(), *delay)
            .await
            .map_err(StartError::Queue)?;
    }
    store.seal(&round.id).await.map_err(StartError::Store)?;
    tracing::info!(round = %round.id, jobs = jobs.len(), "round started");
    Ok(jobs.len())
}
