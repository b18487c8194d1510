//! A round: one spot-check (or re-check) of a registry under a plan, for a window, as of a date.
//!
//! The round record carries every setting — the registry, the plan, saved menus and
//! dictionaries — so every worker in the pool applies the same rules no matter where it runs.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::plan::Plan;
use crate::registry::Registry;
use crate::window::Window;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoundId(pub String);

impl RoundId {
    /// A new id named after the quarter of `as_of` (`2020Q4-3f9a1c`), unique by `salt`.
    pub fn new(as_of: NaiveDate, salt: &str) -> RoundId {
        let q = as_of.month0() / 3 + 1;
        let digest = crate::fingerprint::short_hash(salt);
        RoundId(format!("{}Q{}-{}", as_of.year(), q, &digest[..6]))
    }

    /// Round ids appear in queue message and store key names: keep them to a safe alphabet.
    pub fn is_valid(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }
}

impl fmt::Display for RoundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundKind {
    Spot,
    Recheck,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub id: RoundId,
    pub kind: RoundKind,
    /// A re-check names the round it re-checks.
    pub parent: Option<RoundId>,
    pub window: Window,
    pub as_of: NaiveDate,
    pub registry: Registry,
    pub plan: Plan,
    /// Targets on loopback and private ranges are permitted (operator's choice).
    pub allow_private: bool,
    /// Saved menus (account id → the file's JSON), read once when the round starts so workers
    /// on other machines need no copy of the files.
    #[serde(default)]
    pub menus: BTreeMap<String, String>,
    /// The plan's dictionary files (`wording.dictionaries`), in order, read and validated
    /// once when the round starts, for the same reason.
    #[serde(default)]
    pub dictionaries: Vec<DictionaryText>,
    /// A re-check covers only the targets that had problems; `None` checks everything.
    #[serde(default)]
    pub scope: Option<Scope>,
}

/// A dictionary file of wrong phrases as the round carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryText {
    /// The file it was read from, to name it in messages.
    pub file: String,
    /// Its TOML text.
    pub text: String,
}

/// The websites and accounts (registry ids) a round checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub websites: Vec<String>,
    pub accounts: Vec<String>,
}

impl Scope {
    pub fn has_website(&self, id: &str) -> bool {
        self.websites.iter().any(|w| w == id)
    }
    pub fn has_account(&self, id: &str) -> bool {
        self.accounts.iter().any(|a| a == id)
    }
}

impl Round {
    /// Whether this round checks a website.
    pub fn checks_website(&self, id: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s.has_website(id))
    }

    /// Whether this round checks an account.
    pub fn checks_account(&self, id: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s.has_account(id))
    }

    /// Whether private targets are allowed, by the operator's flag or the registry's setting.
    pub fn private_allowed(&self) -> bool {
        self.allow_private || self.registry.network.allow_private
    }
}
