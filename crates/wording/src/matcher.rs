//! Finding a dictionary's wrong phrases and misspelt leaders' names in a text.
//!
//! One Aho–Corasick automaton holds every wrong phrase (folded, see [`crate::fold`]) and runs
//! leftmost-longest, so a longer wrong phrase wins over a wrong phrase inside it. It is built
//! once per round ([`Matcher::new`]) and then reads each page in one pass.
//!
//! Allowed phrases are checked only where a wrong phrase was found: each wrong phrase knows
//! the allowed phrases that contain it and where, so a hit is dropped when the text around it
//! spells one of them. The search then resumes one character after the dropped hit's start
//! (not after its end), so a wrong phrase overlapping the allowed one's tail is still found.

use std::ops::Range;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use crate::dictionary::{Dictionary, Entry, Severity};
use crate::fold::{fold, fold_str};
use crate::leaders::LeaderRule;
use crate::page_text::PageText;

/// Characters of context kept on each side of a hit.
const CONTEXT_CHARS: usize = 20;

/// A wrong phrase (or misspelt leader's name) found in a text. Serializable, so a worker can
/// send it in its result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// Byte offsets of the wrong text in the text searched (for [`Matcher::find_in_html`]:
    /// in the HTML source).
    pub start: usize,
    pub end: usize,
    /// The wrong text as written on the page (traditional or full-width forms kept).
    pub wrong: String,
    pub right: String,
    pub severity: Severity,
    pub note: String,
    /// Up to 20 characters before, the wrong text, and up to 20 after, as read on the page
    /// (runs of whitespace and line breaks shown as one space).
    pub context: String,
}

/// A hit in folded-text offsets, before it is mapped back and given its context.
pub(crate) struct RawHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) right: String,
    pub(crate) severity: Severity,
    pub(crate) note: String,
}

/// A wrong phrase of the automaton and the allowed phrases that contain it.
struct Phrase {
    entry: Entry,
    /// (folded allowed phrase, byte offset of the wrong phrase inside it), for every place.
    allowed: Vec<(String, usize)>,
}

/// A round's matcher: build once, search every page.
pub struct Matcher {
    phrases: Option<(AhoCorasick, Vec<Phrase>)>,
    leaders: Option<LeaderRule>,
}

impl Matcher {
    pub fn new(dictionary: &Dictionary) -> Matcher {
        let allowed: Vec<String> = dictionary.allowed().iter().map(|a| fold_str(a)).collect();
        let mut patterns = Vec::new();
        let mut phrases = Vec::new();
        for entry in dictionary.entries() {
            let wrong = fold_str(&entry.wrong);
            let containing = allowed
                .iter()
                .flat_map(|a| a.match_indices(&wrong).map(move |(at, _)| (a.clone(), at)))
                .collect();
            patterns.push(wrong);
            phrases.push(Phrase {
                entry: entry.clone(),
                allowed: containing,
            });
        }
        // The automaton's form is the crate's choice: for a dictionary of hundreds of phrases
        // a contiguous NFA (111 KB for the built-in one) reads pages as fast as a full DFA
        // (2.3 MB) in the wording bench, and a round's matcher sits in every worker. Building
        // fails only when the automaton would need more than 2^31 states, far beyond any
        // dictionary that fits in memory.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        Matcher {
            phrases: automaton
                .filter(|_| !patterns.is_empty())
                .map(|a| (a, phrases)),
            leaders: LeaderRule::new(dictionary.leaders()),
        }
    }

    /// Heap bytes of the search automata (phrases and leaders' titles): a worker keeps one
    /// matcher for each round it has jobs of.
    pub fn automata_bytes(&self) -> usize {
        self.phrases.as_ref().map_or(0, |(a, _)| a.memory_usage())
            + self.leaders.as_ref().map_or(0, LeaderRule::automaton_bytes)
    }

    /// Every wrong phrase and misspelt leader's name in a text, in order; offsets and context
    /// are the text's.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        self.find_mapped(text, |range| range)
    }

    /// Every wrong phrase and misspelt leader's name in a page's visible text (see
    /// [`PageText`]); offsets are the HTML source's, context is the visible text's.
    pub fn find_in_html(&self, html: &str) -> Vec<Hit> {
        let page = PageText::from_html(html);
        self.find_mapped(page.as_str(), |range| page.source_range(range))
    }

    fn find_mapped(
        &self,
        text: &str,
        to_source: impl Fn(Range<usize>) -> Range<usize>,
    ) -> Vec<Hit> {
        let folded = fold(text);
        let mut raw = Vec::new();
        if let Some((automaton, phrases)) = &self.phrases {
            find_phrases(automaton, phrases, &folded.text, &mut raw);
        }
        if let Some(leaders) = &self.leaders {
            leaders.find(&folded.text, &mut raw);
        }
        raw.sort_by_key(|h| (h.start, h.end));
        raw.dedup_by_key(|h| (h.start, h.end));
        raw.into_iter()
            .map(|h| {
                let (start, end) = (folded.map.start(h.start), folded.map.end(h.end));
                let source = to_source(start..end);
                Hit {
                    start: source.start,
                    end: source.end,
                    wrong: text[start..end].to_string(),
                    right: h.right,
                    severity: h.severity,
                    note: h.note,
                    context: context(text, start, end),
                }
            })
            .collect()
    }
}

/// Leftmost-longest wrong phrases of a folded text that no allowed phrase covers.
fn find_phrases(automaton: &AhoCorasick, phrases: &[Phrase], text: &str, out: &mut Vec<RawHit>) {
    let mut at = 0;
    while let Some(found) = automaton.find(Input::new(text).range(at..)) {
        let phrase = &phrases[found.pattern().as_usize()];
        let covered = phrase.allowed.iter().any(|(allowed, offset)| {
            found
                .start()
                .checked_sub(*offset)
                .and_then(|from| text.get(from..))
                .is_some_and(|rest| rest.starts_with(allowed.as_str()))
        });
        if covered {
            at = found.start()
                + text[found.start()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            continue;
        }
        out.push(RawHit {
            start: found.start(),
            end: found.end(),
            right: phrase.entry.right.clone(),
            severity: phrase.entry.severity,
            note: phrase.entry.note.clone(),
        });
        at = found.end();
    }
}

/// The hit with up to [`CONTEXT_CHARS`] characters on each side, whitespace runs as one space.
fn context(text: &str, start: usize, end: usize) -> String {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let to = text[end..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(text.len(), |(i, _)| end + i);
    let mut out = String::with_capacity(to - from);
    let mut space = false;
    for c in text[from..to].chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}
