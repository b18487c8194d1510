//! The store port's implementations: [`memory`] for one process, [`redis`] for a pool of
//! processes. Both keep the same contract (`tests/contract.rs` runs against each): first write
//! wins, follow-up jobs join the round atomically, completion is reported exactly once.
//! [`limiter`] keeps the per-host politeness limits of a pool in the same Redis.

pub mod limiter;
pub mod memory;
pub mod redis;

pub use self::limiter::{GateLimits, RedisGate, RedisGates};
pub use self::memory::MemoryStore;
pub use self::redis::{RedisOptions, RedisStore};
