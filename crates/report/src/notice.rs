//! The notice (通报) in Markdown, rendered from the report model alone.

use std::fmt::Write;

use crate::model::Report;

/// Percent with no decimals when whole (`100%`), else one decimal (`97.5%`).
pub fn percent(r: f64) -> String {
    let p = r * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round() as i64)
    } else {
        format!("{p:.1}%")
    }
}

/// Chinese numerals for counts in prose (`六家单位`).
pub fn chinese_count(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n % 10 == 0 { "" } else { D[n % 10] }),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n % 10 == 0 { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// The notice in Markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let s_ = &mut s;
    let kind = match r.round.kind {
        spotcheck_core::round::RoundKind::Spot => "抽查",
        spotcheck_core::round::RoundKind::Recheck => "复查",
    };
    let _ = writeln!(
        s_,
        "# {}关于政府网站与政务新媒体{kind}情况的通报\n",
        r.region
    );
    let _ = writeln!(
        s_,
        "统计时间：{} 至 {}；检查时点：{}；轮次：{}\n",
        r.round.window.from, r.round.window.to, r.round.as_of, r.round.id
    );
    let sm = &r.summary;
    let _ = writeln!(s_, "## 一、基本情况\n");
    let _ = write!(
        s_,
        "截至{}，登记政府网站{}家、政务新媒体{}家。本次{kind}网站{}家、政务新媒体{}家，抽查率{}，合格率{}。",
        r.round.as_of,
        sm.websites.registered,
        sm.accounts.registered,
        sm.websites.checked,
        sm.accounts.checked,
        percent(sm.sample_rate),
        percent(sm.pass_rate),
    );
    if sm.letters.received > 0 {
        let _ = write!(
            s_,
            "统计期内共收到咨询投诉信件{}封，已回复{}封，回复率{}",
            sm.letters.received,
            sm.letters.replied,
            percent(sm.letters.reply_rate)
        );
        if let Some(top) = r.letters.first() {
            let _ = write!(
                s_,
                "，{}共收到信件{}封，占比{}",
                top.unit,
                top.received,
                percent_whole(top.received, sm.letters.received)
            );
        }
        let _ = write!(s_, "。");
    }
    let _ = writeln!(s_, "\n");
    let _ = writeln!(s_, "## 二、主要问题\n");
    if r.problems.is_empty() {
        let _ = writeln!(s_, "本次{kind}未发现问题。\n");
    }
    for (i, p) in r.problems.iter().enumerate() {
        let ord = ORDINALS.get(i).copied().unwrap_or("");
        let _ = writeln!(
            s_,
            "（{ord}）{}。{}等{}家单位存在此类问题。\n",
            p.indicator.title(),
            p.units.join("、"),
            chinese_count(p.units.len())
        );
        for f in r.findings.iter().filter(|f| f.indicator == p.indicator) {
            let url = f
                .url
                .as_deref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            let _ = writeln!(s_, "- {}｜{}｜{}{url}", f.unit, f.target, f.detail);
        }
        let _ = writeln!(s_);
    }
    s
}

/// A share rounded to a whole percent, as the notice writes it (`占比45%`).
fn percent_whole(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{}%", ((part as f64 * 100.0) / whole as f64).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_and_percentages() {
        assert_eq!(chinese_count(6), "六");
        assert_eq!(chinese_count(10), "十");
        assert_eq!(chinese_count(13), "十三");
        assert_eq!(chinese_count(48), "四十八");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(percent_whole(308, 683), "45%");
    }
}
