//! The domain of spotcheck, shared by every role.
//!
//! What a round checks ([`registry`]), how strictly ([`plan`]), the round itself ([`round`]),
//! the messages that travel between roles ([`job`], [`outcome`]), the indicator catalogue
//! ([`indicator`]), the two ports every deployment implements ([`ports`]: the queue and the
//! store) and the [`namespace`] that keeps deployments apart on them; [`site_urls`] reads the
//! messages' many URLs of few sites cheaply. Nothing here does I/O or depends on a runtime, so
//! every role — and every tool that reads a registry — can use it cheaply.

mod addresses;
pub mod config_error;
mod config_file;
pub mod duration;
pub mod fingerprint;
pub mod guard;
pub mod indicator;
pub mod job;
pub mod namespace;
pub mod outcome;
pub mod plan;
pub mod ports;
pub mod registry;
pub mod retry;
pub mod round;
pub mod selectors;
pub mod site_urls;
pub mod targets;
pub mod transport;
pub mod window;

pub use config_error::ConfigError;
pub use duration::{Period, Rate};
pub use indicator::{Indicator, Severity};
pub use job::{Job, JobId, Task};
pub use namespace::Namespace;
pub use outcome::{Outcome, Verdict};
pub use plan::Plan;
pub use registry::Registry;
pub use round::{Round, RoundId, RoundKind};
pub use window::Window;
