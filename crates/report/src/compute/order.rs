//! The findings' order and the notice's 主要问题: catalogue order, then severity, then the
//! registry's unit order, so the same results always read the same.

use std::collections::HashMap;

use super::Computation;
use crate::model::{Finding, Problem};

impl Computation<'_> {
    /// Sorts the findings by indicator, severity, the unit's place in the registry, then
    /// their text, so no two orders of the results give two reports.
    pub(super) fn sort_findings(&mut self) {
        let rank: HashMap<&str, usize> = self
            .reg
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.as_str(), i))
            .collect();
        let r = |n: &str| rank.get(n).copied().unwrap_or(usize::MAX);
        self.findings.sort_by(|a, b| {
            (
                a.indicator,
                a.severity,
                r(&a.unit),
                &a.unit,
                &a.target,
                &a.url,
                &a.detail,
            )
                .cmp(&(
                    b.indicator,
                    b.severity,
                    r(&b.unit),
                    &b.unit,
                    &b.target,
                    &b.url,
                    &b.detail,
                ))
        });
    }
}

/// Sorted findings grouped by indicator, each unit once, for the notice's 主要问题; a
/// warning or a notice is listed, never a problem.
pub(super) fn problems(findings: &[Finding]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = Vec::new();
    for f in findings.iter().filter(|f| f.severity.is_problem()) {
        match problems.last_mut() {
            Some(p) if p.indicator == f.indicator => {
                if !p.units.contains(&f.unit) {
                    p.units.push(f.unit.clone());
                }
            }
            _ => problems.push(Problem {
                indicator: f.indicator,
                units: vec![f.unit.clone()],
            }),
        }
    }
    problems
}
