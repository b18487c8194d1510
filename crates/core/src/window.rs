//! The statistics window of a round (`2020-07-01..2020-09-30`), inclusive at both ends.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The last full calendar quarter before `today`: the default window of a quarterly round.
    pub fn last_quarter(today: NaiveDate) -> Window {
        let q = (today.month0() / 3) as i32; // 0..=3, the current quarter
        let (year, q) = if q == 0 {
            (today.year() - 1, 3)
        } else {
            (today.year(), q - 1)
        };
        let start_month = (q * 3 + 1) as u32;
        let from = NaiveDate::from_ymd_opt(year, start_month, 1).unwrap_or(today);
        let next = if start_month + 3 > 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, start_month + 3, 1)
        };
        let to = next.and_then(|d| d.pred_opt()).unwrap_or(today);
        Window { from, to }
    }
}

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s.split_once("..").ok_or_else(|| {
            format!("`{s}` is not a window; write FROM..TO, e.g. 2020-07-01..2020-09-30")
        })?;
        let from = parse_date(a)?;
        let to = parse_date(b)?;
        if to < from {
            return Err(format!("window `{s}` ends before it starts"));
        }
        Ok(Window { from, to })
    }
}

/// Parses a `YYYY-MM-DD` date, with an error an operator can act on.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date; write YYYY-MM-DD", s.trim()))
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let w: Window = "2020-07-01..2020-09-30".parse().unwrap();
        assert!(w.contains(NaiveDate::from_ymd_opt(2020, 9, 30).unwrap()));
        assert!(!w.contains(NaiveDate::from_ymd_opt(2020, 10, 1).unwrap()));
        assert!("2020-09-30..2020-07-01".parse::<Window>().is_err());
        assert!("2020-13-01..2020-12-01".parse::<Window>().is_err());
    }

    #[test]
    fn last_quarter_before_a_date() {
        let w = Window::last_quarter(NaiveDate::from_ymd_opt(2020, 11, 2).unwrap());
        assert_eq!(w.to_string(), "2020-07-01..2020-09-30");
        let w = Window::last_quarter(NaiveDate::from_ymd_opt(2021, 2, 1).unwrap());
        assert_eq!(w.to_string(), "2020-10-01..2020-12-31");
    }
}
