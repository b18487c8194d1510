//! `[tls]`: whether a site is served over HTTPS with a certificate a browser accepts, and
//! sends plain-HTTP visitors there (the security guidance for government websites).

use serde::{Deserialize, Serialize};

use super::level::Level;
use crate::duration::Period;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    /// What a `site.tls` finding weighs; `off` skips the check.
    pub severity: Level,
    /// A certificate expiring sooner than this after the check is about to expire.
    pub expiring: Period,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            severity: Level::Notice,
            expiring: "30d".parse().expect("constant period"),
        }
    }
}
