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

mod attachments;
mod body;
mod place;
mod problems;
mod unit;
mod wording;

use chrono::Datelike;
use spotcheck_core::round::RoundKind;

use crate::document::{Block, Document};
use crate::model::Report;
use place::Place;
use wording::{Period, chinese_count, quarter};

pub use attachments::{evidence, rectified_label, severity_label};
pub use unit::{unit_notice, units_with_problems};
pub use wording::{percent, units_phrase};

/// The notice as a document for the renderers.
pub fn document(r: &Report) -> Document {
    let place = Place::new(&r.region);
    let window = Period::of(&r.round.window);
    let recheck = r.round.kind == RoundKind::Recheck;

    let attachments = attachments::attachments(r, &window);
    let mut body = vec![
        Block::Addressee(place.addressee()),
        Block::Paragraph(body::opening(r, &place)),
        Block::Heading("一、基本情况".into()),
        Block::Paragraph(body::basics(r, &place, &window)),
        Block::Heading("二、主要问题".into()),
    ];
    body.extend(problems::problems(r, &window));
    body.push(Block::Heading("三、下一步工作要求".into()));
    body.extend(body::requirements(recheck));
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
