//! The Lua scripts behind every write.
//!
//! Every write is one Lua script, so it is atomic and crash-safe: a result, its follow-up jobs
//! and the counters change together or not at all. The counters are kept by the scripts, so
//! [`Store::progress`] never scans a round.
//!
//! The scripts themselves, with their KEYS and ARGV, are the `.lua` files beside this one; the
//! round scripts start with `prelude.lua`, the helpers they share.

use ::redis::Script;
#[cfg(doc)]
use spotcheck_core::ports::Store;

/// The scripts, hashed once per store.
pub(super) struct Scripts {
    pub(super) record: Script,
    pub(super) record_batch: Script,
    pub(super) expect: Script,
    pub(super) seal: Script,
    pub(super) create: Script,
    pub(super) compact: Script,
}

/// A round script: the shared prelude, then the script's own text.
macro_rules! round_script {
    ($file:literal) => {
        Script::new(concat!(include_str!("prelude.lua"), include_str!($file)))
    };
}

impl Scripts {
    pub(super) fn new() -> Scripts {
        Scripts {
            record: round_script!("record.lua"),
            record_batch: round_script!("record_batch.lua"),
            expect: round_script!("expect.lua"),
            seal: round_script!("seal.lua"),
            create: Script::new(include_str!("create.lua")),
            compact: Script::new(include_str!("compact.lua")),
        }
    }
}
