//! 二、主要问题: one numbered paragraph per indicator with problems, naming its units; a
//! re-check says per problem what was rectified and who still has it.

use spotcheck_core::indicator::Indicator;
use spotcheck_core::round::RoundKind;

use super::wording::{Period, chinese_count, units_phrase};
use crate::document::Block;
use crate::model::{Rectification, Report};

/// The sentence of a spot round's paragraph for an indicator, naming its units.
pub(super) fn spot_sentence(ind: Indicator, units: &str, period: &str) -> String {
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
        Indicator::SiteIpv6 => format!(
            "{units}网站未能通过IPv6正常访问，或IPv6访问的页面与IPv4不一致，IPv6改造不到位。"
        ),
        Indicator::SiteTls => format!(
            "{units}网站未规范启用HTTPS，存在证书过期、即将过期、与域名不符或HTTP访问未跳转HTTPS等问题。"
        ),
        Indicator::LetterUnanswered => format!("{units}存在超过规定期限未回复的网民留言。"),
        Indicator::WordingError => format!(
            "{units}的网站页面或微信公众号文章存在表述错误（国家、党和机构名称、领导姓名或规范表述书写错误，以及错别字），具体见问题清单。"
        ),
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
pub(super) fn recheck_lead(ind: Indicator) -> &'static str {
    match ind {
        Indicator::SiteUnreachable => "抽查中部分单位网站无法正常访问",
        Indicator::HomepageStale => "抽查中部分网站首页信息长期未更新",
        Indicator::ColumnStale => "抽查中部分网站栏目更新不及时",
        Indicator::ColumnBlank => "抽查中部分网站存在空白栏目",
        Indicator::LinkBroken => "抽查中部分网站页面存在失效链接",
        Indicator::SiteIpv6 => "抽查中部分网站IPv6支持不到位",
        Indicator::SiteTls => "抽查中部分网站HTTPS安全访问不规范",
        Indicator::LetterUnanswered => "抽查中部分单位网民留言办理不及时",
        Indicator::WordingError => "抽查中部分网站页面和微信公众号文章存在表述错误",
        Indicator::MenuLinkBroken => "抽查中部分单位微信公众号菜单链接失效",
        Indicator::WechatStale => "抽查中部分政务新媒体长期未更新",
        Indicator::WechatUnavailable => "抽查中部分微信公众号菜单无法读取",
        Indicator::InterviewMissing => "抽查中部分单位未按要求开展在线访谈",
        Indicator::JobFailed => "抽查中部分检查任务未能完成",
        Indicator::RoundConfig => "抽查中部分检查目标被本轮配置拒绝",
    }
}

/// Units in first-seen order, each once.
pub(super) fn distinct<'a>(units: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in units {
        if !out.iter().any(|o| o == u) {
            out.push(u.to_string());
        }
    }
    out
}

/// 二、主要问题: one numbered paragraph per indicator, in the report's order.
pub(super) fn problems(r: &Report, window: &Period) -> Vec<Block> {
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
pub(super) fn recheck_sentence(
    r: &Report,
    rect: &Rectification,
    ind: Indicator,
    window: &Period,
) -> String {
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
