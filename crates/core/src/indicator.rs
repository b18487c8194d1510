//! The indicator catalogue: every kind of finding a round can make, with its severity.

use serde::{Deserialize, Serialize};

/// How much a finding weighs: a veto fails the target, a deduction costs points, a warning
/// (预警) says a target is near a veto line without counting against it, a notice tells
/// without judging (e.g. a link that could not be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Veto,
    Deduct,
    Warning,
    Notice,
}

impl Severity {
    /// Whether a finding of this severity is a problem: counted in the notice's 主要问题 and
    /// looked at again by a re-check. Warnings and notices are listed, not held against a unit.
    pub fn is_problem(&self) -> bool {
        matches!(self, Severity::Veto | Severity::Deduct)
    }
}

/// In the order the notice's 主要问题 lists them: sites and their columns, then new media,
/// then online interviews (as the seed notice does).
///
/// Each variant's code (`site.unreachable`, ...) is written once, in its `strum` attribute:
/// [`Indicator::code`], parsing and the wire format all derive from it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Indicator {
    #[strum(serialize = "site.unreachable")]
    SiteUnreachable,
    #[strum(serialize = "site.homepage_stale")]
    HomepageStale,
    #[strum(serialize = "column.stale")]
    ColumnStale,
    #[strum(serialize = "column.blank")]
    ColumnBlank,
    #[strum(serialize = "links.broken")]
    LinkBroken,
    /// The site does not serve its visitors over IPv6 as the national IPv6 plans require: no
    /// AAAA record, a homepage that does not open over IPv6 or differs from the IPv4 one, or
    /// second-level pages out of reach over IPv6. A notice unless the plan's `[ipv6]` raises it.
    #[strum(serialize = "site.ipv6")]
    SiteIpv6,
    /// The site's HTTPS falls short of the security guidance: none, a certificate that is
    /// expired, about to expire, untrusted or for another name, or plain HTTP not sent to
    /// HTTPS. A notice unless the plan's `[tls]` raises it.
    #[strum(serialize = "site.tls")]
    SiteTls,
    #[strum(serialize = "letters.unanswered")]
    LetterUnanswered,
    /// A dictionary's wrong phrase or a misspelt leader's name in the text of a page or a
    /// WeChat article; the severity is the dictionary entry's (veto or deduct).
    #[strum(serialize = "content.wording_error")]
    WordingError,
    #[strum(serialize = "wechat.menu_link_broken")]
    MenuLinkBroken,
    #[strum(serialize = "wechat.stale")]
    WechatStale,
    #[strum(serialize = "wechat.unavailable")]
    WechatUnavailable,
    #[strum(serialize = "interview.missing")]
    InterviewMissing,
    /// A job that could not be processed after every delivery attempt: the round says so
    /// rather than silently missing a check.
    #[strum(serialize = "round.job_failed")]
    JobFailed,
    /// A target the round's own policy refused (a name resolving to a private address): a
    /// problem of the registry, told to the operator and never counted against a unit.
    #[strum(serialize = "round.config")]
    RoundConfig,
}

/// Codes arrive as owned strings from every deserializer (JSON from the queue and the store).
impl TryFrom<String> for Indicator {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
            .map_err(|_| format!("unknown indicator `{code}`"))
    }
}

impl Indicator {
    /// Every indicator, in declaration order.
    pub const ALL: &'static [Indicator] = <Indicator as strum::VariantArray>::VARIANTS;

    /// The indicator's code in reports and on the wire (`site.unreachable`, ...).
    pub fn code(&self) -> &'static str {
        self.into()
    }

    /// The severity a finding of this indicator has by default (column findings become vetoes
    /// when a site reaches the plan's count; a wording error has its dictionary entry's; the
    /// plan's `[ipv6]` and `[tls]` raise theirs).
    pub fn severity(&self) -> Severity {
        match self {
            Indicator::SiteUnreachable
            | Indicator::HomepageStale
            | Indicator::LetterUnanswered
            | Indicator::WechatStale
            | Indicator::WordingError => Severity::Veto,
            Indicator::ColumnStale
            | Indicator::ColumnBlank
            | Indicator::LinkBroken
            | Indicator::InterviewMissing
            | Indicator::MenuLinkBroken => Severity::Deduct,
            Indicator::SiteIpv6
            | Indicator::SiteTls
            | Indicator::WechatUnavailable
            | Indicator::JobFailed
            | Indicator::RoundConfig => Severity::Notice,
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
            Indicator::SiteIpv6 => "网站IPv6支持不到位",
            Indicator::SiteTls => "网站HTTPS安全访问不规范",
            Indicator::LetterUnanswered => "留言长期未回复",
            Indicator::WordingError => "内容存在表述错误",
            Indicator::InterviewMissing => "在线访谈开展不及时",
            Indicator::MenuLinkBroken => "新媒体菜单链接失效",
            Indicator::WechatStale => "新媒体长期未更新",
            Indicator::WechatUnavailable => "新媒体菜单无法读取",
            Indicator::JobFailed => "检查任务未能完成",
            Indicator::RoundConfig => "检查目标被本轮配置拒绝",
        }
    }
}
