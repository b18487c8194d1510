//! The gate's two Lua scripts, each run atomically in Redis, and what the asking one answers.
//!
//! The scripts themselves, with their KEYS and ARGV, are in `acquire.lua` and `pause.lua`
//! beside this file.

use std::time::{Duration, Instant};

use ::redis::Script;

/// Checks a host's pause, leases and rate, and grants leases and rate cells, for the asks
/// of several hosts at once.
pub(super) fn acquire() -> Script {
    Script::new(include_str!("acquire.lua"))
}

/// Pauses a host for the whole pool; never shortens a pause in force.
pub(super) fn pause() -> Script {
    Script::new(include_str!("pause.lua"))
}

/// How one ask for a host ended: what Redis granted, why it granted nothing, or that it could
/// not be asked.
pub(super) enum AskOutcome {
    /// `leases` new leases and `cells` rate cells, the first of them `first_at_us` µs from
    /// Redis's now (≤ 0), each of the others an interval after the one before; `asked` is
    /// the earliest that now can have been here: when the call went out, plus half the
    /// link's usual round trip.
    Granted {
        leases: usize,
        cells: usize,
        first_at_us: i64,
        asked: Instant,
    },
    /// Nothing granted: ask again after the wait.
    Wait(WaitReason, Duration),
    /// Redis could not be asked: only the local limits hold.
    Unreachable,
}

/// Which of the host's limits made an ask wait; each is waited out differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WaitReason {
    /// The host asked the pool to wait (429/503).
    Paused,
    /// Every slot of the host is taken somewhere in the pool.
    SlotsFull,
    /// The host's next rate cell is not due yet.
    Rate,
}

impl AskOutcome {
    /// One ask's four numbers of the acquiring script's answer to a call sent at `asked`.
    pub(super) fn from_script(a: &[i64], asked: Instant) -> AskOutcome {
        let count = |v: i64| usize::try_from(v).unwrap_or(0);
        let reason = match a[0] {
            0 => {
                return AskOutcome::Granted {
                    leases: count(a[1]),
                    cells: count(a[2]),
                    first_at_us: a[3],
                    asked,
                };
            }
            1 => WaitReason::Paused,
            2 => WaitReason::SlotsFull,
            _ => WaitReason::Rate,
        };
        AskOutcome::Wait(
            reason,
            Duration::from_micros(u64::try_from(a[1]).unwrap_or(0)),
        )
    }
}
