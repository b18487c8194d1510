//! The host gates: per-host rate, concurrency and back-off, so that every request — page,
//! link, probe, redirect hop — is polite to the fragile government sites it visits.
//!
//! Beside each host's limits, a gate may limit each address connected to (`address`): the
//! sites of one shared platform are many host names on one address.
//!
//! Both gates implement the core port [`HostGate`] (made per round by a [`GateFactory`]) and
//! keep the same per-process limits (`local`): [`memory`] has nothing else (one process is
//! the whole pool); [`redis`] puts the pool-wide limits in Redis behind them, so the plan's
//! `[politeness]` holds however many workers run.
//!
//! [`HostGate`]: spotcheck_core::ports::HostGate
//! [`GateFactory`]: spotcheck_core::ports::GateFactory

mod address;
mod local;
pub mod memory;
pub mod redis;

use std::sync::{Mutex, MutexGuard};

pub use self::memory::{MemoryGate, MemoryGates};
pub use self::redis::{GateLimits, RedisGate, RedisGates};

/// Locks a mutex whose data stays consistent even if a holder panicked (every critical
/// section in the gates is a few field updates).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
