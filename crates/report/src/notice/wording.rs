//! How the notice writes numbers, shares, dates and the statistics window.

use chrono::{Datelike, NaiveDate};

use crate::model::WindowInfo;

/// Percent with no decimals when whole (`100%`), else one decimal (`97.5%`), as the body
/// of the notice writes rates.
pub fn percent(r: f64) -> String {
    let p = r * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round() as i64)
    } else {
        format!("{p:.1}%")
    }
}

/// Chinese numerals as a notice writes counts and ordinals (`六`, `十三`, `一百零一`);
/// from ten thousand on, Arabic digits.
pub fn chinese_count(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const PLACES: [&str; 4] = ["千", "百", "十", ""];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n % 10 == 0 { "" } else { D[n % 10] }),
        20..=9999 => {
            let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
            let mut s = String::new();
            let mut gap = false;
            for (d, place) in digits.into_iter().zip(PLACES) {
                if d == 0 {
                    gap = !s.is_empty();
                    continue;
                }
                if gap {
                    s.push('零');
                    gap = false;
                }
                s.push_str(D[d]);
                s.push_str(place);
            }
            s
        }
        _ => n.to_string(),
    }
}

/// A count before a measure word in prose: `两家单位`, `两个问题`, not `二家单位`.
pub(super) fn units_count(n: usize) -> String {
    if n == 2 {
        "两".into()
    } else {
        chinese_count(n)
    }
}

/// The units of a problem as the notice names them: one by its name, several joined with
/// 、 and counted (`高新区、市瓷局等两家单位`).
pub fn units_phrase(units: &[String]) -> String {
    match units {
        [] => String::new(),
        [one] => one.clone(),
        many => format!("{}等{}家单位", many.join("、"), units_count(many.len())),
    }
}

/// A share rounded to a whole percent, as the notice writes it (`占比45%`).
pub(super) fn percent_whole(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{}%", ((part as f64 * 100.0) / whole as f64).round() as i64)
}

pub(super) fn quarter(d: NaiveDate) -> u32 {
    d.month0() / 3 + 1
}

/// `12月17日`: dates in the notice's prose leave the year to the title.
pub(super) fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

pub(super) fn full_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The statistics window as the notice names it.
pub(super) struct Period {
    /// `2020年第三季度` (or `2020年7月1日至2020年8月15日` when not a calendar quarter).
    pub(super) full: String,
    /// `三季度` in prose (or `统计期内`).
    pub(super) short: String,
    /// `7月1日—9月30日` for the 统计时间 line.
    pub(super) span: String,
}

impl Period {
    pub(super) fn of(w: &WindowInfo) -> Period {
        let q = quarter(w.from);
        let quarter_end = NaiveDate::from_ymd_opt(w.from.year(), q * 3, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt());
        let whole_quarter =
            w.from.day() == 1 && w.from.month0() % 3 == 0 && Some(w.to) == quarter_end;
        let span = if w.from.year() == w.to.year() {
            format!("{}—{}", month_day(w.from), month_day(w.to))
        } else {
            format!("{}—{}", full_date(w.from), full_date(w.to))
        };
        if whole_quarter {
            Period {
                full: format!("{}年第{}季度", w.from.year(), chinese_count(q as usize)),
                short: format!("{}季度", chinese_count(q as usize)),
                span,
            }
        } else {
            Period {
                full: format!("{}至{}", full_date(w.from), full_date(w.to)),
                short: "统计期内".into(),
                span,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: &str, to: &str) -> WindowInfo {
        WindowInfo {
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
        }
    }

    #[test]
    fn numerals_and_percentages() {
        assert_eq!(chinese_count(6), "六");
        assert_eq!(chinese_count(10), "十");
        assert_eq!(chinese_count(11), "十一");
        assert_eq!(chinese_count(13), "十三");
        assert_eq!(chinese_count(20), "二十");
        assert_eq!(chinese_count(48), "四十八");
        assert_eq!(chinese_count(100), "一百");
        assert_eq!(chinese_count(101), "一百零一");
        assert_eq!(chinese_count(110), "一百一十");
        assert_eq!(chinese_count(1005), "一千零五");
        assert_eq!(units_count(2), "两");
        assert_eq!(units_count(12), "十二");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(percent_whole(308, 683), "45%");
    }

    #[test]
    fn units_are_named_and_counted() {
        let u = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(units_phrase(&u(&["市公安局"])), "市公安局");
        assert_eq!(
            units_phrase(&u(&["高新区", "市瓷局"])),
            "高新区、市瓷局等两家单位"
        );
        let eleven: Vec<String> = (1..=11).map(|i| format!("单位{i}")).collect();
        assert!(units_phrase(&eleven).ends_with("等十一家单位"));
    }

    #[test]
    fn a_calendar_quarter_is_named_as_such() {
        let p = Period::of(&window("2020-07-01", "2020-09-30"));
        assert_eq!(
            (p.full.as_str(), p.short.as_str(), p.span.as_str()),
            ("2020年第三季度", "三季度", "7月1日—9月30日")
        );
        let p = Period::of(&window("2020-10-01", "2020-12-31"));
        assert_eq!(p.full, "2020年第四季度");
        let p = Period::of(&window("2020-07-01", "2020-08-15"));
        assert_eq!(
            (p.full.as_str(), p.short.as_str()),
            ("2020年7月1日至2020年8月15日", "统计期内")
        );
        let p = Period::of(&window("2020-12-01", "2021-02-28"));
        assert_eq!(p.span, "2020年12月1日—2021年2月28日");
    }
}
