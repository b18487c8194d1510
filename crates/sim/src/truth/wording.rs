//! The wording errors served now: each planted sentence still wrong, on a page that answers.

use super::WordingError;
use crate::scenario::HOMEPAGE;
use crate::world::{World, active};

impl World {
    pub(super) fn wording_errors(&self, rectified: bool) -> Vec<WordingError> {
        let mut out = Vec::new();
        for (si, spec) in self.scenario.sites.iter().enumerate() {
            let site = &self.sites[si];
            if site.is_down(rectified) {
                continue;
            }
            for w in spec.wording.iter().filter(|w| active(w.persist, rectified)) {
                let (unit, url) = if w.page == HOMEPAGE {
                    (site.unit.as_str(), site.url())
                } else {
                    let Some(c) = site
                        .columns
                        .iter()
                        .map(|&ci| &self.columns[ci])
                        .find(|c| c.name == w.page)
                    else {
                        continue;
                    };
                    let Some(newest) = c.items.first() else {
                        continue;
                    };
                    (c.unit.as_str(), c.item_url(newest))
                };
                out.push(WordingError {
                    unit: unit.to_string(),
                    unit_name: self.unit_name(unit).to_string(),
                    url,
                    wrong: w.wrong.clone(),
                    right: w.right.clone(),
                    severity: w.severity.clone(),
                });
            }
        }
        out
    }
}
