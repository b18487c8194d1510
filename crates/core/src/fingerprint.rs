//! Short fingerprints of text: the ids of jobs and the suffixes of round ids.
//!
//! Ids derived from what they name make the same work recognisable wherever it is seen; both
//! [`crate::job`] and [`crate::round`] need them, so they live apart from either.

use sha2::{Digest, Sha256};

/// 16 hex digits of SHA-256: short enough for keys, long enough never to collide in a round.
pub fn short_hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    hex::encode(&d[..8])
}
