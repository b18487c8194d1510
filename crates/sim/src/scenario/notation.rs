//! How a scenario writes dates, windows, durations and rates.

use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

pub(super) fn de_rate<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, Duration), D::Error> {
    let s = String::deserialize(d)?;
    let bad = || serde::de::Error::custom(format!("`{s}` is not a rate like \"5/s\" or \"120/m\""));
    let (n, per) = s.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let per = match per.trim() {
        "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    Ok((n, per))
}

/// A date written as a string or a bare TOML date.
pub(super) fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let v = toml::Value::deserialize(d)?;
    let s = match v {
        toml::Value::String(s) => s,
        toml::Value::Datetime(dt) => dt.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a date like \"2020-12-17\", found {other}"
            )));
        }
    };
    parse_date(&s).map_err(serde::de::Error::custom)
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2020-12-17"))
}

pub(super) fn de_window<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<(NaiveDate, NaiveDate), D::Error> {
    let s = String::deserialize(d)?;
    let (a, b) = s.split_once("..").ok_or_else(|| {
        serde::de::Error::custom(format!("`{s}` is not a window like 2020-07-01..2020-09-30"))
    })?;
    Ok((
        parse_date(a).map_err(serde::de::Error::custom)?,
        parse_date(b).map_err(serde::de::Error::custom)?,
    ))
}

pub(super) fn de_opt_duration<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `"800ms"`, `"2s"`, `"1.5s"`, `"1m"`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("`{s}` has no unit; write e.g. \"800ms\" or \"2s\""))?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like \"800ms\""))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("`{s}`: use ms, s or m")),
    };
    if !(0.0..=3600.0).contains(&secs) {
        return Err(format!("`{s}` is out of range (at most an hour)"));
    }
    Ok(Duration::from_secs_f64(secs))
}
