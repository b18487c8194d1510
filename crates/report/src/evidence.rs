//! What a report keeps of a round's results.
//!
//! A province's round has 10⁶ link checks, nearly all of which found their link fine. Such a
//! result says nothing a report prints — a fine link is no finding, and it names no unit —
//! beyond counting among the round's jobs (and outranking a page's verdict of the same URL,
//! which its id settles). Kept whole, those results take gigabytes; their ids take tens of
//! megabytes. So a report of a stored round reads the results a batch at a time and keeps
//! every result it reads, and only the id of the others.

use spotcheck_core::job::{JobId, Task};
use spotcheck_core::outcome::{JobResult, LinkState, Outcome};
use spotcheck_core::ports::{PortError, Store};
use spotcheck_core::round::{Round, RoundId};

use crate::finished::Finished;

/// A round's results as its report reads them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// The results the report reads, in the order given (a store gives job id order).
    pub results: Vec<JobResult>,
    /// The ids of the other results, sorted: link checks that found their link fine.
    pub unread: Vec<JobId>,
}

impl Evidence {
    /// Every result kept whole (a round already in memory, whose results cost nothing more).
    pub fn whole(results: Vec<JobResult>) -> Evidence {
        Evidence {
            results,
            unread: Vec::new(),
        }
    }

    /// Reads a stored round's results a batch at a time, keeping what its report reads.
    pub async fn read(store: &dyn Store, round: &RoundId) -> Result<Evidence, PortError> {
        let mut evidence = Evidence::default();
        store
            .results_in_batches(round, &mut |batch| evidence.add(batch))
            .await?;
        Ok(evidence)
    }

    /// Keeps what the report reads of a batch of results.
    pub fn add(&mut self, batch: Vec<JobResult>) {
        for r in batch {
            if reads(&r) {
                self.results.push(r);
            } else {
                self.note_unread(r.job.id);
            }
        }
    }

    /// Keeps `unread` sorted whatever order the ids come in (a store gives them in order, so
    /// this is a push).
    fn note_unread(&mut self, id: JobId) {
        match self.unread.last() {
            Some(last) if *last >= id => {
                if let Err(at) = self.unread.binary_search(&id) {
                    self.unread.insert(at, id);
                }
            }
            _ => self.unread.push(id),
        }
    }

    /// The round and this evidence: what its report is computed from.
    pub fn of<'a>(&'a self, round: &'a Round) -> Finished<'a> {
        Finished {
            round,
            results: &self.results,
            unread: &self.unread,
        }
    }
}

/// Whether a report reads anything of this result but its id: everything except a link check
/// that found its link fine (not refused, without wording hits).
pub fn reads(r: &JobResult) -> bool {
    match (&r.job.task, &r.outcome) {
        (Task::Link { .. }, Outcome::Link(v)) => {
            v.state != LinkState::Ok || v.refused || !r.wording.is_empty()
        }
        _ => true,
    }
}
