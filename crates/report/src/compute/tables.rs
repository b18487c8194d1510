//! The report's per-unit tables — updates, letters, interviews — in the notice's order
//! (largest first, ties in the registry's order), and `interview.missing` for each unit that
//! held fewer interviews than the plan requires.

use spotcheck_core::indicator::{Indicator, Severity};

use super::{Computation, rate};
use crate::model::{Finding, UnitCount, UnitInterviews, UnitLetters};

impl Computation<'_> {
    pub(super) fn updates_table(&self) -> Vec<UnitCount> {
        let mut updates: Vec<UnitCount> = self
            .updates
            .iter()
            .map(|(u, c)| UnitCount {
                unit: u.clone(),
                count: *c,
            })
            .collect();
        updates.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(self.unit_rank(&a.unit).cmp(&self.unit_rank(&b.unit)))
                .then(a.unit.cmp(&b.unit))
        });
        updates
    }

    pub(super) fn letters_table(&self) -> Vec<UnitLetters> {
        let mut letters: Vec<UnitLetters> = self
            .letters
            .iter()
            .map(|(u, (rec, rep))| UnitLetters {
                unit: u.clone(),
                received: *rec,
                replied: *rep,
                reply_rate: rate(*rep, *rec),
            })
            .collect();
        letters.sort_by(|a, b| {
            b.received
                .cmp(&a.received)
                .then(self.unit_rank(&a.unit).cmp(&self.unit_rank(&b.unit)))
                .then(a.unit.cmp(&b.unit))
        });
        letters
    }

    pub(super) fn interviews_table(&self) -> Vec<UnitInterviews> {
        let mut interviews: Vec<UnitInterviews> = self
            .interviews
            .iter()
            .map(|(u, h)| UnitInterviews {
                unit: u.clone(),
                held: *h,
            })
            .collect();
        interviews.sort_by_key(|i| (self.unit_rank(&i.unit), i.unit.clone()));
        interviews
    }

    /// `interview.missing` for every unit below the plan's count for the window.
    pub(super) fn interview_findings(&mut self, interviews: &[UnitInterviews]) {
        let required = self.round.plan.interview.required_per_window;
        for i in interviews.iter().filter(|i| i.held < required) {
            self.findings.push(Finding {
                indicator: Indicator::InterviewMissing,
                severity: Severity::Deduct,
                unit: i.unit.clone(),
                target: "在线访谈".into(),
                url: None,
                detail: format!(
                    "{}至{}开展在线访谈{}次（要求{}次）",
                    self.round.window.from, self.round.window.to, i.held, required
                ),
                pages: Vec::new(),
                menu_path: None,
                website: self.interview_sites.get(&i.unit).cloned(),
                account: None,
                margin: None,
                wording: None,
            });
        }
    }
}
