//! Wording errors planted in a site's text: a wrong phrase (a misspelt name of the state, a
//! leader's name written wrong, a typo) in a sentence on the homepage or in the newest article
//! of one of the site's columns.

use serde::Deserialize;

/// A sentence with a wrong phrase, served until [`crate::Sim::rectify`] (with `right` in
/// place of `wrong` afterwards) unless it persists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordingPlant {
    /// `homepage`, or the name of one of the site's columns: its newest article.
    pub page: String,
    /// The sentence as served; it contains `wrong` once.
    pub text: String,
    pub wrong: String,
    pub right: String,
    /// How a dictionary weighs it: `veto` or `deduct`.
    pub severity: String,
    /// Still there after rectification.
    #[serde(default)]
    pub persist: bool,
}

/// Where a plant is served.
pub const HOMEPAGE: &str = "homepage";

impl WordingPlant {
    /// The sentence as served now.
    pub fn served(&self, corrected: bool) -> String {
        if corrected {
            self.text.replacen(&self.wrong, &self.right, 1)
        } else {
            self.text.clone()
        }
    }
}

/// A unit's leader, as the registry names it (`[[units.leaders]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    pub name: String,
    pub title: String,
}
