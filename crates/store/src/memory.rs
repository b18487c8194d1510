//! The in-memory store: results, progress and round completion for one process.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use spotcheck_core::job::JobId;
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{PortError, Progress, Recorded, Store};
use spotcheck_core::round::{Round, RoundId};

#[derive(Default)]
struct RoundState {
    round: Option<Round>,
    expected: HashSet<JobId>,
    /// Jobs with a result: the first result of a job is the one that counts.
    done: HashSet<JobId>,
    /// The results in the order they came: one allocation for them all, handed over whole at
    /// the end (`take_results`), where a map of boxes costs an allocation per result and a
    /// second copy of the round's results at its hand-over.
    results: Vec<JobResult>,
    /// |expected \ done|: jobs scheduled without a result yet.
    outstanding: u64,
    dead: u64,
    sealed: bool,
    completed: bool,
}

impl RoundState {
    /// Records a job's result (the first one counts) and adds its follow-ups.
    fn record(&mut self, result: &JobResult, follow_ups: &[JobId]) -> Recorded {
        let id = &result.job.id;
        if self.done.contains(id) {
            return Recorded {
                first: false,
                completed: false,
            };
        }
        for f in follow_ups {
            if self.expected.insert(f.clone()) && !self.done.contains(f) {
                self.outstanding += 1;
            }
        }
        if self.expected.contains(id) {
            self.outstanding -= 1;
        }
        if matches!(result.outcome, Outcome::Dead { .. }) {
            self.dead += 1;
        }
        self.done.insert(id.clone());
        self.results.push(result.clone());
        Recorded {
            first: true,
            completed: self.complete_now(),
        }
    }

    fn complete_now(&mut self) -> bool {
        if self.sealed && self.outstanding == 0 && !self.completed {
            self.completed = true;
            return true;
        }
        false
    }
}

/// Everything in one map behind one lock: writes are small and the lock makes every
/// operation atomic, as the Redis scripts are.
#[derive(Default)]
pub struct MemoryStore {
    rounds: Mutex<HashMap<RoundId, RoundState>>,
    order: Mutex<Vec<RoundId>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Every result of the round, in job id order, moved out of the store: the one-process
    /// mode's hand-over once a round is complete, without a second copy of a large round's
    /// results at its end. The round's other records stay.
    pub fn take_results(&self, round: &RoundId) -> Vec<JobResult> {
        let mut results = self.with(round, |s| std::mem::take(&mut s.results));
        by_job_id(&mut results);
        results
    }

    fn with<T>(&self, round: &RoundId, f: impl FnOnce(&mut RoundState) -> T) -> T {
        let mut map = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        f(map.entry(round.clone()).or_default())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn create_round(&self, round: &Round) -> Result<(), PortError> {
        let fresh = self.with(&round.id, |s| {
            let fresh = s.round.is_none();
            s.round = Some(round.clone());
            fresh
        });
        if fresh {
            self.order
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(round.id.clone());
        }
        Ok(())
    }

    async fn round(&self, id: &RoundId) -> Result<Option<Round>, PortError> {
        let map = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(id).and_then(|s| s.round.clone()))
    }

    async fn rounds(&self) -> Result<Vec<RoundId>, PortError> {
        Ok(self.order.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }

    async fn add_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        Ok(self.with(round, |s| {
            let mut new = Vec::new();
            for id in ids {
                if s.expected.insert(id.clone()) {
                    if !s.done.contains(id) {
                        s.outstanding += 1;
                    }
                    new.push(id.clone());
                }
            }
            new
        }))
    }

    async fn new_jobs(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        Ok(self.with(round, |s| {
            ids.iter()
                .filter(|id| !s.expected.contains(*id))
                .cloned()
                .collect()
        }))
    }

    async fn seal(&self, round: &RoundId) -> Result<bool, PortError> {
        Ok(self.with(round, |s| {
            s.sealed = true;
            s.complete_now()
        }))
    }

    async fn record(
        &self,
        result: &JobResult,
        follow_ups: &[JobId],
    ) -> Result<Recorded, PortError> {
        Ok(self.with(&result.job.round, |s| s.record(result, follow_ups)))
    }

    /// The whole batch under one lock: a message of results is a page's worth of link checks.
    async fn record_batch(&self, results: &[JobResult]) -> Result<Vec<Recorded>, PortError> {
        let mut map = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        Ok(results
            .iter()
            .map(|r| map.entry(r.job.round.clone()).or_default().record(r, &[]))
            .collect())
    }

    async fn progress(&self, round: &RoundId) -> Result<Progress, PortError> {
        Ok(self.with(round, |s| Progress {
            total: s.expected.len() as u64,
            done: (s.expected.len() as u64).saturating_sub(s.outstanding),
            dead: s.dead,
            sealed: s.sealed,
            complete: s.completed,
        }))
    }

    async fn results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        let mut results = self.with(round, |s| s.results.clone());
        by_job_id(&mut results);
        Ok(results)
    }
}

/// Results in job id order, as a store gives them.
fn by_job_id(results: &mut [JobResult]) {
    results.sort_unstable_by(|a, b| a.job.id.cmp(&b.job.id));
}
