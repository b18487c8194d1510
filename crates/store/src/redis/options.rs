//! The store's settings.

use std::time::Duration;

#[cfg(doc)]
use spotcheck_core::ports::PortError;

/// Settings of a [`RedisStore`](super::RedisStore).
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// How long the keys of a round in progress live after its last write. Default 90 days.
    /// A completed round, once packed, is kept until pruned (see the `retention` module).
    pub retention: Duration,
    /// Tries of one call before a transient failure (connection lost, timeout, Redis loading)
    /// is returned as [`PortError::Unavailable`]; at least 1. Default 4.
    pub attempts: u32,
    /// Wait before the first retry; it doubles with each. Default 200 ms.
    pub retry_delay: Duration,
    /// Limit of one command's answer. Default 2 s (the crate's default of 500 ms is tight for
    /// a script adding a page's thousand links).
    pub response_timeout: Duration,
    /// Limit of one connection attempt. Default 2 s.
    pub connection_timeout: Duration,
}

impl Default for RedisOptions {
    fn default() -> RedisOptions {
        RedisOptions {
            retention: Duration::from_secs(90 * 24 * 3600),
            attempts: 4,
            retry_delay: Duration::from_millis(200),
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
        }
    }
}
