//! Mapping byte offsets of a derived text back to the text it was derived from.
//!
//! Both derivations this crate makes — page text out of HTML, folded text out of page text —
//! copy most bytes unchanged, replace a few pieces (a character reference by its character, a
//! full-width letter by its half-width one) and insert a few characters of their own (a line
//! break between blocks). The map is a list of segments, each either copied (offsets advance
//! together) or replaced (only its two ends correspond), so a page's map costs memory in
//! proportion to its rewrites and breaks, not its length.
//!
//! A start and an end offset are mapped differently where two segments meet: in
//! `<b>共合</b>国` the derived offset between 合 and 国 is the end of one source run (before
//! `</b>`) and the start of the next (after it). [`OffsetMap::start`] and [`OffsetMap::end`]
//! give the source range that holds exactly the derived range's characters.

/// One piece of the derived text and where it came from.
#[derive(Debug, Clone, Copy)]
struct Segment {
    derived: usize,
    source: usize,
    derived_len: usize,
    source_len: usize,
    /// Copied byte for byte (else replaced as a whole).
    copied: bool,
}

impl Segment {
    fn derived_end(&self) -> usize {
        self.derived + self.derived_len
    }

    fn source_end(&self) -> usize {
        self.source + self.source_len
    }
}

/// Segments of a derivation, in increasing derived and source order.
#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    /// Records `len` bytes copied from `source` to `derived`.
    pub(crate) fn copied(&mut self, derived: usize, source: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut()
            && last.copied
            && last.derived_end() == derived
            && last.source_end() == source
        {
            last.derived_len += len;
            last.source_len += len;
            return;
        }
        self.segments.push(Segment {
            derived,
            source,
            derived_len: len,
            source_len: len,
            copied: true,
        });
    }

    /// Records that `source_len` source bytes at `source` became `derived_len` bytes at
    /// `derived`.
    pub(crate) fn replaced(
        &mut self,
        derived: usize,
        derived_len: usize,
        source: usize,
        source_len: usize,
    ) {
        self.segments.push(Segment {
            derived,
            source,
            derived_len,
            source_len,
            copied: false,
        });
    }

    /// The source offset where the character starting at derived offset `at` comes from.
    pub(crate) fn start(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.derived <= at);
        let Some(segment) = i.checked_sub(1).map(|i| self.segments[i]) else {
            return self.segments.first().map_or(at, |s| s.source);
        };
        if at < segment.derived_end() {
            return match segment.copied {
                true => segment.source + (at - segment.derived),
                false => segment.source,
            };
        }
        // In a gap of inserted characters, or past the end: where the next source text starts.
        self.segments
            .get(i)
            .map_or(segment.source_end(), |next| next.source)
    }

    /// The source offset where the character ending at derived offset `at` ends.
    pub(crate) fn end(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.derived < at);
        let Some(segment) = i.checked_sub(1).map(|i| self.segments[i]) else {
            return self.segments.first().map_or(at, |s| s.source);
        };
        if segment.copied && at < segment.derived_end() {
            return segment.source + (at - segment.derived);
        }
        // The end of a replaced piece, of a run, or of the text before a gap.
        segment.source_end()
    }
}

#[cfg(test)]
mod tests {
    use super::OffsetMap;

    #[test]
    fn copied_runs_advance_together_and_replacements_map_whole() {
        // source "a&amp;b" → derived "a&b".
        let mut map = OffsetMap::default();
        map.copied(0, 0, 1);
        map.replaced(1, 1, 1, 5);
        map.copied(2, 6, 1);
        assert_eq!((map.start(0), map.end(1)), (0, 1));
        assert_eq!((map.start(1), map.end(2)), (1, 6));
        assert_eq!((map.start(2), map.end(3)), (6, 7));
    }

    #[test]
    fn where_two_runs_meet_a_start_and_an_end_differ() {
        // source "<b>ab</b>c" → derived "abc": runs at 3..5 and 9..10.
        let mut map = OffsetMap::default();
        map.copied(0, 3, 2);
        map.copied(2, 9, 1);
        assert_eq!(map.end(2), 5);
        assert_eq!(map.start(2), 9);
        assert_eq!((map.start(0), map.end(3)), (3, 10));
    }

    #[test]
    fn inserted_characters_map_to_the_text_around_them() {
        // source "<p>ab</p><p>c</p>" → derived "ab\nc".
        let mut map = OffsetMap::default();
        map.copied(0, 3, 2);
        map.copied(3, 12, 1);
        assert_eq!(map.start(2), 12);
        assert_eq!(map.end(3), 5);
        assert_eq!((map.start(3), map.end(4)), (12, 13));
    }

    #[test]
    fn an_empty_map_is_the_identity_and_runs_merge() {
        assert_eq!(OffsetMap::default().start(42), 42);
        let mut map = OffsetMap::default();
        map.copied(0, 0, 5);
        map.copied(5, 5, 4);
        assert_eq!(map.segments.len(), 1);
    }
}
