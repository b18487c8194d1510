//! The figures a column's items give: updates on disclosure columns, interviews held, and
//! letters received and replied per handling unit (with `letters.unanswered` for a letter
//! left too long).

use chrono::NaiveDate;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::outcome::{ColumnOutcome, Item};
use spotcheck_core::registry::{ColumnType, Website};

use super::{Computation, item_date};
use crate::model::Finding;

impl<'a> Computation<'a> {
    /// Update counts, letters and interviews from a column's items.
    pub(super) fn column_figures(&mut self, site: &'a Website, column: usize, out: &ColumnOutcome) {
        let Some(col) = site.columns.get(column) else {
            return;
        };
        let window = self.round.window;
        let as_of = self.round.as_of;
        let unit = self.unit_name(col.unit_or(site));
        match col.kind {
            ColumnType::Disclosure => {
                let n = out
                    .items
                    .iter()
                    .filter(|i| i.date.is_some_and(|d| window.contains(d)))
                    .count() as u32;
                *self.updates.entry(unit).or_insert(0) += n;
            }
            ColumnType::Interview => {
                let n = out
                    .items
                    .iter()
                    .filter(|i| i.date.is_some_and(|d| window.contains(d)))
                    .count() as u32;
                *self.interviews.entry(unit).or_insert(0) += n;
            }
            ColumnType::Letters => {
                let limit = self.round.plan.letters.unanswered_veto.days();
                for item in &out.items {
                    let label = item.unit.as_deref().unwrap_or("").trim();
                    let handler = self
                        .reg
                        .unit_by_label(label)
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| {
                            if label.is_empty() {
                                unit.clone()
                            } else {
                                label.to_string()
                            }
                        });
                    let replied = letter_replied(item, as_of);
                    let received = item_date(item);
                    if let Some(d) = received {
                        if window.contains(d) {
                            let e = self.letters.entry(handler.clone()).or_insert((0, 0));
                            e.0 += 1;
                            if replied {
                                e.1 += 1;
                            }
                        }
                        if !replied && d <= as_of && (as_of - d).num_days() > limit {
                            self.vetoed_sites.insert(&site.id);
                            self.findings.push(Finding {
                                indicator: Indicator::LetterUnanswered,
                                severity: Severity::Veto,
                                unit: handler,
                                target: col.name.clone(),
                                url: item.url.as_ref().map(|u| u.to_string()),
                                detail: format!(
                                    "{}：留言“{}”于{d}收到，截至{as_of}已{}天未回复",
                                    site.name,
                                    item.title,
                                    (as_of - d).num_days()
                                ),
                                pages: Vec::new(),
                                menu_path: None,
                                website: Some(site.id.clone()),
                                account: None,
                                margin: None,
                                wording: None,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// A letter counts as replied when the board says so (or shows an answer date) by `as_of`.
fn letter_replied(item: &Item, as_of: NaiveDate) -> bool {
    let answered_in_time = item.answered.is_none_or(|d| d <= as_of);
    match item.replied {
        Some(true) => answered_in_time,
        Some(false) => false,
        None => item.answered.is_some_and(|d| d <= as_of),
    }
}
