//! A letters board's table (header labels, column order) and the letters each unit receives.

use serde::Deserialize;

/// Header labels of a letters board.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterLabels {
    #[serde(default = "l_title")]
    pub title: String,
    #[serde(default = "l_unit")]
    pub unit: String,
    #[serde(default = "l_received")]
    pub received: String,
    #[serde(default = "l_status")]
    pub status: String,
    #[serde(default = "l_replied")]
    pub replied: String,
}

fn l_title() -> String {
    "标题".into()
}
fn l_unit() -> String {
    "办理单位".into()
}
fn l_received() -> String {
    "留言时间".into()
}
fn l_status() -> String {
    "办理状态".into()
}
fn l_replied() -> String {
    "回复时间".into()
}

impl Default for LetterLabels {
    fn default() -> Self {
        LetterLabels {
            title: l_title(),
            unit: l_unit(),
            received: l_received(),
            status: l_status(),
            replied: l_replied(),
        }
    }
}

/// A column of a letters board table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterField {
    Title,
    Unit,
    Received,
    Status,
    Replied,
}

/// The letters one handling unit receives on a board.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterSpec {
    pub unit: String,
    /// Received inside the window.
    pub in_window: u32,
    /// Of those, answered; all when absent. The unanswered ones are the newest.
    #[serde(default)]
    pub replied: Option<u32>,
    /// Received in the half year before the window, all answered.
    #[serde(default)]
    pub before: u32,
    /// Received after the window, up to the day before `as_of`.
    #[serde(default)]
    pub after: u32,
    /// Of the `after` letters, the newest ones still open.
    #[serde(default)]
    pub pending: u32,
    /// Every n-th row names the unit by its first alias (0: never).
    #[serde(default = "default_alias_every")]
    pub alias_every: u32,
}

fn default_alias_every() -> u32 {
    3
}
