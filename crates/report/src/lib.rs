//! The report: a round's figures, findings and notice, computed from its stored results.
//!
//! [`compute`] is the one place where numbers are made, from every result or from what a
//! report reads of them ([`Evidence`], how a round of 10⁶ jobs is read from a store);
//! [`model`] is the `report.json` contract; [`notice`] writes the notice's sentences and
//! tables from the model alone, as a [`document`], and [`render`] lays that one document out
//! as Markdown, HTML, Word and a workbook, so every figure printed in any format equals the
//! one in `report.json`.

pub mod compute;
pub mod document;
pub mod evidence;
mod finished;
pub mod model;
pub mod notice;
pub mod recheck;
mod refused;
pub mod render;

pub use compute::{compute, compute_read};
pub use evidence::Evidence;
pub use finished::{Finished, report_of};
pub use model::Report;
pub use recheck::recheck_scope;
