//! The registry's optional CSS selectors for columns whose lists detection cannot read alone.
//!
//! Selectors are written by operators, so a typo must surface as an error naming the field and
//! the selector (checked when the registry is loaded, with [`Selectors::validate`]), never as a
//! panic or a silently ignored hint.

use scraper::Selector;
use serde::{Deserialize, Serialize};

/// CSS selectors for one column: `item` picks the entries; `date`, `dept` and `status` are looked
/// up inside each entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// Each match is one list entry (`ul.list li`, `table.letters tr`).
    pub item: Option<String>,
    /// The entry's date (`span.date`).
    pub date: Option<String>,
    /// The entry's handling unit (`td.dept`).
    pub dept: Option<String>,
    /// The entry's reply status (`td.status`).
    pub status: Option<String>,
}

/// A selector that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column selector `{field}` = {selector:?} is not valid CSS: {reason}")]
pub struct SelectorError {
    /// Which selector: `item`, `date`, `dept` or `status`.
    pub field: &'static str,
    /// The selector as written.
    pub selector: String,
    /// What the CSS parser said.
    pub reason: String,
}

/// Parsed selectors, ready to match.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub item: Option<Selector>,
    pub date: Option<Selector>,
    pub dept: Option<Selector>,
    pub status: Option<Selector>,
}

impl Selectors {
    /// Checks every selector; the first bad one is the error.
    pub fn validate(&self) -> Result<(), SelectorError> {
        self.compile().map(|_| ())
    }

    /// Parses every selector.
    pub fn compile(&self) -> Result<Compiled, SelectorError> {
        fn one(field: &'static str, s: &Option<String>) -> Result<Option<Selector>, SelectorError> {
            let Some(s) = s.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
                return Ok(None);
            };
            Selector::parse(s).map(Some).map_err(|e| SelectorError {
                field,
                selector: s.to_string(),
                reason: e.to_string(),
            })
        }
        Ok(Compiled {
            item: one("item", &self.item)?,
            date: one("date", &self.date)?,
            dept: one("dept", &self.dept)?,
            status: one("status", &self.status)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_selector_is_an_error_naming_the_field() {
        let s = Selectors {
            item: Some("ul li".into()),
            date: Some("span[".into()),
            ..Default::default()
        };
        let err = s.validate().unwrap_err();
        assert_eq!(err.field, "date");
        assert_eq!(err.selector, "span[");
        assert!(Selectors::default().validate().is_ok());
        for junk in ["", ">>>", "::", "a[", "#", ".", "li:nth-child(", "\u{0}"] {
            let _ = Selectors {
                item: Some(junk.into()),
                ..Default::default()
            }
            .validate();
        }
    }
}
