//! The scheduler: what jobs a round is made of.
//!
//! [`round`] builds a round record from the operator's inputs (with [`dictionaries`], the
//! plan's dictionary files); [`recheck`] builds the
//! re-check of a finished round from its problems; [`jobs`] says which jobs a round starts
//! with and which follow-up jobs each result brings (the links a page reveals, the links a
//! menu carries); [`start`] stores the round and publishes its jobs.

pub mod dictionaries;
pub mod jobs;
pub mod recheck;
pub mod round;
pub mod start;

pub use dictionaries::read_dictionaries;
pub use jobs::{follow_ups, initial_jobs};
pub use recheck::{RecheckError, ensure_complete, recheck_of, recheck_round};
pub use round::{RoundInput, build_round, salt_now};
pub use start::{StartError, start_round};
