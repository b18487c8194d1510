//! A leader's name written with one wrong character next to the leader's title.
//!
//! A misspelt leader's name is a veto, but a name alone is too short to match loosely
//! everywhere: 张三 against 张山 would flag every other 张 on a page. So the rule looks only
//! right after the leader's title (`市长张山`, `市长：张山`, `市长 张山`): the characters
//! there, as many as the name has, that differ from the name in exactly one place and are all
//! Chinese characters, are the name written wrong. A deputy's title is not the leader's:
//! `副市长张山` is not checked against the 市长's name. A text that is another given leader's
//! name is never flagged.

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::dictionary::{Leader, Severity};
use crate::fold::fold_str;
use crate::matcher::RawHit;

/// Spacing and punctuation that may stand between a title and the name (at most two of them).
const GAP: &[char] = &[' ', '\u{a0}', '\t', ':', '：', '•'];
const MAX_GAP: usize = 2;

/// The leader rule for a round: the titles' automaton and the names after each title.
pub(crate) struct LeaderRule {
    titles: AhoCorasick,
    /// Per title pattern: (folded name as characters, leader) for each leader with that title.
    by_title: Vec<Vec<(Vec<char>, Leader)>>,
    /// Every leader's folded name: never a misspelling of another leader's.
    names: HashSet<String>,
}

impl LeaderRule {
    /// Heap bytes of the titles' automaton.
    pub(crate) fn automaton_bytes(&self) -> usize {
        self.titles.memory_usage()
    }

    /// `None` when there are no leaders.
    pub(crate) fn new(leaders: &[Leader]) -> Option<LeaderRule> {
        let mut titles: Vec<String> = Vec::new();
        let mut by_title: Vec<Vec<(Vec<char>, Leader)>> = Vec::new();
        for leader in leaders {
            let title = fold_str(&leader.title);
            let i = titles.iter().position(|t| *t == title).unwrap_or_else(|| {
                titles.push(title);
                by_title.push(Vec::new());
                titles.len() - 1
            });
            by_title[i].push((fold_str(&leader.name).chars().collect(), leader.clone()));
        }
        if titles.is_empty() {
            return None;
        }
        let titles = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&titles)
            .ok()?;
        let names = leaders.iter().map(|l| fold_str(&l.name)).collect();
        Some(LeaderRule {
            titles,
            by_title,
            names,
        })
    }

    /// Appends the misspelt names found in a folded text.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<RawHit>) {
        for title in self.titles.find_overlapping_iter(text) {
            let leaders = &self.by_title[title.pattern().as_usize()];
            let written_title = &text[title.start()..title.end()];
            if !written_title.starts_with('副') && text[..title.start()].ends_with('副') {
                continue;
            }
            let after = &text[title.end()..];
            let gap: usize = after
                .chars()
                .take(MAX_GAP)
                .take_while(|c| GAP.contains(c))
                .map(char::len_utf8)
                .sum();
            let start = title.end() + gap;
            for (name, leader) in leaders {
                let len: usize = text[start..]
                    .chars()
                    .take(name.len())
                    .map(char::len_utf8)
                    .sum();
                let written = &text[start..start + len];
                if written.chars().count() != name.len() {
                    continue;
                }
                // Written as a name: Chinese characters, or the name's own (`·` in 买买提·艾力).
                let name_like = written.chars().zip(name).all(|(w, n)| is_han(w) || w == *n);
                if !name_like || self.names.contains(written) {
                    continue;
                }
                let differing = written.chars().zip(name).filter(|(a, b)| a != *b).count();
                if differing == 1 {
                    out.push(RawHit {
                        start,
                        end: start + written.len(),
                        right: leader.name.clone(),
                        severity: Severity::Veto,
                        note: format!("领导姓名错误：{}{}", leader.title, leader.name),
                    });
                }
            }
        }
    }
}

/// Whether a character is a Chinese character (CJK ideograph), as names are written.
fn is_han(c: char) -> bool {
    matches!(u32::from(c),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}
