//! The queue port's implementations: [`memory`] for one process, [`amqp`] (RabbitMQ) for a
//! pool of processes. Both keep the same contract: confirmed publishes, manual settling,
//! redelivery with a count, a delivery limit that dead-letters, and delayed messages.

pub mod amqp;
pub mod memory;

pub use amqp::{AmqpOptions, AmqpQueue};
pub use memory::MemoryQueue;
