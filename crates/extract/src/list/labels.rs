//! The words letters boards and disclosure tables use to name their columns and states.
//!
//! Boards name the same column many ways (办理单位 / 承办单位 / 答复单位 / 回复部门 …), so a column
//! is recognised by what its label says, never by where it stands. Status words are read pending
//! first: 未办结 contains 办结 and 未回复 contains 回复.

use serde::{Deserialize, Serialize};

/// Whether a letter has been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReplyStatus {
    /// 已回复 / 已办结 / 已答复 / 已处理 …
    Replied,
    /// 未回复 / 办理中 / 待处理 / 未办结 …
    Pending,
}

/// What a labelled column or labelled span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// The item's title.
    Title,
    /// The unit that handles or answered the letter.
    Unit,
    /// When the letter was received.
    Received,
    /// Whether it has been answered.
    Status,
    /// When it was answered.
    Answered,
    /// The publication date of an ordinary item.
    Published,
    /// The date a document was written (成文日期): a date, but a weaker one than publication.
    Written,
}

fn normalise(label: &str) -> String {
    label
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '：' | ':' | '　' | '*' | '[' | ']' | '【' | '】')
        })
        .collect()
}

/// Reads a column header or span label. Labels longer than a short phrase are not labels.
pub fn classify(label: &str) -> Option<Label> {
    let l = normalise(label);
    if l.is_empty() || l.chars().count() > 8 {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
    let timeish = has(&["时间", "日期"]);
    if l.ends_with("状态") || l == "是否回复" || l == "是否办结" || l == "办理情况" {
        return Some(Label::Status);
    }
    if timeish && has(&["回复", "答复", "办结", "反馈", "处理"]) {
        return Some(Label::Answered);
    }
    if timeish
        && has(&[
            "留言", "来信", "提问", "提交", "写信", "咨询", "投诉", "发信", "受理", "提出", "信件",
            "来件",
        ])
    {
        return Some(Label::Received);
    }
    if has(&["单位", "部门", "机构"])
        && (has(&[
            "办理", "承办", "答复", "回复", "处理", "受理", "责任", "转办", "交办",
        ]) || l == "单位"
            || l == "部门")
    {
        return Some(Label::Unit);
    }
    if has(&["成文"]) && timeish {
        return Some(Label::Written);
    }
    if timeish || l == "日期" {
        return Some(Label::Published);
    }
    if has(&["标题", "主题", "名称", "事项"]) || l == "内容" || l == "信件" {
        return Some(Label::Title);
    }
    None
}

/// Reads a status cell or span.
pub fn status(text: &str) -> Option<ReplyStatus> {
    let t = normalise(text);
    const PENDING: &[&str] = &[
        "未回复",
        "未答复",
        "未办结",
        "未处理",
        "未反馈",
        "待回复",
        "待答复",
        "待处理",
        "待办理",
        "待审核",
        "办理中",
        "处理中",
        "正在办理",
        "正在处理",
        "已受理",
        "已转办",
        "已交办",
        "未办理",
    ];
    const REPLIED: &[&str] = &[
        "已回复",
        "已答复",
        "已办结",
        "已处理",
        "已反馈",
        "已完成",
        "已办理",
        "办结",
        "已解决",
    ];
    if PENDING.iter().any(|w| t.contains(w)) {
        Some(ReplyStatus::Pending)
    } else if REPLIED.iter().any(|w| t.contains(w)) {
        Some(ReplyStatus::Replied)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_by_meaning() {
        assert_eq!(classify("办理单位"), Some(Label::Unit));
        assert_eq!(classify("承办单位："), Some(Label::Unit));
        assert_eq!(classify("回复部门"), Some(Label::Unit));
        assert_eq!(classify("留言时间"), Some(Label::Received));
        assert_eq!(classify("写信时间"), Some(Label::Received));
        assert_eq!(classify("办理状态"), Some(Label::Status));
        assert_eq!(classify("回复状态"), Some(Label::Status));
        assert_eq!(classify("回复时间"), Some(Label::Answered));
        assert_eq!(classify("办结时间"), Some(Label::Answered));
        assert_eq!(classify("发布日期"), Some(Label::Published));
        assert_eq!(classify("成文日期"), Some(Label::Written));
        assert_eq!(classify("信件标题"), Some(Label::Title));
        assert_eq!(classify("关于进一步加强政府网站管理的通知"), None);
    }

    #[test]
    fn status_words() {
        assert_eq!(status("已回复"), Some(ReplyStatus::Replied));
        assert_eq!(status("已办结"), Some(ReplyStatus::Replied));
        assert_eq!(status("未办结"), Some(ReplyStatus::Pending));
        assert_eq!(status("未回复"), Some(ReplyStatus::Pending));
        assert_eq!(status("办理中"), Some(ReplyStatus::Pending));
        assert_eq!(status("查看"), None);
    }
}
