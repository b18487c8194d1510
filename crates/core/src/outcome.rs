//! What a job found: the result messages workers send and the collector stores.
//!
//! Outcomes are evidence, not judgements of the round: the report turns them into findings
//! with the plan's thresholds, so a report can be recomputed from the store alone.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::indicator::Severity;
use crate::job::{Job, WIRE_VERSION};
use crate::transport::{Ipv6Outcome, TlsOutcome};

/// Whether a fetched URL works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    Ok,
    Broken,
    /// Could not be judged: an anti-crawler or captcha page, or rate limiting after every retry.
    Unknown,
}

/// The judgement of one fetch, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub state: LinkState,
    /// The final HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// Evidence in words: `HTTP 404`, `connection refused`, `soft 404: 页面不存在` …
    pub reason: String,
    /// Where redirects ended, when they did. Boxed: few fetches are redirected, and a round
    /// holds a verdict for every link.
    #[serde(default)]
    pub final_url: Option<Box<Url>>,
    #[serde(default)]
    pub redirects: Vec<Url>,
    /// Nothing was fetched: the round's own policy refused the target (e.g. its name resolves to
    /// a private address). A problem of the registry, never evidence about the target's unit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

impl Verdict {
    pub fn ok(status: u16) -> Verdict {
        Verdict {
            state: LinkState::Ok,
            status: Some(status),
            reason: format!("HTTP {status}"),
            final_url: None,
            redirects: Vec::new(),
            refused: false,
        }
    }

    pub fn broken(status: Option<u16>, reason: impl Into<String>) -> Verdict {
        Verdict {
            state: LinkState::Broken,
            status,
            reason: reason.into(),
            final_url: None,
            redirects: Vec::new(),
            refused: false,
        }
    }

    pub fn unknown(status: Option<u16>, reason: impl Into<String>) -> Verdict {
        Verdict {
            state: LinkState::Unknown,
            status,
            reason: reason.into(),
            final_url: None,
            redirects: Vec::new(),
            refused: false,
        }
    }

    /// The target was refused by the round's own policy; `why` says which rule.
    pub fn refused(why: impl Into<String>) -> Verdict {
        Verdict {
            refused: true,
            ..Verdict::unknown(None, format!("not checked: {}", why.into()))
        }
    }

    pub fn is_ok(&self) -> bool {
        self.state == LinkState::Ok
    }
}

/// One homepage visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub ok: bool,
    pub status: Option<u16>,
    /// Why the visit failed, in words.
    pub error: Option<String>,
    /// The round's own policy refused the homepage: no visit was made (see [`Verdict::refused`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

/// A page read for its links (and, on a homepage, its dated items).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageOutcome {
    pub verdict: Verdict,
    /// Every link on the page, resolved, in page order, deduplicated.
    #[serde(deserialize_with = "crate::site_urls::many")]
    pub links: Vec<Url>,
    /// The newest date among the page's dated items.
    pub newest: Option<NaiveDate>,
}

/// An item of a column list, with the letters fields when the list is a letters board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub title: String,
    pub url: Option<Url>,
    pub date: Option<NaiveDate>,
    /// Handling unit as shown on the page (letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Date received (letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<NaiveDate>,
    /// Whether it was answered (letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied: Option<bool>,
    /// Date answered (letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<NaiveDate>,
}

/// A column read to its end (or to the plan's page limit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnOutcome {
    /// The judgement of the column's first page.
    pub verdict: Verdict,
    pub pages: u32,
    pub items: Vec<Item>,
    /// The page said it has nothing (暂无信息 …).
    pub blank_marker: bool,
    /// Pages that could not be read after the first, in words.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// Where a menu was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuSource {
    Api,
    File,
    /// The API refused and the saved file was used instead.
    FileFallback,
    None,
}

/// One menu button, leaf or parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuButton {
    /// `一级菜单 > 子菜单`.
    pub path: String,
    /// The button type (`view`, `click`, `miniprogram`, `news` …).
    pub kind: String,
    /// Every link the button carries.
    pub urls: Vec<Url>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MenuOutcome {
    pub source: MenuSource,
    pub buttons: Vec<MenuButton>,
    /// Why the menu could not be read (or why the API was not used), for the operator.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Visit(Visit),
    Page(PageOutcome),
    Link(Verdict),
    Column(ColumnOutcome),
    Menu(MenuOutcome),
    /// Boxed, as `Tls`: the two are the largest outcomes by far, and a round holds one per
    /// site but a link check per link — boxed, every other result is half the size.
    Ipv6(Box<Ipv6Outcome>),
    Tls(Box<TlsOutcome>),
    /// The job was dead-lettered: every delivery attempt failed.
    Dead {
        reason: String,
    },
}

/// A wrong phrase or misspelt leader's name in the visible text of a page the job read: a
/// homepage or page, a column's list pages and newest articles, a menu's WeChat articles.
/// One per wrong phrase and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordingHit {
    /// The page it is written on.
    pub url: Url,
    /// As written on the page.
    pub wrong: String,
    pub right: String,
    /// The dictionary entry's: `veto` (a serious wording error) or `deduct` (a typo).
    pub severity: Severity,
    /// Why it is wrong (the entry's note); may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Up to 20 characters on each side of the wrong text, as read on the page.
    pub context: String,
}

/// A job's result as it travels to the collector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub v: u8,
    pub job: Job,
    pub outcome: Outcome,
    /// What the text of the pages the job read says wrong, whatever the job's kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wording: Vec<WordingHit>,
}

impl JobResult {
    pub fn new(job: Job, outcome: Outcome) -> JobResult {
        JobResult {
            v: WIRE_VERSION,
            job,
            outcome,
            wording: Vec::new(),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("results always serialize")
    }

    pub fn decode(body: &[u8]) -> Result<JobResult, String> {
        let r: JobResult =
            serde_json::from_slice(body).map_err(|e| format!("not a result: {e}"))?;
        r.checked()
    }

    /// The results of a batch of jobs as one queue message (see [`Job::encode_batch`]).
    pub fn encode_batch(results: &[JobResult]) -> Vec<u8> {
        serde_json::to_vec(results).expect("results always serialize")
    }

    /// The results of a queue message: a batch, or a single result as [`JobResult::encode`]
    /// writes it.
    pub fn decode_batch(body: &[u8]) -> Result<Vec<JobResult>, String> {
        crate::job::decode_batch(body, "result", JobResult::checked)
    }

    /// A result as a worker writes it: this wire version, and its job as [`Job::decode_batch`]
    /// accepts it (an id that matches its task, a round id that can name a store key).
    fn checked(self) -> Result<JobResult, String> {
        if self.v != WIRE_VERSION {
            return Err(format!(
                "result wire version {} (this build speaks {WIRE_VERSION})",
                self.v
            ));
        }
        let job = self
            .job
            .checked()
            .map_err(|why| format!("result of a bad job: {why}"))?;
        Ok(JobResult { job, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Task;
    use crate::round::RoundId;

    #[test]
    fn result_batches_round_trip_and_refuse_a_forged_one() {
        let r = RoundId("2020Q4-abc".into());
        let results: Vec<JobResult> = [("http://a.gov.cn/x", 200), ("http://a.gov.cn/y", 404)]
            .iter()
            .map(|(u, status)| {
                let job = Job::new(
                    &r,
                    Task::Link {
                        url: Url::parse(u).unwrap(),
                    },
                );
                let verdict = match status {
                    200 => Verdict::ok(200),
                    s => Verdict::broken(Some(*s), format!("HTTP {s}")),
                };
                JobResult::new(job, Outcome::Link(verdict))
            })
            .collect();
        let body = JobResult::encode_batch(&results);
        assert_eq!(JobResult::decode_batch(&body).unwrap(), results);
        assert_eq!(
            JobResult::decode_batch(&results[1].encode()).unwrap(),
            vec![results[1].clone()]
        );
        assert!(JobResult::decode_batch(b"[]").is_err());
        let mut other = results;
        other[0].v = 9;
        assert!(
            JobResult::decode_batch(&JobResult::encode_batch(&other))
                .unwrap_err()
                .contains("version")
        );
    }
}
