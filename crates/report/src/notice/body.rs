//! The notice's body around its problems: the opening, 一、基本情况 and 三、下一步工作要求.

use spotcheck_core::round::RoundKind;

use super::place::Place;
use super::wording::{Period, chinese_count, month_day, percent, percent_whole, quarter};
use crate::document::Block;
use crate::model::Report;

/// What was checked when: a re-check says when the spot round ran (when it knows) and when
/// the re-check started, as the seed does.
pub(super) fn opening(r: &Report, place: &Place) -> String {
    let spot = r.round.parent_as_of.unwrap_or(r.round.as_of);
    let q = chinese_count(quarter(spot) as usize);
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
            "{lead}{}对{}政府网站与政务新媒体检查指标组织开展了第{q}季度抽查，并督促各单位完成整改，于{}启动复查，现将复查结果通报如下：",
            r.round
                .parent_as_of
                .map(|d| format!("于{}", month_day(d)))
                .unwrap_or_default(),
            place.whole(),
            month_day(r.round.as_of)
        ),
    }
}

/// 一、基本情况: what is registered, what was checked, the rates, and the letters.
pub(super) fn basics(r: &Report, place: &Place, window: &Period) -> String {
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

/// 三、下一步工作要求: the same requirements every quarter, as the seed's.
pub(super) fn requirements(recheck: bool) -> Vec<Block> {
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
