//! The distributed roles: workers, a collector and a scheduler as separate processes on
//! RabbitMQ and Redis, and the pool's rounds read back from the store.

mod collector;
mod connect;
mod scheduler;
mod signal;
mod stored;
mod worker;

pub use collector::collector;
pub use scheduler::scheduler;
pub use signal::stop_on_signal;
pub use stored::{finished, progress, progress_of};
pub use worker::worker;
