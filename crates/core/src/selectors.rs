//! A column's optional CSS selectors, for lists that automatic detection cannot read alone.
//!
//! Operators write them, so a typo must be an error where the registry is loaded — with the
//! file, line, column and key — never a failure in the middle of a round. Each selector is parsed
//! when the registry is deserialized, by the parser that later runs it, and kept parsed: past
//! loading, a selector cannot be invalid.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// CSS selectors for one column: `item` picks the entries; `date`, `dept` and `status` are looked
/// up inside each entry. A blank selector is no selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// Each match is one list entry (`ul.list li`, `table.letters tr`).
    #[serde(default, deserialize_with = "optional_css")]
    pub item: Option<Css>,
    /// The entry's date (`span.date`).
    #[serde(default, deserialize_with = "optional_css")]
    pub date: Option<Css>,
    /// The entry's handling unit (`td.dept`).
    #[serde(default, deserialize_with = "optional_css")]
    pub dept: Option<Css>,
    /// The entry's reply status (`td.status`).
    #[serde(default, deserialize_with = "optional_css")]
    pub status: Option<Css>,
}

/// One parsed CSS selector, with the text it was written as.
#[derive(Clone)]
pub struct Css {
    source: String,
    parsed: scraper::Selector,
}

impl Css {
    /// Parses a selector; the error says what the CSS parser objected to.
    pub fn parse(source: &str) -> Result<Css, String> {
        let source = source.trim();
        scraper::Selector::parse(source)
            .map(|parsed| Css {
                source: source.to_string(),
                parsed,
            })
            .map_err(|e| format!("`{source}` is not a valid CSS selector: {e}"))
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The selector, ready to match.
    pub fn selector(&self) -> &scraper::Selector {
        &self.parsed
    }
}

impl fmt::Debug for Css {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Css({:?})", self.source)
    }
}

impl PartialEq for Css {
    fn eq(&self, other: &Css) -> bool {
        self.source == other.source
    }
}

impl Eq for Css {}

impl Serialize for Css {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Css {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Css, D::Error> {
        let text = String::deserialize(d)?;
        Css::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn optional_css<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Css>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !text.trim().is_empty() => Css::parse(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_when_read() {
        let ok: Selectors = toml::from_str("item = \"ul.list li\"\ndate = \"  \"").unwrap();
        assert_eq!(ok.item.as_ref().map(Css::as_str), Some("ul.list li"));
        assert_eq!(ok.date, None);
        let err = toml::from_str::<Selectors>("date = \"span[\"").unwrap_err();
        assert!(
            err.message()
                .contains("`span[` is not a valid CSS selector"),
            "{err}"
        );
        for junk in [">>>", "::", "a[", "#", ".", "li:nth-child("] {
            assert!(Css::parse(junk).is_err(), "{junk:?} accepted");
        }
        let _ = Css::parse("\u{0}");
        let back = toml::to_string(&ok).unwrap();
        assert_eq!(toml::from_str::<Selectors>(&back).unwrap(), ok);
    }
}
