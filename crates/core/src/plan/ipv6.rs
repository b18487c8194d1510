//! `[ipv6]`: whether a site serves its visitors over IPv6 (the national IPv6 deployment plans:
//! 85 % of portals at county level and above, their second-level pages included).

use serde::{Deserialize, Serialize};

use super::level::Level;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ipv6 {
    /// What a `site.ipv6` finding weighs; `off` skips the check.
    pub severity: Level,
    /// A site whose same-site links of the homepage open over IPv6 less often than this share
    /// gets a finding.
    pub link_share: f64,
    /// Most same-site links of the homepage tried over IPv6 (in page order).
    pub links: u32,
}

impl Default for Ipv6 {
    fn default() -> Self {
        Ipv6 {
            severity: Level::Notice,
            link_share: 0.85,
            links: 20,
        }
    }
}
