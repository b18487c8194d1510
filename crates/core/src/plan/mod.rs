//! The plan: how strictly a round judges. Defaults are the national indicators
//! (国办秘函〔2019〕19号); a `plan.toml` overrides any of them.

mod ipv6;
mod level;
pub mod notify;
mod tls;

use std::path::Path;

use serde::{Deserialize, Serialize};

mod schedule;
mod wording;

pub use schedule::{Due, Schedule, ScheduledKind, ScheduledRound};
pub use wording::{MAX_ARTICLES_PER_COLUMN, Wording};

use crate::config_error::{ConfigError, ConfigErrors, KeyPath, Source};
use crate::duration::{Period, Rate};
use crate::registry::ColumnType;

pub use ipv6::Ipv6;
pub use level::Level;
pub use tls::Tls;

fn period(s: &str) -> Period {
    s.parse().expect("constant period")
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Plan {
    pub availability: Availability,
    pub freshness: Freshness,
    pub letters: Letters,
    pub interview: Interview,
    pub links: Links,
    pub wechat: Wechat,
    pub politeness: Politeness,
    pub fetch: Fetch,
    pub warnings: Warnings,
    pub wording: Wording,
    pub schedule: Schedule,
    pub notify: notify::Notify,
    pub ipv6: Ipv6,
    pub tls: Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Availability {
    /// Homepage visits per site in the round.
    pub probes: u32,
    /// Spacing between visits.
    pub interval: Period,
    /// A visit that has not opened by then fails.
    pub timeout: Period,
    /// Veto when failed visits >= this share of all visits.
    pub fail_ratio: f64,
}

impl Default for Availability {
    fn default() -> Self {
        Availability {
            probes: 20,
            interval: period("72m"),
            timeout: period("15s"),
            fail_ratio: 0.05,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Freshness {
    pub news: Period,
    pub notice: Period,
    pub policy: Period,
    pub personnel: Period,
    pub plan: Period,
    pub homepage: Period,
    /// Optional thresholds for the other column types (none by default: not judged stale).
    pub interview: Option<Period>,
    pub letters: Option<Period>,
    pub disclosure: Option<Period>,
    pub other: Option<Period>,
    pub stale_columns_veto: u32,
    pub blank_columns_veto: u32,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            news: period("14d"),
            notice: period("183d"),
            policy: period("183d"),
            personnel: period("365d"),
            plan: period("365d"),
            homepage: period("14d"),
            interview: None,
            letters: None,
            disclosure: None,
            other: None,
            stale_columns_veto: 5,
            blank_columns_veto: 5,
        }
    }
}

impl Freshness {
    /// The age beyond which a column of this type is stale, if its type is judged at all.
    pub fn threshold(&self, kind: ColumnType) -> Option<Period> {
        match kind {
            ColumnType::News => Some(self.news),
            ColumnType::Notice => Some(self.notice),
            ColumnType::Policy => Some(self.policy),
            ColumnType::Personnel => Some(self.personnel),
            ColumnType::Plan => Some(self.plan),
            ColumnType::Interview => self.interview,
            ColumnType::Letters => self.letters,
            ColumnType::Disclosure => self.disclosure,
            ColumnType::Other => self.other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Letters {
    /// A letter older than this without an answer is a veto finding.
    pub unanswered_veto: Period,
}

impl Default for Letters {
    fn default() -> Self {
        Letters {
            unanswered_veto: period("90d"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Interview {
    pub required_per_window: u32,
}

impl Default for Interview {
    fn default() -> Self {
        Interview {
            required_per_window: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Links {
    /// 0: homepage only; 1: homepage and the pages it links on the same site.
    pub depth: u8,
    /// Also check links that leave the site.
    pub external: bool,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            depth: 1,
            external: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Wechat {
    pub stale: Period,
}

impl Default for Wechat {
    fn default() -> Self {
        Wechat {
            stale: period("14d"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Politeness {
    /// Pool-wide, across every worker.
    pub per_host_rate: Rate,
    pub per_host_concurrency: u32,
    /// Pool-wide, per address connected to (after DNS), on top of the per-host limits: the
    /// sites of one shared (集约化) platform are many host names on one address, and 40 of
    /// them must not see 40 times the rate. Off when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_ip_rate: Option<Rate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_ip_concurrency: Option<u32>,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            per_host_rate: "2/s".parse().expect("constant rate"),
            per_host_concurrency: 2,
            per_ip_rate: None,
            per_ip_concurrency: None,
        }
    }
}

/// Early warnings (预警) below the veto lines, as the commercial monitors give them: each
/// line is a share of its veto line, so a plan that moves a veto line moves its warning with
/// it. A warning is given from its line up to the veto line, never where the veto is given,
/// and never counts against 合格率.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Warnings {
    /// Of `freshness.homepage`: a homepage not updated for 10 of 14 days warns (0.7 × 14 = 9.8,
    /// day lines round up).
    pub homepage: f64,
    /// Of `availability.fail_ratio`: failed visits from 3 % when the veto is at 5 %.
    pub unreachable: f64,
    /// Of `freshness.blank_columns_veto`: 3 blank columns when the veto is at 5.
    pub blank_columns: f64,
    /// Of `freshness.stale_columns_veto`: 3 stale columns when the veto is at 5.
    pub stale_columns: f64,
    /// Of each column type's freshness limit: a column 3/4 of the way to it.
    pub column: f64,
}

impl Default for Warnings {
    fn default() -> Self {
        Warnings {
            homepage: 0.7,
            unreachable: 0.6,
            blank_columns: 0.6,
            stale_columns: 0.6,
            column: 0.75,
        }
    }
}

impl Warnings {
    /// The age in whole days from which a homepage warns.
    pub fn homepage_days(&self, f: &Freshness) -> i64 {
        share_up(self.homepage, f.homepage.days() as f64) as i64
    }

    /// The share of failed visits from which a site warns.
    pub fn unreachable_ratio(&self, a: &Availability) -> f64 {
        self.unreachable * a.fail_ratio
    }

    /// The count of blank columns from which a site warns; 0 when blank columns never veto.
    pub fn blank_columns_count(&self, f: &Freshness) -> u32 {
        share_up(self.blank_columns, f64::from(f.blank_columns_veto)) as u32
    }

    /// The count of stale columns from which a site warns; 0 when stale columns never veto.
    pub fn stale_columns_count(&self, f: &Freshness) -> u32 {
        share_up(self.stale_columns, f64::from(f.stale_columns_veto)) as u32
    }

    /// The age in whole days from which a column with this freshness limit warns.
    pub fn column_days(&self, limit: Period) -> i64 {
        share_up(self.column, limit.days() as f64) as i64
    }
}

/// `share × line`, rounded up to a whole day or column; a product that is whole but for
/// floating-point noise (0.6 × 5) stays whole.
fn share_up(share: f64, line: f64) -> f64 {
    (share * line - 1e-9).ceil().max(0.0)
}

/// Bounds of every fetch (an extension of the contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fetch {
    pub connect_timeout: Period,
    /// Total time for one request (page and link checks; probes use `availability.timeout`).
    pub timeout: Period,
    /// Largest body read, after decompression, in KiB.
    pub max_body_kib: u64,
    pub max_redirects: u32,
    /// Retries of transient failures (timeouts, connection resets, 429/503).
    pub retries: u32,
    /// First retry delay; doubled each time.
    pub retry_backoff: Period,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Period,
    /// Most list pages read from one column.
    pub max_pages: u32,
    pub user_agent: String,
}

impl Default for Fetch {
    fn default() -> Self {
        Fetch {
            connect_timeout: period("5s"),
            timeout: period("15s"),
            max_body_kib: 5 * 1024,
            max_redirects: 10,
            retries: 2,
            retry_backoff: period("500ms"),
            max_retry_after: period("60s"),
            max_pages: 200,
            user_agent: concat!(
                "spotcheck/",
                env!("CARGO_PKG_VERSION"),
                " (government site inspection)"
            )
            .to_string(),
        }
    }
}

impl Plan {
    /// Reads and validates a plan file.
    pub fn load(path: &Path) -> Result<Plan, ConfigErrors> {
        crate::config_file::load(path, "plan", Plan::parse)
    }

    /// Parses and validates plan text; `path` names the file in errors and anchors relative
    /// `wording.dictionaries`.
    pub fn parse(text: &str, path: &Path) -> Result<Plan, ConfigErrors> {
        let source = Source::new(path, text);
        let mut plan: Plan =
            toml::from_str(text).map_err(|e| ConfigErrors(vec![source.from_toml(&e)]))?;
        let errors = plan.validate(&source);
        if errors.is_empty() {
            let dir = path.parent().unwrap_or(Path::new("."));
            for file in &mut plan.wording.dictionaries {
                if file.is_relative() {
                    *file = dir.join(&*file);
                }
            }
            Ok(plan)
        } else {
            Err(ConfigErrors(errors))
        }
    }

    fn validate(&self, src: &Source) -> Vec<ConfigError> {
        let mut errs = Vec::new();
        let root = KeyPath::default();
        let a = root.key("availability");
        if self.availability.probes == 0 {
            errs.push(src.error_at(&a.key("probes"), "at least one visit is needed"));
        }
        let r = self.availability.fail_ratio;
        if !(r > 0.0 && r <= 1.0) {
            errs.push(src.error_at(&a.key("fail_ratio"), format!("`{r}` must be in (0, 1]")));
        }
        if self.availability.timeout.0.is_zero() {
            errs.push(src.error_at(&a.key("timeout"), "must be longer than 0"));
        }
        if self.politeness.per_host_concurrency == 0 {
            errs.push(src.error_at(
                &root.key("politeness").key("per_host_concurrency"),
                "must be at least 1",
            ));
        }
        if self.politeness.per_ip_concurrency == Some(0) {
            errs.push(src.error_at(
                &root.key("politeness").key("per_ip_concurrency"),
                "must be at least 1",
            ));
        }
        let w = root.key("warnings");
        for (key, share) in [
            ("homepage", self.warnings.homepage),
            ("unreachable", self.warnings.unreachable),
            ("blank_columns", self.warnings.blank_columns),
            ("stale_columns", self.warnings.stale_columns),
            ("column", self.warnings.column),
        ] {
            if !(share > 0.0 && share < 1.0) {
                errs.push(src.error_at(
                    &w.key(key),
                    format!("`{share}` must be in (0, 1): a share of its veto line"),
                ));
            }
        }
        self.schedule.validate(src, &mut errs);
        let share = self.ipv6.link_share;
        if !(0.0..=1.0).contains(&share) {
            errs.push(src.error_at(
                &root.key("ipv6").key("link_share"),
                format!("`{share}` must be in [0, 1]: a share of the links tried"),
            ));
        }
        if self.links.depth > 3 {
            errs.push(src.error_at(
                &root.key("links").key("depth"),
                "at most 3: deeper crawls are not a spot-check",
            ));
        }
        let wording = root.key("wording");
        if self.wording.articles_per_column > MAX_ARTICLES_PER_COLUMN {
            errs.push(src.error_at(
                &wording.key("articles_per_column"),
                format!(
                    "at most {MAX_ARTICLES_PER_COLUMN}: a spot-check reads the newest articles"
                ),
            ));
        }
        for (i, file) in self.wording.dictionaries.iter().enumerate() {
            if file.as_os_str().is_empty() {
                errs.push(
                    src.error_at(&wording.key("dictionaries").index(i), "an empty file name"),
                );
            }
        }
        self.notify.validate(src, &root.key("notify"), &mut errs);
        errs
    }
}
