//! The report: a round's figures, findings and notice, computed from its stored results.
//!
//! [`compute`] is the one place where numbers are made; [`model`] is the `report.json`
//! contract; [`notice`] writes the notice's sentences and tables from the model alone and
//! [`render`] lays them out as Markdown, HTML, Word and a workbook, so every figure printed
//! in any format equals the one in `report.json`.

pub mod compute;
pub mod model;
pub mod notice;
pub mod recheck;
mod refused;
pub mod render;

pub use compute::compute;
pub use model::Report;
pub use recheck::{compute_recheck, recheck_scope};
