//! The [`Store`] port on Redis, put together from the store's concerns.

use async_trait::async_trait;
use spotcheck_core::job::JobId;
use spotcheck_core::outcome::JobResult;
use spotcheck_core::ports::{HostPermit, PortError, Progress, Recorded, Store};
use spotcheck_core::round::{Round, RoundId};

use super::RedisStore;
use super::calls::call_id;

#[async_trait]
impl Store for RedisStore {
    async fn create_round(&self, round: &Round) -> Result<(), PortError> {
        self.create_round_record(round).await
    }

    async fn round(&self, id: &RoundId) -> Result<Option<Round>, PortError> {
        self.round_record(id).await
    }

    async fn rounds(&self) -> Result<Vec<RoundId>, PortError> {
        self.live_rounds().await
    }

    async fn add_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.add_jobs_as(&call_id(), round, ids).await
    }

    async fn new_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        self.new_jobs_in(round, ids).await
    }

    async fn seal(&self, round: &RoundId) -> Result<bool, PortError> {
        self.seal_as(&call_id(), round).await
    }

    async fn record(
        &self,
        result: &JobResult,
        follow_ups: &[JobId],
    ) -> Result<Recorded, PortError> {
        self.record_as(&call_id(), result, follow_ups).await
    }

    async fn record_batch(&self, results: &[JobResult]) -> Result<Vec<Recorded>, PortError> {
        self.record_results(results).await
    }

    async fn progress(&self, round: &RoundId) -> Result<Progress, PortError> {
        self.round_progress(round).await
    }

    async fn follow_up_turn(&self, round: &RoundId) -> Result<HostPermit, PortError> {
        self.take_turn(round).await
    }

    async fn results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        let mut all = Vec::new();
        self.round_results(round, &mut |batch| all.extend(batch))
            .await?;
        Ok(all)
    }

    async fn results_in_batches(
        &self,
        round: &RoundId,
        each: &mut (dyn FnMut(Vec<JobResult>) + Send),
    ) -> Result<(), PortError> {
        self.round_results(round, each).await
    }

    async fn compact(&self, round: &RoundId) -> Result<(), PortError> {
        self.pack(round).await.map(|_| ())
    }
}
