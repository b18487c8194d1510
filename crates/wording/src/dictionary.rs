//! Dictionaries of wrong phrases: the built-in one, the plan's files, allowed phrases, leaders.
//!
//! A dictionary file is TOML:
//!
//! ```toml
//! allowed = ["按装修"]          # correct phrases that contain a wrong one: never flagged
//!
//! [[entries]]
//! wrong = "中华人民共合国"
//! right = "中华人民共和国"
//! severity = "veto"            # "veto": a serious wording error; "deduct": a typo
//! note = "国名错误"             # optional
//! ```
//!
//! A file with a mistake is refused whole, with the line and column of the mistake: a
//! dictionary that silently dropped an entry would silently stop finding an error.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::Deserialize;
use toml::Spanned;

use crate::fold::fold_str;

/// The built-in dictionary's source, shipped in the binary.
const BUILTIN: &str = include_str!("builtin.toml");

static BUILTIN_DICTIONARY: LazyLock<Dictionary> = LazyLock::new(|| {
    Dictionary::parse(BUILTIN, "builtin.toml")
        .unwrap_or_else(|e| unreachable!("the built-in dictionary is tested to parse: {e}"))
});

/// How much a wrong phrase weighs in the national indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A serious wording error (严重表述错误): a veto (单项否决).
    Veto,
    /// A typo (错别字): points deducted.
    Deduct,
}

/// One wrong phrase and its correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub wrong: String,
    pub right: String,
    pub severity: Severity,
    /// Why it is wrong, for the notice; may be empty.
    pub note: String,
}

/// A unit's leader: a name written with one wrong character right after the title is a veto.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub name: String,
    pub title: String,
}

/// Why a dictionary (or a leader) was refused.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("{origin}: cannot read: {source}")]
    Read {
        origin: String,
        source: std::io::Error,
    },
    #[error("{origin}:{line}:{column}: {}{message}", key_prefix(.key))]
    Invalid {
        origin: String,
        line: usize,
        column: usize,
        /// The key at fault (`entries[2].wrong`, `allowed[0]`); empty when the TOML itself
        /// is malformed (the message then names what it expected).
        key: String,
        message: String,
    },
    #[error("leader {name:?} ({title:?}): {message}")]
    Leader {
        name: String,
        title: String,
        message: String,
    },
}

/// Everything a round matches against: entries, allowed phrases and leaders.
///
/// Entries are keyed by their wrong phrase as folded (full-width and traditional forms folded,
/// see [`crate::fold`]): adding an entry whose wrong phrase is already there replaces it, so a
/// plan's own file can change a built-in entry's correction or severity.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    entries: Vec<Entry>,
    by_wrong: HashMap<String, usize>,
    allowed: Vec<String>,
    leaders: Vec<Leader>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    entries: Vec<EntryToml>,
    #[serde(default)]
    allowed: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryToml {
    wrong: Spanned<String>,
    right: Spanned<String>,
    severity: Severity,
    #[serde(default)]
    note: String,
}

impl Dictionary {
    /// The built-in dictionary (see the crate's README for its scope).
    pub fn builtin() -> Dictionary {
        BUILTIN_DICTIONARY.clone()
    }

    /// The dictionary a plan asks for: the built-in one if `builtin`, then each file in order
    /// (a later entry with the same wrong phrase replaces an earlier one).
    pub fn for_plan<P: AsRef<Path>>(
        builtin: bool,
        files: impl IntoIterator<Item = P>,
    ) -> Result<Dictionary, DictionaryError> {
        let mut dictionary = if builtin {
            Dictionary::builtin()
        } else {
            Dictionary::default()
        };
        for file in files {
            dictionary.extend(Dictionary::load(file.as_ref())?);
        }
        Ok(dictionary)
    }

    /// Reads a dictionary file.
    pub fn load(path: &Path) -> Result<Dictionary, DictionaryError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| DictionaryError::Read {
            origin: origin.clone(),
            source,
        })?;
        Dictionary::parse(&text, &origin)
    }

    /// Parses a dictionary file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Dictionary, DictionaryError> {
        let invalid = |at: usize, key: String, message: String| {
            let (line, column) = line_column(text, at);
            DictionaryError::Invalid {
                origin: origin.to_string(),
                line,
                column,
                key,
                message,
            }
        };
        let file: FileToml = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            invalid(at, String::new(), e.message().trim().to_string())
        })?;
        let mut dictionary = Dictionary::default();
        for (i, entry) in file.entries.into_iter().enumerate() {
            let at = entry.wrong.span().start;
            let key = format!("entries[{i}].wrong");
            let (wrong, right) = (entry.wrong.into_inner(), entry.right.into_inner());
            if let Some(message) = entry_problem(&wrong, &right) {
                return Err(invalid(at, key, message));
            }
            if let Some(&earlier) = dictionary.by_wrong.get(&fold_str(&wrong)) {
                let first = &dictionary.entries[earlier].wrong;
                return Err(invalid(
                    at,
                    key,
                    format!("wrong = {wrong:?} is listed twice (first as {first:?})"),
                ));
            }
            dictionary.add(Entry {
                wrong,
                right,
                severity: entry.severity,
                note: entry.note.trim().to_string(),
            });
        }
        for (j, phrase) in file.allowed.into_iter().enumerate() {
            if phrase.get_ref().trim().is_empty() {
                return Err(invalid(
                    phrase.span().start,
                    format!("allowed[{j}]"),
                    "an allowed phrase is empty".into(),
                ));
            }
            dictionary.allowed.push(phrase.into_inner());
        }
        Ok(dictionary)
    }

    /// Adds a checked entry, replacing one with the same (folded) wrong phrase.
    fn add(&mut self, entry: Entry) {
        match self.by_wrong.get(&fold_str(&entry.wrong)) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.by_wrong
                    .insert(fold_str(&entry.wrong), self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Adds another dictionary's entries (replacing same wrong phrases), allowed phrases and
    /// leaders.
    pub fn extend(&mut self, other: Dictionary) {
        for entry in other.entries {
            self.add(entry);
        }
        self.allowed.extend(other.allowed);
        self.leaders.extend(other.leaders);
    }

    /// Adds a correct phrase that must never be flagged (it contains a wrong one).
    pub fn allow(&mut self, phrase: impl Into<String>) {
        self.allowed.push(phrase.into());
    }

    /// Adds a leader (from the registry's `[[units.leaders]]`).
    ///
    /// Refused: a name shorter than two characters (one wrong character would be all of it)
    /// or longer than eight, and an empty title.
    pub fn add_leader(&mut self, name: &str, title: &str) -> Result<(), DictionaryError> {
        let (name, title) = (name.trim(), title.trim());
        let refuse = |message: &str| DictionaryError::Leader {
            name: name.to_string(),
            title: title.to_string(),
            message: message.to_string(),
        };
        if !(2..=8).contains(&name.chars().count()) {
            return Err(refuse("a name must have 2 to 8 characters"));
        }
        if title.is_empty() {
            return Err(refuse("the title is empty"));
        }
        let leader = Leader {
            name: name.to_string(),
            title: title.to_string(),
        };
        if !self.leaders.contains(&leader) {
            self.leaders.push(leader);
        }
        Ok(())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    pub fn leaders(&self) -> &[Leader] {
        &self.leaders
    }
}

/// `key: ` before an error's message, when the key is known.
fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    }
}

/// What is wrong with an entry, if anything.
fn entry_problem(wrong: &str, right: &str) -> Option<String> {
    if wrong.trim().is_empty() {
        return Some("wrong is empty".into());
    }
    if right.trim().is_empty() {
        return Some(format!("right is empty for wrong = {wrong:?}"));
    }
    if wrong.trim() != wrong {
        return Some(format!("wrong = {wrong:?} starts or ends with a space"));
    }
    if wrong.contains(char::is_control) {
        return Some(format!(
            "wrong = {wrong:?} holds a control character or line break"
        ));
    }
    if wrong == right {
        return Some(format!("wrong and right are the same text ({wrong:?})"));
    }
    if fold_str(wrong) == fold_str(right) {
        return Some(format!(
            "wrong = {wrong:?} and right = {right:?} differ only in full-width or traditional forms, which are read as the same"
        ));
    }
    None
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
