//! The built-in dictionary: it parses, it is big enough, and it never flags correct text.

use std::collections::HashSet;

use spotcheck_wording::{Dictionary, Matcher, Severity};

#[test]
fn parses_with_hundreds_of_entries_and_no_duplicates() {
    let dictionary = Dictionary::builtin();
    let entries = dictionary.entries();
    assert!(entries.len() >= 300, "{} entries", entries.len());
    let mut seen = HashSet::new();
    for entry in entries {
        assert!(seen.insert(&entry.wrong), "{} listed twice", entry.wrong);
    }
    let veto = entries
        .iter()
        .filter(|e| e.severity == Severity::Veto)
        .count();
    assert!(veto >= 50, "{veto} veto entries");
    for name in [
        "中华人民共和国",
        "中国共产党",
        "全国人民代表大会",
        "中国人民政治协商会议",
        "国务院",
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e.severity == Severity::Veto && e.right.contains(name)),
            "no misspelling of {name}"
        );
    }
}

/// Every worker holds a round's matcher: as a full DFA the built-in dictionary's automaton took
/// 2.3 MB, a twentieth of a whole link-checking process's peak memory.
#[test]
fn the_builtin_automaton_stays_small() {
    let matcher = Matcher::new(&Dictionary::builtin());
    let bytes = matcher.automata_bytes();
    assert!(bytes > 0, "the matcher has an automaton");
    assert!(bytes <= 512 * 1024, "{bytes} bytes of automata");
}

#[test]
fn no_right_text_and_no_allowed_phrase_is_flagged() {
    let dictionary = Dictionary::builtin();
    let matcher = Matcher::new(&dictionary);
    for entry in dictionary.entries() {
        let hits = matcher.find(&entry.right);
        assert!(
            hits.is_empty(),
            "right {:?} of {:?} gives {hits:?}",
            entry.right,
            entry.wrong
        );
    }
    for phrase in dictionary.allowed() {
        let hits = matcher.find(phrase);
        assert!(hits.is_empty(), "allowed {phrase:?} gives {hits:?}");
    }
}

#[test]
fn every_wrong_phrase_is_found_as_itself() {
    let dictionary = Dictionary::builtin();
    let matcher = Matcher::new(&dictionary);
    for entry in dictionary.entries() {
        let hits = matcher.find(&entry.wrong);
        assert_eq!(hits.len(), 1, "{:?} gives {hits:?}", entry.wrong);
        assert_eq!((hits[0].start, hits[0].end), (0, entry.wrong.len()));
        assert_eq!(hits[0].wrong, entry.wrong);
        assert_eq!(hits[0].right, entry.right);
        assert_eq!(hits[0].severity, entry.severity);
    }
}

#[test]
fn every_allowed_phrase_protects_some_wrong_phrase() {
    let dictionary = Dictionary::builtin();
    for phrase in dictionary.allowed() {
        assert!(
            dictionary
                .entries()
                .iter()
                .any(|e| phrase.contains(&e.wrong)),
            "allowed {phrase:?} contains no wrong phrase: it protects nothing"
        );
    }
}
