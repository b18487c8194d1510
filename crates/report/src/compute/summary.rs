//! 一、基本情况's figures: registered, checked and passed targets (passed = no veto), 抽查率,
//! 合格率, the letters' totals and the round's jobs.

use spotcheck_core::outcome::Outcome;

use super::{Computation, rate};
use crate::model::{Counts, JobCounts, LettersTotal, Summary, UnitLetters};

impl Computation<'_> {
    pub(super) fn summary(&self, letters: &[UnitLetters]) -> Summary {
        let sites = Counts {
            registered: self.reg.websites.len() as u32,
            checked: self.checked_sites.len() as u32,
            passed: self
                .checked_sites
                .iter()
                .filter(|s| !self.vetoed_sites.contains(*s))
                .count() as u32,
        };
        let accounts = Counts {
            registered: self.reg.accounts.len() as u32,
            checked: self.checked_accounts.len() as u32,
            passed: self
                .checked_accounts
                .iter()
                .filter(|a| !self.vetoed_accounts.contains(*a))
                .count() as u32,
        };
        let received = letters.iter().map(|l| l.received).sum();
        let replied = letters.iter().map(|l| l.replied).sum();
        let dead = self
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Dead { .. }))
            .count() as u32;
        Summary {
            websites: sites,
            accounts,
            sample_rate: rate(
                sites.checked + accounts.checked,
                sites.registered + accounts.registered,
            ),
            pass_rate: rate(
                sites.passed + accounts.passed,
                sites.checked + accounts.checked,
            ),
            letters: LettersTotal {
                received,
                replied,
                reply_rate: rate(replied, received),
            },
            jobs: JobCounts {
                total: (self.results.len() + self.unread) as u32,
                dead,
            },
            ipv6: self.ipv6_counts,
        }
    }
}
