//! A column: its type, the CMS it imitates, its items, and the fault injected into it.

use serde::Deserialize;

use super::letters::{LetterField, LetterLabels, LetterSpec};
use super::{Charset, default_newest};

/// Column types, as in the registry contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ColumnKind {
    News,
    Notice,
    Policy,
    Personnel,
    Plan,
    Interview,
    Letters,
    Disclosure,
    Other,
}

impl ColumnKind {
    /// The registry's name of the type (`news`, `disclosure`, ...).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Days without a new item after which the injected `stale` fault hides items: twice
    /// the national threshold of the type, so the column is clearly stale.
    pub(crate) fn default_stale_days(self) -> u32 {
        match self {
            ColumnKind::Notice | ColumnKind::Policy => 366,
            ColumnKind::Personnel | ColumnKind::Plan => 730,
            _ => 30,
        }
    }
}

/// The CMS family whose list pages a column imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Cms {
    /// TRS WCM: `index.html`, `index_N.html`, pagination written by `createPageHTML(...)`.
    Trs,
    /// Hanweb JCMS: records inside `<script type="text/xml">`, more from `dataproxy.jsp`.
    Hanweb,
    /// Ordinary `<ul>` or `<table>` lists with `下一页` links and `?page=N`.
    #[default]
    Plain,
}

/// A fault injected into a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnFault {
    /// The list shows 暂无信息 and no items.
    Blank,
    /// Items newer than `stale_days` before `as_of` are not published yet.
    Stale,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    /// The responsible unit; the site's when absent.
    #[serde(default)]
    pub unit: Option<String>,
    /// The host that serves the column: the site's or a platform's.
    #[serde(default)]
    pub host: Option<String>,
    /// The list's directory (`/gzdt/`); generated when absent. Hanweb columns always live
    /// at `/col/colN/index.html`.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub cms: Cms,
    /// Layout within the family: trs `js4` | `js6` (the four- or six-argument
    /// `createPageHTML`), plain `ul` | `table`; alternates by column when absent.
    #[serde(default)]
    pub variant: Option<String>,
    /// The site's when absent.
    #[serde(default)]
    pub charset: Option<Charset>,
    /// Items per list page (20; hanweb 15).
    #[serde(default)]
    pub per_page: Option<u32>,
    /// Items dated inside the window.
    #[serde(default = "default_in_window")]
    pub in_window: u32,
    /// Items dated in the year before the window.
    #[serde(default = "default_outside")]
    pub before: u32,
    /// Items dated after the window, up to `newest` days before `as_of`.
    #[serde(default = "default_outside")]
    pub after: u32,
    /// Age in days, at `as_of`, of the newest item when `after` > 0.
    #[serde(default = "default_newest")]
    pub newest: u32,
    #[serde(default)]
    pub fault: Option<ColumnFault>,
    /// For `fault = "stale"`: how many days before `as_of` the list stops.
    #[serde(default)]
    pub stale_days: Option<u32>,
    /// The fault survives rectification.
    #[serde(default)]
    pub persist: bool,
    /// Letters boards only: the header labels.
    #[serde(default)]
    pub labels: Option<LetterLabels>,
    /// Letters boards only: the order of the table's columns.
    #[serde(default)]
    pub order: Option<Vec<LetterField>>,
    /// Letters boards only: status words of answered letters, used in turn.
    #[serde(default)]
    pub replied_status: Option<Vec<String>>,
    /// Letters boards only: status words of letters still open, used in turn.
    #[serde(default)]
    pub pending_status: Option<Vec<String>>,
    /// Letters boards only: the letters, per handling unit.
    #[serde(default)]
    pub letters: Vec<LetterSpec>,
}

fn default_in_window() -> u32 {
    6
}
fn default_outside() -> u32 {
    4
}

#[cfg(test)]
mod tests {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};

    use super::*;

    fn read<T: for<'de> Deserialize<'de>>(name: &str) -> T {
        let d: StrDeserializer<'_, Error> = name.into_deserializer();
        T::deserialize(d).unwrap()
    }

    #[test]
    fn types_and_cms_families_print_as_the_scenario_names_them() {
        for name in [
            "news",
            "notice",
            "policy",
            "personnel",
            "plan",
            "interview",
            "letters",
            "disclosure",
            "other",
        ] {
            assert_eq!(read::<ColumnKind>(name).as_str(), name);
        }
        for name in ["trs", "hanweb", "plain"] {
            assert_eq!(<&str>::from(read::<Cms>(name)), name);
        }
    }
}
