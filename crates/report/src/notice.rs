//! The notice (通报): its sentences and tables, written once from the report model.
//!
//! The structure is the seed notice's: title, addressees, an opening that says what was
//! checked when, 一、基本情况 (registered, checked, 抽查率, 合格率, letters), 二、主要问题 (one
//! numbered paragraph per indicator with problems, naming the units), 三、下一步工作要求, then
//! the attachments (信息更新情况表 in the seed's two-column layout, 留言回复情况统计表, and
//! the 问题清单 with the evidence, so the body reads like the seed while every finding is
//! still listed). A re-check says what was rectified and which units still have problems.
//!
//! Every figure printed is a field of [`Report`]; the only arithmetic here is layout (the
//! largest department's share of the letters, rounded to a whole percent as the seed does).

use chrono::{Datelike, NaiveDate};
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::round::RoundKind;

use crate::model::{Finding, Rectification, Report, WindowInfo};
use crate::render::{Attachment, AttachmentKind, Block, Cell, Document, Table};

/// The notice in Markdown (the same text as the HTML and Word notices).
pub fn markdown(r: &Report) -> String {
    crate::render::markdown::render(&document(r))
}

/// The notice as a document for the renderers.
pub fn document(r: &Report) -> Document {
    let place = Place::new(&r.region);
    let window = Period::of(&r.round.window);
    let recheck = r.round.kind == RoundKind::Recheck;

    let attachments = attachments(r, &window);
    let mut body = vec![
        Block::Addressee(place.addressee()),
        Block::Paragraph(opening(r, &place)),
        Block::Heading("一、基本情况".into()),
        Block::Paragraph(basics(r, &place, &window)),
        Block::Heading("二、主要问题".into()),
    ];
    body.extend(problems(r, &window));
    body.push(Block::Heading("三、下一步工作要求".into()));
    body.extend(requirements(recheck));
    body.push(Block::AttachmentList(
        attachments.iter().map(|a| a.title.clone()).collect(),
    ));
    body.push(Block::Signature(vec![place.office()]));
    body.push(Block::Remark("（此件主动公开）".into()));

    Document {
        title: format!(
            "{}关于{}年第{}季度网站与政务新媒体抽查情况的通报",
            place.office(),
            r.round.as_of.year(),
            chinese_count(quarter(r.round.as_of) as usize)
        ),
        body,
        attachments,
    }
}

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

/// A count of units in prose: `两家单位`, not `二家单位`.
fn units_count(n: usize) -> String {
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
fn percent_whole(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{}%", ((part as f64 * 100.0) / whole as f64).round() as i64)
}

fn quarter(d: NaiveDate) -> u32 {
    d.month0() / 3 + 1
}

/// `12月17日`: dates in the notice's prose leave the year to the title.
fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

fn full_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The statistics window as the notice names it.
struct Period {
    /// `2020年第三季度` (or `2020年7月1日至2020年8月15日` when not a calendar quarter).
    full: String,
    /// `三季度` in prose (or `统计期内`).
    short: String,
    /// `7月1日—9月30日` for the 统计时间 line.
    span: String,
}

impl Period {
    fn of(w: &WindowInfo) -> Period {
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

/// The region and the words that depend on its level (市, 县 or 区).
struct Place<'a> {
    region: &'a str,
    level: Option<char>,
}

impl<'a> Place<'a> {
    fn new(region: &'a str) -> Place<'a> {
        let level = region
            .chars()
            .last()
            .filter(|c| matches!(c, '市' | '县' | '区'));
        Place { region, level }
    }

    /// `景德镇市人民政府办公室`, the issuing office.
    fn office(&self) -> String {
        format!("{}人民政府办公室", self.region)
    }

    /// `市政府办公室` inside the text.
    fn office_short(&self) -> String {
        match self.level {
            Some(l) => format!("{l}政府办公室"),
            None => self.office(),
        }
    }

    /// `全市`.
    fn whole(&self) -> String {
        match self.level {
            Some(l) => format!("全{l}"),
            None => "全辖区".into(),
        }
    }

    /// `我市`.
    fn ours(&self) -> String {
        match self.level {
            Some(l) => format!("我{l}"),
            None => "本地区".into(),
        }
    }

    fn addressee(&self) -> String {
        match self.level {
            Some('市') => "各县（市、区）人民政府，市政府各部门，市直有关单位：".into(),
            Some('县') => "各乡（镇）人民政府，县政府各部门，县直有关单位：".into(),
            Some('区') => "各镇人民政府、街道办事处，区政府各部门，区直有关单位：".into(),
            _ => "各有关单位：".into(),
        }
    }
}

fn opening(r: &Report, place: &Place) -> String {
    let q = chinese_count(quarter(r.round.as_of) as usize);
    let lead = format!(
        "根据政府网站与政务新媒体监测抽查工作要求，结合{}工作安排，{}",
        place.ours(),
        place.office_short()
    );
    match r.round.kind {
        RoundKind::Spot => format!(
            "{lead}于{}对{}政府网站与政务新媒体检查指标组织开展了第{q}季度抽查，现将抽查情况通报如下：",
            month_day(r.round.as_of),
            place.whole()
        ),
        RoundKind::Recheck => format!(
            "{lead}对{}政府网站与政务新媒体检查指标组织开展了第{q}季度抽查，并督促各单位完成整改，于{}启动复查，现将复查结果通报如下：",
            place.whole(),
            month_day(r.round.as_of)
        ),
    }
}

/// 一、基本情况: what is registered, what was checked, the rates, and the letters.
fn basics(r: &Report, place: &Place, window: &Period) -> String {
    let s = &r.summary;
    let mut t = format!(
        "截至{}，{}登记正常运行的政府网站{}家、政务新媒体{}家。",
        month_day(r.round.as_of),
        place.ours(),
        s.websites.registered,
        s.accounts.registered
    );
    let q = format!("{}季度", chinese_count(quarter(r.round.as_of) as usize));
    let all_checked =
        s.websites.checked == s.websites.registered && s.accounts.checked == s.accounts.registered;
    if all_checked {
        t.push_str(&format!(
            "经监测，{}{}家网站、{}家政务新媒体{q}",
            place.whole(),
            s.websites.checked,
            s.accounts.checked
        ));
    } else {
        t.push_str(&format!(
            "经监测，本次抽查网站{}家、政务新媒体{}家，{q}",
            s.websites.checked, s.accounts.checked
        ));
    }
    if s.pass_rate >= 1.0 {
        t.push_str("总体运行情况良好，");
    }
    t.push_str(&format!(
        "抽查率{}，合格率{}。",
        percent(s.sample_rate),
        percent(s.pass_rate)
    ));
    let letters = &s.letters;
    if letters.received == 0 {
        t.push_str(&format!(
            "{}{}政府网站未收到咨询投诉信件。",
            window.short, place.region
        ));
    } else {
        t.push_str(&format!(
            "{}{}政府网站共收到咨询投诉信件{}封，已回复{}封，回复率达{}",
            window.short,
            place.region,
            letters.received,
            letters.replied,
            percent(letters.reply_rate)
        ));
        if let Some(top) = r.letters.first() {
            t.push_str(&format!(
                "，{}共收到信件{}封，占比{}",
                top.unit,
                top.received,
                percent_whole(top.received, letters.received)
            ));
        }
        t.push('。');
    }
    if s.jobs.dead > 0 {
        t.push_str(&format!(
            "另有{}项检查任务多次尝试后仍未完成，相关指标未能判定，详见附件问题清单。",
            s.jobs.dead
        ));
    }
    t
}

/// The sentence of a spot round's paragraph for an indicator, naming its units.
fn spot_sentence(ind: Indicator, units: &str, period: &str) -> String {
    match ind {
        Indicator::SiteUnreachable => format!(
            "经监测，{units}网站在抽查期间多次无法访问，影响公众正常获取政府信息和办事服务。"
        ),
        Indicator::HomepageStale => {
            format!("{units}网站首页信息长期未更新，未达到首页更新时限要求。")
        }
        Indicator::ColumnStale => {
            format!("{units}网站部分栏目超过规定期限未更新，内容保障不到位。")
        }
        Indicator::ColumnBlank => format!("{units}网站存在无任何内容或无法打开的空白栏目。"),
        Indicator::LinkBroken => format!("{units}网站页面存在无法打开的失效链接。"),
        Indicator::LetterUnanswered => format!("{units}存在超过规定期限未回复的网民留言。"),
        Indicator::MenuLinkBroken => {
            format!("部分单位微信公众号菜单链接失效，{units}的公众号菜单存在无法打开的链接。")
        }
        Indicator::WechatStale => format!("{units}的政务新媒体超过规定期限未发布信息。"),
        Indicator::WechatUnavailable => {
            format!("{units}的微信公众号菜单无法读取，未能完成检查。")
        }
        Indicator::InterviewMissing => {
            format!("根据在线访谈工作要求，{period}{units}未按要求开展在线访谈。")
        }
        Indicator::JobFailed => {
            format!("{units}的部分检查任务多次尝试后仍未完成，相关指标未能判定。")
        }
        Indicator::RoundConfig => {
            format!("{units}的部分检查目标被本轮配置拒绝，未予检查，请核对登记表。")
        }
    }
}

/// How a re-check's paragraph opens: the problem as the spot round found it.
fn recheck_lead(ind: Indicator) -> &'static str {
    match ind {
        Indicator::SiteUnreachable => "抽查中部分单位网站无法正常访问",
        Indicator::HomepageStale => "抽查中部分网站首页信息长期未更新",
        Indicator::ColumnStale => "抽查中部分网站栏目更新不及时",
        Indicator::ColumnBlank => "抽查中部分网站存在空白栏目",
        Indicator::LinkBroken => "抽查中部分网站页面存在失效链接",
        Indicator::LetterUnanswered => "抽查中部分单位网民留言办理不及时",
        Indicator::MenuLinkBroken => "抽查中部分单位微信公众号菜单链接失效",
        Indicator::WechatStale => "抽查中部分政务新媒体长期未更新",
        Indicator::WechatUnavailable => "抽查中部分微信公众号菜单无法读取",
        Indicator::InterviewMissing => "抽查中部分单位未按要求开展在线访谈",
        Indicator::JobFailed => "抽查中部分检查任务未能完成",
        Indicator::RoundConfig => "抽查中部分检查目标被本轮配置拒绝",
    }
}

/// Units in first-seen order, each once.
fn distinct<'a>(units: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in units {
        if !out.iter().any(|o| o == u) {
            out.push(u.to_string());
        }
    }
    out
}

/// 二、主要问题: one numbered paragraph per indicator, in the report's order.
fn problems(r: &Report, window: &Period) -> Vec<Block> {
    let kind = match r.round.kind {
        RoundKind::Spot => "抽查",
        RoundKind::Recheck => "复查",
    };
    let mut paragraphs: Vec<(Indicator, String)> = Vec::new();
    match &r.rectification {
        None => {
            for p in &r.problems {
                paragraphs.push((
                    p.indicator,
                    spot_sentence(p.indicator, &units_phrase(&p.units), &window.short),
                ));
            }
        }
        Some(rect) => {
            let mut indicators: Vec<Indicator> = rect.items.iter().map(|i| i.indicator).collect();
            indicators.extend(r.problems.iter().map(|p| p.indicator));
            indicators.sort();
            indicators.dedup();
            for ind in indicators {
                paragraphs.push((ind, recheck_sentence(r, rect, ind, window)));
            }
        }
    }
    if paragraphs.is_empty() {
        return vec![Block::Paragraph(format!("本次{kind}未发现问题。"))];
    }
    paragraphs
        .into_iter()
        .enumerate()
        .map(|(i, (ind, text))| Block::Item {
            lead: format!("（{}）{}。", chinese_count(i + 1), ind.title()),
            text,
        })
        .collect()
}

/// A re-check's paragraph for an indicator: fixed, or which units still have the problem,
/// and any unit the re-check found with it anew.
fn recheck_sentence(r: &Report, rect: &Rectification, ind: Indicator, window: &Period) -> String {
    let now: Vec<String> = r
        .problems
        .iter()
        .filter(|p| p.indicator == ind)
        .flat_map(|p| p.units.iter().cloned())
        .collect();
    let items: Vec<_> = rect.items.iter().filter(|i| i.indicator == ind).collect();
    if items.is_empty() {
        return spot_sentence(ind, &units_phrase(&now), &window.short);
    }
    // Units in the model's order of `not_rectified` (the registry's), then any other.
    let open = distinct(
        items
            .iter()
            .filter(|i| !i.rectified)
            .map(|i| i.unit.as_str()),
    );
    let still = distinct(
        rect.not_rectified
            .iter()
            .filter(|u| open.contains(u))
            .chain(open.iter())
            .map(String::as_str),
    );
    let mut t = recheck_lead(ind).to_string();
    if still.is_empty() {
        t.push_str("，经过整改已基本完善。");
    } else {
        t.push_str(&format!(
            "，经过督促整改后，仍有{}未及时完成整改。",
            units_phrase(&still)
        ));
    }
    let anew: Vec<String> = now.into_iter().filter(|u| !still.contains(u)).collect();
    if !anew.is_empty() {
        t.push_str(&format!(
            "复查中另发现{}存在此类问题。",
            units_phrase(&anew)
        ));
    }
    t
}

/// 三、下一步工作要求: the same requirements every quarter, as the seed's.
fn requirements(recheck: bool) -> Vec<Block> {
    let first = if recheck {
        "（一）未完成整改的单位要对照本通报及附件所列问题，立即整改到位，并举一反三，全面排查同类问题，确保网站与政务新媒体内容准确、链接有效、更新及时。"
    } else {
        "（一）各有关单位要对照本通报及附件所列问题逐项核实整改，确保网站与政务新媒体内容准确、链接有效、更新及时，整改完成情况将纳入复查。"
    };
    [
        first,
        "（二）各单位要加强网站与政务新媒体日常监测和内容保障，及时更新政府信息公开栏目，按时办理回复网民留言，结合工作实际按照要求及时开展在线访谈，畅通政民互动渠道。",
        "（三）网站与政务新媒体抽查整改情况将作为重要内容纳入年度政务公开工作考核，请各有关单位对通报问题高度重视，加强整改。",
    ]
    .into_iter()
    .map(|t| Block::Paragraph(t.to_string()))
    .collect()
}

fn attachments(r: &Report, window: &Period) -> Vec<Attachment> {
    let note = Some(format!("（统计时间：{}）", window.span));
    let mut out = vec![
        Attachment {
            kind: AttachmentKind::Updates,
            label: String::new(),
            title: format!("{}信息公开平台信息更新情况表", window.full),
            note: note.clone(),
            table: updates_table(r),
        },
        Attachment {
            kind: AttachmentKind::Letters,
            label: String::new(),
            title: format!("{}{}政府网站留言回复情况统计表", window.full, r.region),
            note,
            table: letters_table(r),
        },
    ];
    if !r.findings.is_empty() {
        out.push(Attachment {
            kind: AttachmentKind::Findings,
            label: String::new(),
            title: match r.round.kind {
                RoundKind::Spot => "抽查问题清单".into(),
                RoundKind::Recheck => "复查问题清单".into(),
            },
            note: Some(format!("（检查时点：{}）", full_date(r.round.as_of))),
            table: findings_table(&r.findings),
        });
    }
    if let Some(rect) = r.rectification.as_ref().filter(|x| !x.items.is_empty()) {
        out.push(Attachment {
            kind: AttachmentKind::Rectification,
            label: String::new(),
            title: "整改情况表".into(),
            note: Some(format!("（复查时点：{}）", full_date(r.round.as_of))),
            table: rectification_table(rect),
        });
    }
    for (i, a) in out.iter_mut().enumerate() {
        a.label = format!("附件{}", i + 1);
    }
    out
}

/// 附件1 in the seed's two-column layout: the first half of the units (rounded up) on the
/// left, the rest on the right, in the report's order.
fn updates_table(r: &Report) -> Table {
    let half = r.updates.len().div_ceil(2);
    let (left, right) = r.updates.split_at(half);
    let rows = left
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![Cell::Text(l.unit.clone()), Cell::Count(l.count)];
            match right.get(i) {
                Some(x) => row.extend([Cell::Text(x.unit.clone()), Cell::Count(x.count)]),
                None => row.extend([Cell::Empty, Cell::Empty]),
            }
            row
        })
        .collect();
    Table {
        header: ["部门", "信息更新量", "部门", "信息更新量"]
            .map(String::from)
            .to_vec(),
        widths: vec![3, 2, 3, 2],
        rows,
    }
}

fn letters_table(r: &Report) -> Table {
    Table {
        header: ["部门", "收到留言数", "回复留言数", "回复率"]
            .map(String::from)
            .to_vec(),
        widths: vec![4, 2, 2, 2],
        rows: r
            .letters
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.unit.clone()),
                    Cell::Count(l.received),
                    Cell::Count(l.replied),
                    Cell::Rate(l.reply_rate),
                ]
            })
            .collect(),
    }
}

/// How a finding weighs, in the notice's words.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "单项否决",
        Severity::Deduct => "扣分",
        Severity::Notice => "提示",
    }
}

/// Pages linking a broken link, as many as the list shows before it says how many there are.
const PAGES_SHOWN: usize = 3;

/// A finding's evidence in one cell: the detail, and the pages that link a broken link.
pub fn evidence(f: &Finding) -> String {
    let mut s = f.detail.clone();
    if !f.pages.is_empty() {
        let shown: Vec<&str> = f
            .pages
            .iter()
            .take(PAGES_SHOWN)
            .map(String::as_str)
            .collect();
        s.push_str(&format!("；所在页面：{}", shown.join("；")));
        if f.pages.len() > PAGES_SHOWN {
            s.push_str(&format!(" 等{}个页面", f.pages.len()));
        }
    }
    s
}

fn findings_table(findings: &[Finding]) -> Table {
    Table {
        header: [
            "序号",
            "单位",
            "问题",
            "性质",
            "检查对象",
            "问题详情",
            "地址",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![2, 3, 3, 2, 3, 7, 6],
        rows: findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    Cell::Count(i as u32 + 1),
                    Cell::Text(f.unit.clone()),
                    Cell::Text(f.indicator.title().into()),
                    Cell::Text(severity_label(f.severity).into()),
                    Cell::Text(f.target.clone()),
                    Cell::Text(evidence(f)),
                    Cell::Text(f.url.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}

/// Whether a re-check found a problem fixed, in the notice's words.
pub fn rectified_label(rectified: bool) -> &'static str {
    if rectified { "已整改" } else { "未整改" }
}

fn rectification_table(rect: &Rectification) -> Table {
    Table {
        header: [
            "序号",
            "单位",
            "问题",
            "检查对象",
            "抽查情况",
            "复查情况",
            "整改结果",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![2, 3, 3, 3, 6, 6, 2],
        rows: rect
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                vec![
                    Cell::Count(i as u32 + 1),
                    Cell::Text(it.unit.clone()),
                    Cell::Text(it.indicator.title().into()),
                    Cell::Text(it.target.clone()),
                    Cell::Text(it.before.clone()),
                    Cell::Text(it.now.clone()),
                    Cell::Text(rectified_label(it.rectified).into()),
                ]
            })
            .collect(),
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

    #[test]
    fn the_region_sets_the_level_words() {
        let city = Place::new("景德镇市");
        assert_eq!(city.whole(), "全市");
        assert_eq!(city.office_short(), "市政府办公室");
        assert_eq!(city.office(), "景德镇市人民政府办公室");
        assert!(city.addressee().starts_with("各县（市、区）"));
        assert_eq!(Place::new("浮梁县").ours(), "我县");
        assert_eq!(Place::new("某地").addressee(), "各有关单位：");
    }
}
