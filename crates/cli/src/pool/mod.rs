//! The distributed roles: workers and a collector as separate processes on RabbitMQ and
//! Redis, and the pool's rounds read back from the store.

mod collector;
mod connect;
mod signal;
mod stored;
mod worker;

pub use collector::collector;
pub use signal::stop_on_signal;
pub use stored::{finished, progress, progress_of};
pub use worker::worker;
