//! The pages, laid out with maud: [`layout`] is the frame every page shares, the others are
//! one page (or one part of a page) each. Text is in the words of a 政务公开 office.

pub mod layout;
pub mod login;
pub mod round;
pub mod rounds;
pub mod start;
pub mod trends;

use spotcheck_core::ports::Progress;
use spotcheck_core::round::RoundKind;

/// 抽查 or 复查.
pub fn kind_label(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Spot => "抽查",
        RoundKind::Recheck => "复查",
    }
}

/// Where a round stands, in words.
pub fn state_label(p: &Progress) -> &'static str {
    if p.complete {
        "已完成"
    } else if p.sealed {
        "进行中"
    } else {
        "准备中"
    }
}

/// Jobs done as a whole percentage (0 while a round has no jobs yet).
pub fn done_percent(p: &Progress) -> u64 {
    if p.complete {
        100
    } else {
        (p.done * 100)
            .checked_div(p.total)
            .map_or(0, |pct| pct.min(99))
    }
}
