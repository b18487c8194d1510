//! A letters board as generated: its header, its column order and its letters.

use chrono::{Days, NaiveDate};

use super::World;
use crate::generate::{self, TitleKind};
use crate::scenario::{self, LetterField, LetterLabels};

pub(crate) struct Board {
    pub labels: LetterLabels,
    pub order: Vec<LetterField>,
    /// Newest first.
    pub letters: Vec<Letter>,
}

pub(crate) struct Letter {
    pub title: String,
    pub unit: String,
    /// The unit as the board shows it: its name or an alias.
    pub label: String,
    pub received: NaiveDate,
    pub answered: Option<NaiveDate>,
    pub status: String,
    pub path: String,
    pub sender: String,
}

impl World {
    pub(super) fn board(&self, ci: usize, c: &scenario::Column, dir: &str) -> Board {
        let (from, to) = self.scenario.meta.window;
        let as_of = self.scenario.meta.as_of;
        let replied_words = c
            .replied_status
            .clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["已回复".into(), "已办结".into()]);
        let pending_words = c
            .pending_status
            .clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["办理中".into(), "未回复".into()]);
        let mut letters = Vec::new();
        for (k, spec) in c.letters.iter().enumerate() {
            let unit = self.scenario.unit(&spec.unit);
            let name = unit.map(|u| u.name.clone()).unwrap_or_default();
            let alias = unit.and_then(|u| u.aliases.first().cloned());
            // (received, answered?) in ascending order of receipt.
            let mut dated: Vec<(NaiveDate, bool)> = Vec::new();
            let salt = generate::hash(&[self.seed(), 3, ci as u64, k as u64]);
            let (b0, b1) = (from - Days::new(182), from - Days::new(1));
            dated.extend(
                generate::jitter(generate::spread(spec.before, b0, b1), b0, b1, salt ^ 1)
                    .into_iter()
                    .map(|d| (d, true)),
            );
            let replied = spec.replied.unwrap_or(spec.in_window);
            dated.extend(
                generate::jitter(
                    generate::spread(spec.in_window, from, to),
                    from,
                    to,
                    salt ^ 2,
                )
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, (i as u32) < replied)),
            );
            if spec.after > 0 {
                let answered_after = spec.after - spec.pending;
                let (a0, a1) = (to + Days::new(1), as_of - Days::new(1));
                dated.extend(
                    generate::jitter(generate::spread(spec.after, a0, a1), a0, a1, salt ^ 3)
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| (d, (i as u32) < answered_after)),
                );
            }
            let titles = generate::titles(TitleKind::Letter, "", salt, dated.len());
            for (n, ((received, answered), title)) in dated.into_iter().zip(titles).enumerate() {
                let h = generate::hash(&[salt, n as u64]);
                let answered = answered.then(|| (received + Days::new(1 + h % 7)).min(as_of));
                let label = match &alias {
                    Some(a)
                        if spec.alias_every > 0
                            && n as u32 % spec.alias_every == spec.alias_every - 1 =>
                    {
                        a.clone()
                    }
                    _ => name.clone(),
                };
                let status = if answered.is_some() {
                    replied_words[n % replied_words.len()].clone()
                } else {
                    pending_words[n % pending_words.len()].clone()
                };
                letters.push((
                    h,
                    Letter {
                        title,
                        unit: spec.unit.clone(),
                        label,
                        received,
                        answered,
                        status,
                        path: String::new(),
                        sender: generate::sender(h),
                    },
                ));
            }
        }
        // Newest first; letters of one day in a fixed but mixed order, as boards list them.
        letters.sort_by(|a, b| b.1.received.cmp(&a.1.received).then(a.0.cmp(&b.0)));
        let total = letters.len();
        let letters = letters
            .into_iter()
            .enumerate()
            .map(|(i, (_, mut l))| {
                l.path = format!("{dir}letter_{}.html", 20_000 + total - i);
                l
            })
            .collect();
        Board {
            labels: c.labels.clone().unwrap_or_default(),
            order: c.order.clone().unwrap_or_else(|| {
                vec![
                    LetterField::Title,
                    LetterField::Unit,
                    LetterField::Received,
                    LetterField::Status,
                    LetterField::Replied,
                ]
            }),
            letters,
        }
    }
}
