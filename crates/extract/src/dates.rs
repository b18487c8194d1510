//! Finding publication dates in the text and URLs of government pages.
//!
//! Full dates: `2020-11-02`, `2020/11/02`, `2020.11.02`, `2020年11月2日` (spaces allowed around the
//! Chinese units), optionally followed by a time (`2020-11-02 17:00`), in ASCII or full-width
//! digits. Month-day forms (`11-02`, `[11-02]`, `11/02`, `11月2日`) carry no year: they are read only
//! with a year from context (a year heading above the list, or one passed in), never guessed.
//! Article URLs carry dates too: `/202011/t20201102_123.html`, `/art/2020/11/2/art_1_2.html`,
//! `/2020-11/02/c_1.htm`, `/2020/1102/`, `/20201102/`.
//! Impossible dates (`2020-02-30`) are not dates. Years outside 1990..=2099 are not read: on these
//! pages such numbers are ids, not dates.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2099;

static FULL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})(?:\s*(年)\s*|([-/.]))(\d{1,2})(?:\s*(月)\s*|([-/.]))(\d{1,2})")
        .expect("static regex")
});

static MONTH_DAY_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})(?:\s*(月)\s*|([-/]))(\d{1,2})").expect("static regex"));

static YEAR_HEADING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[\[【(（]?\s*(\d{4})\s*年?度?\s*[\]】)）]?\s*$").expect("static regex")
});

/// A calendar date if the numbers make one in the accepted year range.
pub fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Replaces full-width digits and date punctuation with their ASCII forms.
fn ascii_digits(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| ('\u{FF0D}'..='\u{FF19}').contains(&c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (c as u32 - 0xFF10) as u8),
            '\u{FF0D}' => '-',
            '\u{FF0E}' => '.',
            '\u{FF0F}' => '/',
            other => other,
        })
        .collect::<String>()
        .into()
}

fn digit_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit())
}

fn digit_after(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The digits a date can be read from: ASCII ones and full-width ones (read as ASCII). A
/// full date takes at least six (`2020-1-2`), a month-day form two: text with fewer holds
/// none, and most of a page's links and entries are such text, so the regexes are spared.
fn date_digits(text: &str) -> usize {
    text.chars()
        .filter(|c| c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(c))
        .count()
}

/// Every full date (with its year) in the text, in order of appearance.
pub fn find_dates(text: &str) -> Vec<NaiveDate> {
    if date_digits(text) < 6 {
        return Vec::new();
    }
    let text = ascii_digits(text);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(caps) = FULL_RE.captures_at(&text, from) {
        let whole = caps.get(0).expect("group 0");
        from = whole.start() + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
        if digit_before(&text, whole.start()) || digit_after(&text, whole.end()) {
            continue;
        }
        // 年 must pair with 月; among - / . the two separators must agree.
        let chinese = caps.get(2).is_some();
        if chinese != caps.get(5).is_some() {
            continue;
        }
        if !chinese && caps.get(3).map(|m| m.as_str()) != caps.get(6).map(|m| m.as_str()) {
            continue;
        }
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let (Some(y), Some(m), Some(d)) = (number(1), number(4), number(7)) else {
            continue;
        };
        if let Some(date) = ymd(y as i32, m, d) {
            found.push(date);
            from = whole.end();
        }
    }
    found
}

/// The first full date in the text.
pub fn find_date(text: &str) -> Option<NaiveDate> {
    find_dates(text).into_iter().next()
}

/// The first month-day form (`11-02`, `[11-02]`, `11/02`, `11月2日`) in the text, dated in `year`.
///
/// Parts of full dates are skipped: in `2020-11-02` the `11-02` is not a month-day form.
pub fn find_month_day(text: &str, year: i32) -> Option<NaiveDate> {
    if date_digits(text) < 2 {
        return None;
    }
    let text = ascii_digits(text);
    let mut from = 0;
    while let Some(caps) = MONTH_DAY_RE.captures_at(&text, from) {
        let whole = caps.get(0).expect("group 0");
        from = whole.start() + 1;
        let before = text[..whole.start()].trim_end();
        let joined_to_more = digit_before(&text, whole.start())
            || digit_after(&text, whole.end())
            || before.ends_with(['-', '/', '.', '年', ':'])
            || text[whole.end()..].starts_with(['-', '/', '.', ':']);
        if joined_to_more {
            continue;
        }
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let (Some(m), Some(d)) = (number(1), number(4)) else {
            continue;
        };
        if let Some(date) = ymd(year, m, d) {
            return Some(date);
        }
    }
    None
}

/// A full date from the text, else a month-day form when the year is known.
pub fn date_in_text(text: &str, year: Option<i32>) -> Option<NaiveDate> {
    find_date(text).or_else(|| year.and_then(|y| find_month_day(text, y)))
}

/// The date a list entry shows in `text`: a full date; else a month-day form in `year` (from a
/// year heading or the caller); else a month-day form in the year that puts it nearest `near`
/// (the date in the entry's URL, which carries the year the entry does not show).
pub fn shown_date(text: &str, year: Option<i32>, near: Option<NaiveDate>) -> Option<NaiveDate> {
    date_in_text(text, year).or_else(|| {
        let near = near?;
        (near.year() - 1..=near.year() + 1)
            .filter_map(|y| find_month_day(text, y))
            .min_by_key(|d| (*d - near).num_days().abs())
    })
}

/// The year a heading names (`2020`, `2020年`, `【2020年度】`), for month-day dates below it.
pub fn year_heading(text: &str) -> Option<i32> {
    let text = ascii_digits(text);
    let caps = YEAR_HEADING_RE.captures(&text)?;
    let year: i32 = caps.get(1)?.as_str().parse().ok()?;
    (MIN_YEAR..=MAX_YEAR).contains(&year).then_some(year)
}

static URL_ART_RE: LazyLock<Regex> = LazyLock::new(|| {
    // /art/2020/11/2/ (Hanweb), /2020/11/02/, /2020-11/02/, /2020-11-02/, /2020/1102/, /202011/02/
    Regex::new(r"/(\d{4})(?:[/-](\d{1,2})[/-]|[/-](\d{2})|(\d{2})/)(\d{1,2})(?:/|[_.-])")
        .expect("static regex")
});

static URL_COMPACT_RE: LazyLock<Regex> = LazyLock::new(|| {
    // t20201102_123.html (TRS), /20201102/, _20201102., -20201102-
    Regex::new(r"(?:^|[/_\-.tT])(\d{8})(?:[/_.\-]|$)").expect("static regex")
});

/// The date an article URL carries in its path, if any.
pub fn date_in_url(url: &str) -> Option<NaiveDate> {
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    // The shortest date a path carries, `/2020/1/2/`, has six digits.
    if path.bytes().filter(u8::is_ascii_digit).count() < 6 {
        return None;
    }
    for caps in URL_COMPACT_RE.captures_iter(path) {
        let digits = caps.get(1).map(|m| m.as_str()).unwrap_or_default();
        let (Ok(y), Ok(m), Ok(d)) = (
            digits[..4].parse::<i32>(),
            digits[4..6].parse::<u32>(),
            digits[6..8].parse::<u32>(),
        ) else {
            continue;
        };
        if let Some(date) = ymd(y, m, d) {
            return Some(date);
        }
    }
    let mut from = 0;
    while let Some(caps) = URL_ART_RE.captures_at(path, from) {
        let whole = caps.get(0).expect("group 0");
        from = whole.start() + 1;
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = number(2).or(number(3)).or(number(4));
        let (Some(y), Some(m), Some(d)) = (number(1), month, number(5)) else {
            continue;
        };
        if let Some(date) = ymd(y as i32, m, d) {
            return Some(date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn full_forms() {
        assert_eq!(find_date("2020-11-02"), d(2020, 11, 2));
        assert_eq!(find_date("发布时间：2020/11/02"), d(2020, 11, 2));
        assert_eq!(find_date("2020.11.02"), d(2020, 11, 2));
        assert_eq!(find_date("2020年11月2日"), d(2020, 11, 2));
        assert_eq!(find_date("2020 年 11 月 2 日"), d(2020, 11, 2));
        assert_eq!(find_date("[2020-11-02 17:00]"), d(2020, 11, 2));
        assert_eq!(find_date("２０２０－１１－０２"), d(2020, 11, 2));
        assert_eq!(find_date("2020-02-30"), None);
        assert_eq!(find_date("2020-11/02"), None);
        assert_eq!(find_date("12020-11-02"), None);
        assert_eq!(find_date("电话 0798-8572166"), None);
        assert_eq!(
            find_dates("2020-02-30 then 2020-03-01"),
            vec![d(2020, 3, 1).unwrap()]
        );
    }

    /// The fewest digits each form can be written with are still read: the count that
    /// spares the regexes on text without dates must not spare a date.
    #[test]
    fn the_shortest_forms_are_read() {
        assert_eq!(find_date("2020-1-2"), d(2020, 1, 2));
        assert_eq!(find_date("２０２０年１月２日"), d(2020, 1, 2));
        assert_eq!(find_date("2020-1-"), None);
        assert_eq!(find_month_day("1-2", 2020), d(2020, 1, 2));
        assert_eq!(find_month_day("１月２日", 2020), d(2020, 1, 2));
        assert_eq!(find_month_day("1-", 2020), None);
        assert_eq!(
            date_in_url("http://a.gov.cn/art/2020/1/2/art_1.html"),
            d(2020, 1, 2)
        );
        assert_eq!(date_in_url("http://a.gov.cn/art/2020/1/"), None);
    }

    #[test]
    fn month_day_needs_a_year() {
        assert_eq!(date_in_text("[11-02]", None), None);
        assert_eq!(date_in_text("[11-02]", Some(2020)), d(2020, 11, 2));
        assert_eq!(date_in_text("11月2日", Some(2020)), d(2020, 11, 2));
        assert_eq!(date_in_text("02-30", Some(2020)), None);
        assert_eq!(find_month_day("2019-11-02", 2020), None);
        assert_eq!(find_month_day("17:00", 2020), None);
    }

    #[test]
    fn shown_month_day_takes_the_year_nearest_the_url_date() {
        assert_eq!(shown_date("10-19", None, d(2017, 10, 19)), d(2017, 10, 19));
        assert_eq!(shown_date("01-06", None, d(2017, 1, 11)), d(2017, 1, 6));
        assert_eq!(shown_date("12-30", None, d(2018, 1, 2)), d(2017, 12, 30));
        assert_eq!(
            shown_date("2017-10-15", None, d(2017, 10, 13)),
            d(2017, 10, 15)
        );
        assert_eq!(
            shown_date("11-02", Some(2020), d(2019, 11, 2)),
            d(2020, 11, 2)
        );
        assert_eq!(shown_date("11-02", None, None), None);
    }

    #[test]
    fn year_headings() {
        assert_eq!(year_heading("2020年"), Some(2020));
        assert_eq!(year_heading(" 【2019年度】 "), Some(2019));
        assert_eq!(year_heading("2020年工作要点"), None);
        assert_eq!(year_heading("1200"), None);
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            date_in_url("http://a.gov.cn/zwdt/202011/t20201102_123.html"),
            d(2020, 11, 2)
        );
        assert_eq!(
            date_in_url("http://a.gov.cn/art/2020/11/2/art_1_2.html"),
            d(2020, 11, 2)
        );
        assert_eq!(
            date_in_url("http://news.cn/2020-11/02/c_1126.htm"),
            d(2020, 11, 2)
        );
        assert_eq!(
            date_in_url("http://a.gov.cn/news/20201102/1.html"),
            d(2020, 11, 2)
        );
        assert_eq!(
            date_in_url("http://a.gov.cn/2020/1102/c1.html"),
            d(2020, 11, 2)
        );
        assert_eq!(date_in_url("http://a.gov.cn/202011/t20201131_1.html"), None);
        assert_eq!(date_in_url("http://a.gov.cn/art/123456789.html"), None);
        assert_eq!(date_in_url("http://a.gov.cn/col/col1234/index.html"), None);
        assert_eq!(date_in_url("http://20201102.gov.cn/index.html"), None);
    }
}
