//! Scheduled rounds (`[schedule]`): cron expressions read in the city's time zone, so that a
//! quarter's spot-check starts on the office's calendar without anyone typing a command.
//!
//! ```toml
//! [schedule]
//! timezone = "Asia/Shanghai"   # the default
//! catch_up = "1d"              # a round missed while no scheduler ran starts if at most this late
//! rounds = [{ cron = "0 9 1 1,4,7,10 *", kind = "spot" }]
//! ```
//!
//! A scheduled round's window is the last full quarter before its due time and its check
//! point (`as_of`) the due date. Which process starts it, once, is the scheduler role's
//! business; this module only says when each entry is due.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use croner::Cron;
use serde::{Deserialize, Serialize};

use crate::config_error::{ConfigError, KeyPath, Source};
use crate::duration::Period;
use crate::window::Window;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// The IANA time zone the expressions are read in.
    pub timezone: String,
    /// How late a due round may still start: a scheduler that comes back after a due time
    /// starts the latest missed round of each entry once if it is at most this late, and
    /// none older (no burst of stale rounds after a long outage or a first deployment).
    pub catch_up: Period,
    pub rounds: Vec<ScheduledRound>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            timezone: "Asia/Shanghai".to_string(),
            catch_up: "1d".parse().expect("constant period"),
            rounds: Vec::new(),
        }
    }
}

/// One entry: when, and what kind of round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledRound {
    /// Five fields (minute hour day month weekday) or six with seconds first.
    pub cron: String,
    #[serde(default)]
    pub kind: ScheduledKind,
}

/// What a scheduled entry starts. Re-checks follow their spot round by an operator's
/// decision (which round, which date), so only spot rounds are scheduled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduledKind {
    #[default]
    Spot,
}

/// A round that is due: which entry, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Index of the entry in `rounds`.
    pub entry: usize,
    /// Names the entry across restarts and replicas: its expression, kind and zone.
    pub key: String,
    pub at: DateTime<Utc>,
    /// The due time's date in the schedule's zone: the round's check point.
    pub as_of: NaiveDate,
    /// The last full quarter before `as_of`.
    pub window: Window,
}

impl Schedule {
    /// The zone; the default one if the name is not valid (validation refuses such plans).
    pub fn zone(&self) -> Tz {
        Tz::from_str(&self.timezone).unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// For each entry, its latest due time at or before `now`, if at most `catch_up` ago.
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Due> {
        let zone = self.zone();
        let local = now.with_timezone(&zone);
        let mut due = Vec::new();
        for (entry, r) in self.rounds.iter().enumerate() {
            let Ok(cron) = parse(&r.cron) else { continue };
            let Ok(at) = cron.find_previous_occurrence(&local, true) else {
                continue;
            };
            if local.signed_duration_since(at).to_std().unwrap_or_default() > self.catch_up.0 {
                continue;
            }
            let as_of = at.date_naive();
            due.push(Due {
                entry,
                key: crate::fingerprint::short_hash(&format!(
                    "{}|{:?}|{}",
                    r.cron.trim(),
                    r.kind,
                    zone.name()
                )),
                at: at.with_timezone(&Utc),
                as_of,
                window: Window::last_quarter(as_of),
            });
        }
        due
    }

    pub(super) fn validate(&self, src: &Source, errs: &mut Vec<ConfigError>) {
        let p = KeyPath::default().key("schedule");
        if Tz::from_str(&self.timezone).is_err() {
            errs.push(src.error_at(
                &p.key("timezone"),
                format!(
                    "`{}` is not an IANA time zone (e.g. Asia/Shanghai)",
                    self.timezone
                ),
            ));
        }
        for (i, r) in self.rounds.iter().enumerate() {
            if let Err(e) = parse(&r.cron) {
                errs.push(src.error_at(
                    &p.key("rounds").index(i).key("cron"),
                    format!(
                        "`{}` is not a cron expression ({e}); write minute hour day month \
                         weekday, e.g. \"0 9 1 1,4,7,10 *\"",
                        r.cron
                    ),
                ));
            }
        }
    }
}

/// A cron expression: five fields, or six with seconds first.
fn parse(expr: &str) -> Result<Cron, croner::errors::CronError> {
    Cron::from_str(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(cron: &str) -> Schedule {
        Schedule {
            rounds: vec![ScheduledRound {
                cron: cron.to_string(),
                kind: ScheduledKind::Spot,
            }],
            ..Schedule::default()
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_quarterly_round_is_due_at_nine_in_shanghai() {
        let s = schedule("0 9 1 1,4,7,10 *");
        // 2021-01-01 09:00 in Shanghai is 01:00 UTC.
        assert_eq!(s.due(utc("2021-01-01T00:59:59Z")), vec![]);
        let due = s.due(utc("2021-01-01T03:00:00Z"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].at, utc("2021-01-01T01:00:00Z"));
        assert_eq!(due[0].as_of, NaiveDate::from_ymd_opt(2021, 1, 1).unwrap());
        assert_eq!(due[0].window.to_string(), "2020-10-01..2020-12-31");
        // A day and a bit later it is too late to catch up.
        assert_eq!(s.due(utc("2021-01-02T01:00:01Z")), vec![]);
    }

    #[test]
    fn the_entry_key_changes_with_the_expression_and_zone_only() {
        let a = schedule("0 9 1 1,4,7,10 *").due(utc("2021-01-01T01:00:00Z"));
        let b = schedule("0 9 1 1,4,7,10 *").due(utc("2021-01-01T05:00:00Z"));
        assert_eq!(a[0].key, b[0].key);
        let mut other = schedule("0 9 1 1,4,7,10 *");
        other.timezone = "Asia/Urumqi".to_string();
        let c = other.due(utc("2021-01-01T05:00:00Z"));
        assert_ne!(a[0].key, c[0].key);
    }
}
