//! The scheduler: what jobs a round is made of.
//!
//! [`round`] builds a round record from the operator's inputs; [`jobs`] says which jobs a
//! round starts with and which follow-up jobs each result brings (the links a page reveals,
//! the links a menu carries); [`start`] stores the round and publishes its jobs.

pub mod jobs;
pub mod round;
pub mod start;

pub use jobs::{follow_ups, initial_jobs};
pub use round::{RoundInput, build_round, recheck_round};
pub use start::{StartError, start_round};
