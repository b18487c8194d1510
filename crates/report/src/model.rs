//! `report.json`: the machine-readable result of a round (schema `spotcheck.report/1`).
//! Fields follow the report contract; additions are optional fields only.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::round::RoundKind;

pub const SCHEMA: &str = "spotcheck.report/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub round: RoundInfo,
    /// The registry's `[meta]`: who the notice is about.
    pub region: String,
    pub name: String,
    pub summary: Summary,
    pub updates: Vec<UnitCount>,
    pub letters: Vec<UnitLetters>,
    pub interviews: Vec<UnitInterviews>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub rectification: Option<Rectification>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundInfo {
    pub id: String,
    pub kind: RoundKind,
    pub parent: Option<String>,
    pub window: WindowInfo,
    pub as_of: NaiveDate,
    /// A re-check's: when the round it re-checks was checked (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub registered: u32,
    pub checked: u32,
    pub passed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LettersTotal {
    pub received: u32,
    pub replied: u32,
    pub reply_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub websites: Counts,
    pub accounts: Counts,
    /// checked / registered, sites and accounts together.
    pub sample_rate: f64,
    /// passed / checked (passed = no veto finding).
    pub pass_rate: f64,
    pub letters: LettersTotal,
    /// Jobs of the round and those that could not be processed (an addition).
    pub jobs: JobCounts,
    /// Sites checked over IPv6 and those that support it (an addition; absent when the plan's
    /// `[ipv6]` is off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<Ipv6Counts>,
}

/// The national IPv6 plans' measure: the share of sites an IPv6 visitor reaches whole — an
/// AAAA record, a homepage that opens over IPv6 and shows what it shows over IPv4, and
/// same-site links that open over IPv6 at least as often as the plan's `link_share`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ipv6Counts {
    pub checked: u32,
    pub supporting: u32,
    /// supporting / checked.
    pub share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JobCounts {
    pub total: u32,
    pub dead: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCount {
    pub unit: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitLetters {
    pub unit: String,
    pub received: u32,
    pub replied: u32,
    pub reply_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInterviews {
    pub unit: String,
    pub held: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub indicator: Indicator,
    pub severity: Severity,
    pub unit: String,
    /// Website, column or account name.
    pub target: String,
    pub url: Option<String>,
    pub detail: String,
    /// Every page that links the URL at fault (broken links; an addition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<String>,
    /// The menu path of a broken menu button (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_path: Option<String>,
    /// The registry id of the website at fault (an addition; re-checks re-check it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The registry id of the account at fault (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// A warning's distance from its veto line, in the notice's words (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin: Option<String>,
    /// A wording error's wrong and right text and its context (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wording: Option<WordingEvidence>,
}

/// What a `content.wording_error` finding saw on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordingEvidence {
    /// As written on the page.
    pub wrong: String,
    pub right: String,
    /// Up to 20 characters on each side of the wrong text.
    pub context: String,
    /// The dictionary's note (国名错误 …); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub indicator: Indicator,
    pub units: Vec<String>,
}

/// What a re-check found of the parent round's problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rectification {
    /// Units all of whose problems are fixed.
    pub rectified: Vec<String>,
    /// Units with at least one problem still there.
    pub not_rectified: Vec<String>,
    /// Each problem of the parent round and what the re-check found (an addition).
    #[serde(default)]
    pub items: Vec<RectificationItem>,
}

/// One finding of the parent round, re-checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationItem {
    pub indicator: Indicator,
    pub unit: String,
    pub target: String,
    pub url: Option<String>,
    pub rectified: bool,
    /// The parent round's evidence.
    pub before: String,
    /// The re-check's evidence: the finding still there, or what is fine now.
    pub now: String,
}
