//! The report: a round's figures, findings and notice, computed from its stored results.
//!
//! [`compute`] is the one place where numbers are made; [`model`] is the `report.json`
//! contract; [`notice`] renders the notice from the model alone, so every figure printed
//! equals the one in `report.json`.

pub mod compute;
pub mod model;
pub mod notice;
pub mod recheck;

pub use compute::compute;
pub use model::Report;
pub use recheck::{compute_recheck, recheck_scope};
