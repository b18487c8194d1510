//! The store port's implementations: [`memory`] for one process.

pub mod memory;

pub use memory::MemoryStore;
