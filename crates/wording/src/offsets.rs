//! Mapping byte offsets of a derived text back to the text it was derived from.
//!
//! Both derivations this crate makes — page text out of HTML, folded text out of page text —
//! copy most bytes unchanged and rewrite a few spots (a character reference, a full-width
//! letter, a separator between blocks). A map therefore stores only checkpoints: pairs of
//! (derived, source) offsets where an unchanged run starts. Between two checkpoints the offsets
//! advance together, so a lookup is a binary search plus an addition, and a page's map costs
//! memory in proportion to its rewrites, not its length.

/// Checkpoints of a derivation, in increasing derived (and source) order.
#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    /// `(derived, source)`: from `derived` on, bytes were copied from `source` on.
    checkpoints: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// Records that the derived text from `derived` on copies the source from `source` on.
    pub(crate) fn copy_from(&mut self, derived: usize, source: usize) {
        if let Some(last) = self.checkpoints.last_mut() {
            if last.0 == derived {
                *last = (derived, source);
                return;
            }
            if derived - last.0 == source.wrapping_sub(last.1) {
                return;
            }
        }
        self.checkpoints.push((derived, source));
    }

    /// The source offset of a derived offset that starts or ends an unchanged run or a
    /// rewritten piece (every match boundary does: patterns never cut a rewritten piece).
    pub(crate) fn source(&self, derived: usize) -> usize {
        let i = self.checkpoints.partition_point(|&(d, _)| d <= derived);
        match i.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((d, s)) => s + (derived - d),
            None => derived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OffsetMap;

    #[test]
    fn runs_between_checkpoints_advance_together() {
        // source "a&amp;b" → derived "a&b": the reference is one rewritten piece.
        let mut map = OffsetMap::default();
        map.copy_from(0, 0);
        map.copy_from(1, 1);
        map.copy_from(2, 6);
        assert_eq!(map.source(0), 0);
        assert_eq!(map.source(1), 1);
        assert_eq!(map.source(2), 6);
        assert_eq!(map.source(3), 7);
    }

    #[test]
    fn an_empty_map_is_the_identity() {
        assert_eq!(OffsetMap::default().source(42), 42);
    }

    #[test]
    fn redundant_checkpoints_are_not_stored() {
        let mut map = OffsetMap::default();
        map.copy_from(0, 0);
        map.copy_from(5, 5);
        map.copy_from(9, 9);
        assert_eq!(map.checkpoints.len(), 1);
    }
}
