//! The store port's implementations: [`memory`] for one process, [`redis`] for a pool of
//! processes. Both keep the same contract (`tests/contract.rs` runs against each): first write
//! wins, follow-up jobs join the round atomically, completion is reported exactly once.
//! (The pool's per-host politeness limits live in the same Redis: `spotcheck-politeness`.)

pub mod memory;
pub mod redis;

pub use self::memory::MemoryStore;
pub use self::redis::{Claim, RedisLink, RedisOptions, RedisStore};
