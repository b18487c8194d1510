//! `[wording]`: which dictionaries of wrong phrases a round reads pages with, and how many
//! articles of each column it opens.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Most articles a round may open per column: reading text is a spot-check, not a mirror.
pub const MAX_ARTICLES_PER_COLUMN: u32 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Wording {
    /// Dictionary files (TOML of `[[entries]] wrong, right, severity, note` and `allowed`),
    /// relative to the plan's folder; a later file's entry replaces an earlier one with the
    /// same wrong phrase. Read when a round starts, so workers need no copy of them.
    pub dictionaries: Vec<PathBuf>,
    /// Also match the built-in dictionary (the state's, the Party's and the institutions'
    /// names, standard formulations, common typos).
    pub builtin: bool,
    /// The newest articles of each column whose text is read (0: list pages only).
    pub articles_per_column: u32,
}

impl Default for Wording {
    fn default() -> Self {
        Wording {
            dictionaries: Vec::new(),
            builtin: true,
            articles_per_column: 5,
        }
    }
}
