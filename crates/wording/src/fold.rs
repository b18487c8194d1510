//! Folding the forms a phrase may be written in onto one, so one pattern catches them all.
//!
//! Pages mix full-width and half-width letters and digits (`ＣＰＣ`, `２０２０`) and some are written
//! in traditional characters. Both the dictionary's phrases and the page text are folded the same
//! way before matching: full-width ASCII (U+FF01–U+FF5E) and the ideographic space become their
//! half-width forms, and every traditional character becomes its simplified one by OpenCC's
//! character table (`TSCharacters`, shipped by the `hanconv` crate; the first candidate is
//! taken). Folding is character for character — OpenCC's phrase table is not used — so every
//! character of the folded text stands for exactly one of the original, and match offsets map
//! back exactly.

use std::collections::HashMap;
use std::sync::LazyLock;

use hanconv::RawDictionary;

use crate::offsets::OffsetMap;

/// The block of the table kept as a dense array: CJK Extension A and the Unified Ideographs,
/// where nearly every traditional character lies. The few others go into a hash map.
const DENSE_FIRST: u32 = 0x3400;
const DENSE_LAST: u32 = 0x9FFF;

struct Table {
    /// Simplified form per character of the dense block; `'\0'` for "unchanged".
    dense: Vec<char>,
    other: HashMap<char, char>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table {
        dense: vec!['\0'; (DENSE_LAST - DENSE_FIRST + 1) as usize],
        other: HashMap::new(),
    };
    for (traditional, simplified) in RawDictionary::TSCharacters.iter() {
        let mut from = traditional.chars();
        let mut to = simplified.chars();
        let (Some(from), None, Some(to), None) = (from.next(), from.next(), to.next(), to.next())
        else {
            continue;
        };
        if from == to {
            continue;
        }
        match u32::from(from) {
            code @ DENSE_FIRST..=DENSE_LAST => table.dense[(code - DENSE_FIRST) as usize] = to,
            _ => {
                table.other.insert(from, to);
            }
        }
    }
    table
});

/// The folded form of one character.
pub(crate) fn fold_char(c: char) -> char {
    let code = u32::from(c);
    match code {
        0..=0x7F => c,
        0x3000 => ' ',
        0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        DENSE_FIRST..=DENSE_LAST => match TABLE.dense[(code - DENSE_FIRST) as usize] {
            '\0' => c,
            simplified => simplified,
        },
        _ => TABLE.other.get(&c).copied().unwrap_or(c),
    }
}

/// The folded form of a phrase (for patterns, where offsets do not matter).
pub(crate) fn fold_str(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// A folded text with the way back to the original's offsets.
pub(crate) struct Folded {
    pub(crate) text: String,
    pub(crate) map: OffsetMap,
}

/// Folds a text character for character, recording where byte lengths change.
pub(crate) fn fold(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut map = OffsetMap::default();
    // The run of characters copied unchanged in length since the last change.
    let (mut run_source, mut run_derived) = (0, 0);
    for (at, c) in s.char_indices() {
        let folded = fold_char(c);
        if folded.len_utf8() != c.len_utf8() {
            map.copied(run_derived, run_source, at - run_source);
            map.replaced(text.len(), folded.len_utf8(), at, c.len_utf8());
            run_source = at + c.len_utf8();
            run_derived = text.len() + folded.len_utf8();
        }
        text.push(folded);
    }
    map.copied(run_derived, run_source, s.len() - run_source);
    Folded { text, map }
}

#[cfg(test)]
mod tests {
    use super::{fold, fold_str};

    #[test]
    fn full_width_and_traditional_forms_fold_to_one() {
        assert_eq!(fold_str("中華人民共和國"), "中华人民共和国");
        assert_eq!(fold_str("國務院辦公廳"), "国务院办公厅");
        assert_eq!(fold_str("ＣＰＣ　２０２０"), "CPC 2020");
        assert_eq!(fold_str("习近平新时代"), "习近平新时代");
    }

    #[test]
    fn offsets_map_back_across_changed_lengths() {
        let original = "ＡＢ中華x";
        let folded = fold(original);
        assert_eq!(folded.text, "AB中华x");
        let hua = folded.text.find('华').unwrap();
        assert_eq!(&original[folded.map.start(hua)..], "華x");
        assert_eq!(folded.map.end(folded.text.len()), original.len());
        assert_eq!(folded.map.end(1), "Ａ".len());
        assert_eq!(folded.map.start(1), "Ａ".len());
        assert_eq!(folded.map.end(hua), "ＡＢ中".len());
    }
}
