//! Deterministic generation: hashes, dates, titles and identifiers.
//!
//! Nothing here uses randomness: every value is a hash of the scenario seed and the
//! position of the thing it names, so the same scenario always serves the same web and
//! reports are reproducible.

use chrono::{Days, NaiveDate};

/// SplitMix64: a small, well-mixed hash step.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Hash of a sequence of numbers.
pub(crate) fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5EED_u64, |acc, p| mix(acc ^ mix(*p)))
}

/// FNV-1a of a string, to fold names into [`hash`].
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `n` dates spread evenly over `start..=end`, ascending. The spacing is exact, so a count
/// asked for a window is the count found in it.
pub(crate) fn spread(n: u32, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let days = (end - start).num_days().max(0) as u64 + 1;
    (0..u64::from(n))
        .map(|i| start + Days::new(((2 * i + 1) * days) / (2 * u64::from(n))))
        .collect()
}

/// `n` dates over `start..=end`, ascending, the last one exactly `end` (the newest item of
/// a fresh column is as recent as the scenario says).
pub(crate) fn spread_to_end(n: u32, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let span = (end - start).num_days().max(0) as u64;
    (0..u64::from(n))
        .map(|i| start + Days::new(((i + 1) * span) / u64::from(n)))
        .collect()
}

/// Moves each date by up to two days either way, staying inside `start..=end`, so that
/// lists generated with the same counts do not share every date (as letters to different
/// units would otherwise). The count inside the range is unchanged.
pub(crate) fn jitter(
    dates: Vec<NaiveDate>,
    start: NaiveDate,
    end: NaiveDate,
    salt: u64,
) -> Vec<NaiveDate> {
    let mut v: Vec<NaiveDate> = dates
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let off = (hash(&[salt, i as u64]) % 5) as i64 - 2;
            (d + chrono::Duration::days(off)).clamp(start, end)
        })
        .collect();
    v.sort();
    v
}

const TOPICS: &[&str] = &[
    "优化营商环境",
    "安全生产",
    "常态化疫情防控",
    "防汛救灾",
    "乡村振兴",
    "全国文明城市创建",
    "陶瓷文化传承创新",
    "政务公开",
    "就业创业",
    "生态环境保护",
    "扫黑除恶专项斗争",
    "森林防火",
    "食品安全",
    "消防安全",
    "社会救助",
    "城市精细化管理",
    "道路交通安全",
    "教育惠民",
    "医疗保障",
    "农村人居环境整治",
    "招商引资",
    "科技创新",
    "文旅融合发展",
    "全民健身",
    "统计调查",
    "审计整改",
    "减税降费",
    "河湖长制",
    "法治政府建设",
    "信访维稳",
    "老旧小区改造",
    "双随机一公开监管",
];

const DISCLOSURE: &[&str] = &[
    "{u}关于{t}工作的通知",
    "{u}关于公布{t}责任清单的通知",
    "{u}{t}工作总结",
    "{u}关于{t}工作情况的报告",
    "{u}关于征求{t}意见的公告",
    "{u}{t}政策解读",
    "{u}{t}工作情况公示",
    "{u}关于做好{t}相关工作的通知",
    "{u}2020年{t}工作要点",
    "{u}关于{t}专项检查情况的通报",
    "{u}{t}行政执法信息公示",
    "{u}关于印发{t}实施方案的通知",
];

const NEWS: &[&str] = &[
    "{u}召开{t}工作推进会",
    "{u}扎实开展{t}专项行动",
    "{u}部署{t}重点工作",
    "{u}召开{t}专题会议",
    "{u}多措并举推进{t}",
    "{u}赴基层调研{t}工作",
];

const NOTICE: &[&str] = &[
    "关于{t}有关事项的公告",
    "{u}关于{t}的通知",
    "关于开展{t}检查的通知",
    "关于{t}的公示",
];

const POLICY: &[&str] = &[
    "关于印发《景德镇市{t}实施办法》的通知",
    "关于进一步加强{t}工作的意见",
    "《{t}三年行动方案》政策解读",
];

const INTERVIEW: &[&str] = &[
    "在线访谈：{u}负责人谈{t}",
    "在线访谈：聚焦{t}",
    "在线访谈：{u}解读{t}相关政策",
];

const HOMEPAGE: &[&str] = &[
    "我市召开{t}工作会议",
    "我市{t}取得新进展",
    "市领导调研{t}工作",
    "我市部署{t}工作",
    "{u}推进{t}见实效",
];

const LETTER: &[&str] = &[
    "关于{t}的咨询",
    "关于{t}问题的投诉",
    "对{t}工作的建议",
    "咨询{t}相关政策",
    "反映{t}方面的问题",
];

/// What a title is for; picks the phrasing.
#[derive(Clone, Copy)]
pub(crate) enum TitleKind {
    Disclosure,
    News,
    Notice,
    Policy,
    Interview,
    Homepage,
    Letter,
}

/// A title for item `i` of a list, naming `unit`. Titles are unique within one list: a
/// repeated phrasing gets a sequence number, as editors do (（二）, （三）...).
pub(crate) fn titles(kind: TitleKind, unit: &str, salt: u64, n: usize) -> Vec<String> {
    let patterns = match kind {
        TitleKind::Disclosure => DISCLOSURE,
        TitleKind::News => NEWS,
        TitleKind::Notice => NOTICE,
        TitleKind::Policy => POLICY,
        TitleKind::Interview => INTERVIEW,
        TitleKind::Homepage => HOMEPAGE,
        TitleKind::Letter => LETTER,
    };
    let mut seen = std::collections::HashMap::<String, u32>::new();
    (0..n)
        .map(|i| {
            let h = hash(&[salt, i as u64]);
            let p = patterns[(h % patterns.len() as u64) as usize];
            let t = TOPICS[((h >> 20) % TOPICS.len() as u64) as usize];
            let base = p.replace("{u}", unit).replace("{t}", t);
            let count = seen.entry(base.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                base
            } else {
                format!("{base}（{}）", chinese_number(*count))
            }
        })
        .collect()
}

/// 2 → 二, 12 → 十二, 31 → 三十一 (numbers up to 999, enough for any list).
pub(crate) fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n < 10 {
        return D[n as usize].to_string();
    }
    if n < 20 {
        return format!(
            "十{}",
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        );
    }
    if n < 100 {
        let tail = if n % 10 == 0 {
            ""
        } else {
            D[(n % 10) as usize]
        };
        return format!("{}十{}", D[(n / 10) as usize], tail);
    }
    let rest = n % 100;
    let tail = match rest {
        0 => String::new(),
        1..=9 => format!("零{}", D[rest as usize]),
        10..=19 => format!("一{}", chinese_number(rest)),
        _ => chinese_number(rest),
    };
    format!("{}百{tail}", D[((n / 100) % 10) as usize])
}

/// A WeChat-style id: 22 characters of `[A-Za-z0-9_-]`.
pub(crate) fn wx_id(parts: &[u64]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut h = hash(parts);
    (0..22)
        .map(|i| {
            if i % 10 == 0 {
                h = mix(h ^ i);
            }
            let c = ALPHABET[(h & 63) as usize] as char;
            h >>= 6;
            c
        })
        .collect()
}

/// `n` hex digits from a hash.
pub(crate) fn hex(parts: &[u64], n: usize) -> String {
    let mut out = String::new();
    let mut k = 0u64;
    while out.len() < n {
        out.push_str(&format!("{:016x}", hash(&[hash(parts), k])));
        k += 1;
    }
    out.truncate(n);
    out
}

/// A masked sender name for letters (王**).
pub(crate) fn sender(h: u64) -> String {
    const SURNAMES: [&str; 12] = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "程",
    ];
    format!("{}**", SURNAMES[(h % SURNAMES.len() as u64) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn spread_stays_inside() {
        for n in [1, 2, 7, 92, 93, 189, 500] {
            let v = spread(n, d("2020-07-01"), d("2020-09-30"));
            assert_eq!(v.len(), n as usize);
            assert!(
                v.iter()
                    .all(|x| *x >= d("2020-07-01") && *x <= d("2020-09-30"))
            );
            assert!(v.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn spread_to_end_ends_on_end() {
        let v = spread_to_end(5, d("2020-10-01"), d("2020-12-16"));
        assert_eq!(v.last(), Some(&d("2020-12-16")));
        assert!(v[0] > d("2020-10-01"));
        let one = spread_to_end(1, d("2020-10-01"), d("2020-10-01"));
        assert_eq!(one, vec![d("2020-10-01")]);
    }

    #[test]
    fn titles_are_unique_and_stable() {
        let a = titles(TitleKind::Disclosure, "市公安局", 7, 300);
        let set: std::collections::HashSet<_> = a.iter().collect();
        assert_eq!(set.len(), 300);
        assert_eq!(a, titles(TitleKind::Disclosure, "市公安局", 7, 300));
    }

    #[test]
    fn numbers() {
        assert_eq!(chinese_number(2), "二");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(15), "十五");
        assert_eq!(chinese_number(40), "四十");
        assert_eq!(chinese_number(99), "九十九");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(213), "二百一十三");
    }
}
