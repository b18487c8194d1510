//! What the IPv6 and HTTPS checks saw of a site: evidence for `site.ipv6` and `site.tls`,
//! judged by the report with the plan's `[ipv6]` and `[tls]`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::outcome::Verdict;

/// A site's homepage and its same-site links, visited over IPv6 only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ipv6Outcome {
    /// The homepage host's IPv6 addresses (AAAA records, or the registry's `[network]
    /// resolve`); none means no AAAA record.
    pub addresses: Vec<IpAddr>,
    /// Why the host's addresses could not be looked up at all; nothing else was tried then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_error: Option<String>,
    /// The homepage fetched over IPv6; absent without an IPv6 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<Verdict>,
    /// How the IPv6 homepage differs from the IPv4 one; empty when they agree or could not
    /// both be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// Same-site links of the IPv6 homepage tried over IPv6 (at most the plan's `links`).
    pub links_tried: u32,
    /// Those that did not open over IPv6, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links_failed: Vec<LinkFailure>,
}

impl Ipv6Outcome {
    /// The share of the tried links that opened over IPv6; `None` when none was tried.
    pub fn link_share(&self) -> Option<f64> {
        let tried = self.links_tried;
        (tried > 0).then(|| {
            f64::from(tried.saturating_sub(self.links_failed.len() as u32)) / f64::from(tried)
        })
    }
}

/// What differs between a homepage seen over IPv4 and over IPv6: what a visitor notices,
/// never markup or changing numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Difference {
    Status {
        v4: u16,
        v6: u16,
    },
    Title {
        v4: String,
        v6: String,
    },
    /// The visible text differs.
    Text,
    /// Links shown over one protocol only.
    Links {
        only_v4: u32,
        only_v6: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkFailure {
    pub url: Url,
    pub reason: String,
}

/// A site's HTTPS: its certificate as presented, and where its plain-HTTP address leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsOutcome {
    /// The HTTPS address inspected: the homepage's own, where its plain-HTTP address
    /// redirected to, or its `https://` twin.
    pub url: Url,
    /// Why no TLS session could be made there (no HTTPS), when none was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The round's own policy refused the address: nothing was contacted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// The homepage's plain-HTTP address and where it led; absent when the homepage's address
    /// names a port, so its plain twin is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<PlainHttp>,
}

/// The certificate a site presented, read whatever its faults: the check records, it never
/// trusts a bad certificate for anything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// The names it is for (subject alternative names, else the subject's common name).
    pub names: Vec<String>,
    pub not_after: DateTime<Utc>,
    /// When it was presented: the instant its dates are judged at.
    pub checked_at: DateTime<Utc>,
    /// It is valid for the host's name.
    pub name_ok: bool,
    /// Why the platform's verifier refused it other than for its dates or name (an unknown
    /// issuer, a broken chain), in words; `None` when it was trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrusted: Option<String>,
}

impl Certificate {
    pub fn expired(&self) -> bool {
        self.not_after <= self.checked_at
    }

    /// Whole days left when it was presented (negative once expired).
    pub fn days_left(&self) -> i64 {
        (self.not_after - self.checked_at).num_days()
    }
}

/// The homepage's `http://` address, fetched with redirects followed while they stay on plain
/// HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlainHttp {
    pub url: Url,
    /// The HTTPS address a redirect led to, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<Url>,
    /// The plain-HTTP answer's status, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there was no answer (plain HTTP not served at all), when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PlainHttp {
    /// Plain HTTP answered with a page of its own instead of sending the visitor to HTTPS.
    pub fn serves_plain(&self) -> bool {
        self.https.is_none() && self.status.is_some_and(|s| s < 400)
    }
}
