//! The indicator catalogue: every kind of finding a round can make, with its severity.

use serde::{Deserialize, Serialize};

/// How much a finding weighs: a veto fails the target, a deduction costs points, a notice
/// tells without judging (e.g. a link that could not be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Veto,
    Deduct,
    Notice,
}

/// In the order the notice's 主要问题 lists them: sites and their columns, then new media,
/// then online interviews (as the seed notice does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Indicator {
    #[serde(rename = "site.unreachable")]
    SiteUnreachable,
    #[serde(rename = "site.homepage_stale")]
    HomepageStale,
    #[serde(rename = "column.stale")]
    ColumnStale,
    #[serde(rename = "column.blank")]
    ColumnBlank,
    #[serde(rename = "links.broken")]
    LinkBroken,
    #[serde(rename = "letters.unanswered")]
    LetterUnanswered,
    #[serde(rename = "wechat.menu_link_broken")]
    MenuLinkBroken,
    #[serde(rename = "wechat.stale")]
    WechatStale,
    #[serde(rename = "wechat.unavailable")]
    WechatUnavailable,
    #[serde(rename = "interview.missing")]
    InterviewMissing,
    /// A job that could not be processed after every delivery attempt: the round says so
    /// rather than silently missing a check.
    #[serde(rename = "round.job_failed")]
    JobFailed,
    /// A target the round's own policy refused (a name resolving to a private address): a
    /// problem of the registry, told to the operator and never counted against a unit.
    #[serde(rename = "round.config")]
    RoundConfig,
}

impl Indicator {
    pub const ALL: [Indicator; 12] = [
        Indicator::SiteUnreachable,
        Indicator::HomepageStale,
        Indicator::ColumnStale,
        Indicator::ColumnBlank,
        Indicator::LinkBroken,
        Indicator::LetterUnanswered,
        Indicator::MenuLinkBroken,
        Indicator::WechatStale,
        Indicator::WechatUnavailable,
        Indicator::InterviewMissing,
        Indicator::JobFailed,
        Indicator::RoundConfig,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Indicator::SiteUnreachable => "site.unreachable",
            Indicator::HomepageStale => "site.homepage_stale",
            Indicator::ColumnStale => "column.stale",
            Indicator::ColumnBlank => "column.blank",
            Indicator::LinkBroken => "links.broken",
            Indicator::LetterUnanswered => "letters.unanswered",
            Indicator::InterviewMissing => "interview.missing",
            Indicator::MenuLinkBroken => "wechat.menu_link_broken",
            Indicator::WechatStale => "wechat.stale",
            Indicator::WechatUnavailable => "wechat.unavailable",
            Indicator::JobFailed => "round.job_failed",
            Indicator::RoundConfig => "round.config",
        }
    }

    /// The severity a finding of this indicator has by default (column findings become vetoes
    /// when a site reaches the plan's count).
    pub fn severity(&self) -> Severity {
        match self {
            Indicator::SiteUnreachable
            | Indicator::HomepageStale
            | Indicator::LetterUnanswered
            | Indicator::WechatStale => Severity::Veto,
            Indicator::ColumnStale
            | Indicator::ColumnBlank
            | Indicator::LinkBroken
            | Indicator::InterviewMissing
            | Indicator::MenuLinkBroken => Severity::Deduct,
            Indicator::WechatUnavailable | Indicator::JobFailed | Indicator::RoundConfig => {
                Severity::Notice
            }
        }
    }

    /// Whether a re-check can find this problem fixed. A missed online interview belongs to
    /// the window that is over, and a job failure or a refused target is the checker's own:
    /// none is re-checked.
    pub fn rectifiable(&self) -> bool {
        !matches!(
            self,
            Indicator::InterviewMissing | Indicator::JobFailed | Indicator::RoundConfig
        )
    }

    /// The heading of the notice's paragraph for this indicator (二、主要问题).
    pub fn title(&self) -> &'static str {
        match self {
            Indicator::SiteUnreachable => "网站无法访问",
            Indicator::HomepageStale => "首页长期未更新",
            Indicator::ColumnStale => "栏目更新不及时",
            Indicator::ColumnBlank => "栏目内容空白",
            Indicator::LinkBroken => "网站链接失效",
            Indicator::LetterUnanswered => "留言长期未回复",
            Indicator::InterviewMissing => "在线访谈开展不及时",
            Indicator::MenuLinkBroken => "新媒体菜单链接失效",
            Indicator::WechatStale => "新媒体长期未更新",
            Indicator::WechatUnavailable => "新媒体菜单无法读取",
            Indicator::JobFailed => "检查任务未能完成",
            Indicator::RoundConfig => "检查目标被本轮配置拒绝",
        }
    }
}
