//! Property: on random text with dictionary entries inserted at random places, the matcher
//! finds exactly the inserted entries at their offsets.
//!
//! The filler is drawn from characters that occur in no wrong or allowed phrase, even once
//! folded, so it can never form or extend a phrase; it includes full-width letters, whose
//! folded form is shorter, so offsets are checked across changed lengths too. Inserted phrases
//! are never adjacent (one filler character at least between them).

use std::collections::HashSet;
use std::sync::LazyLock;

use proptest::prelude::*;

use crate::fold::fold_char;
use crate::{Dictionary, Matcher};

struct Setup {
    dictionary: Dictionary,
    matcher: Matcher,
    filler: Vec<char>,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dictionary = Dictionary::builtin();
    let used: HashSet<char> = dictionary
        .entries()
        .iter()
        .map(|e| e.wrong.as_str())
        .chain(dictionary.allowed().iter().map(String::as_str))
        .flat_map(str::chars)
        .map(fold_char)
        .collect();
    let candidates = ('\u{4e00}'..='\u{9fa5}')
        .chain('\u{ff21}'..='\u{ff3a}')
        .chain('a'..='z')
        .chain("0123456789 \n，。、“”：".chars());
    let filler = candidates
        .filter(|c| !used.contains(c) && !used.contains(&fold_char(*c)))
        .collect();
    let matcher = Matcher::new(&dictionary);
    Setup {
        dictionary,
        matcher,
        filler,
    }
});

fn segments() -> impl Strategy<Value = Vec<(Vec<prop::sample::Index>, Option<prop::sample::Index>)>>
{
    prop::collection::vec(
        (
            prop::collection::vec(any::<prop::sample::Index>(), 1..12),
            prop::option::of(any::<prop::sample::Index>()),
        ),
        0..24,
    )
}

proptest! {
    #[test]
    fn finds_exactly_the_inserted_entries(segments in segments()) {
        let setup = &*SETUP;
        let entries = setup.dictionary.entries();
        let mut text = String::new();
        let mut expected = Vec::new();
        for (filler, entry) in segments {
            text.extend(filler.iter().map(|i| *i.get(&setup.filler)));
            if let Some(entry) = entry {
                let wrong = &entry.get(entries).wrong;
                expected.push((text.len(), text.len() + wrong.len(), wrong.clone()));
                text.push_str(wrong);
            }
        }
        let found: Vec<_> = setup
            .matcher
            .find(&text)
            .into_iter()
            .map(|h| (h.start, h.end, h.wrong))
            .collect();
        prop_assert_eq!(found, expected);
    }
}

#[test]
fn the_filler_is_wide_enough_to_be_random() {
    assert!(SETUP.filler.len() > 1000, "{}", SETUP.filler.len());
    assert!(SETUP.filler.contains(&'Ａ'));
}
