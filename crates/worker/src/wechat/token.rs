//! The access-token cache, one per worker process.
//!
//! Tokens are worth keeping: `/cgi-bin/token` and `/cgi-bin/stable_token` have small daily
//! quotas, and a new `/cgi-bin/token` token invalidates the previous one — including the one
//! another job of this worker is using. So there is one cache per process (held by the
//! [`Worker`](crate::Worker) and shared by every round and job), one slot per API base and
//! appid, and the slot is locked while a token is fetched: many menu reads of one account at
//! once make one token request, not many.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::redact::Secret;

/// Tokens are dropped this long before WeChat says they expire (at most half their lifetime),
/// so a token never expires between the cache and the call.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);

/// Which token endpoint an appid answers on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEndpoint {
    /// `POST /cgi-bin/stable_token`: does not invalidate the tokens others hold.
    Stable,
    /// `GET /cgi-bin/token`: the old endpoint, used when `stable_token` is not there.
    Plain,
}

/// A cached token and until when it may be used.
pub struct Cached {
    pub token: Secret,
    pub fresh_until: Instant,
}

impl Cached {
    /// A token WeChat said expires in `expires_in`, kept until shortly before that.
    pub fn new(token: Secret, expires_in: Duration) -> Cached {
        let margin = EXPIRY_MARGIN.min(expires_in / 2);
        Cached {
            token,
            fresh_until: Instant::now() + (expires_in - margin),
        }
    }

    pub fn is_fresh(&self) -> bool {
        Instant::now() < self.fresh_until
    }
}

/// What the cache knows about one appid.
#[derive(Default)]
pub struct Slot {
    pub token: Option<Cached>,
    /// The endpoint that worked last; `None` until one has.
    pub endpoint: Option<TokenEndpoint>,
}

/// A slot and the lock that makes one job at a time fetch a token for it.
type SharedSlot = Arc<tokio::sync::Mutex<Slot>>;

/// Access tokens by API base and appid, shared by every job of the worker process.
#[derive(Default)]
pub struct TokenCache {
    slots: Mutex<HashMap<(String, String), SharedSlot>>,
}

impl TokenCache {
    pub fn new() -> TokenCache {
        TokenCache::default()
    }

    /// The slot of an appid, locked: whoever holds it is the one fetching a token for that
    /// appid, and the others wait for its result instead of asking WeChat again.
    pub async fn lock(&self, api_base: &str, appid: &str) -> OwnedMutexGuard<Slot> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .entry((api_base.to_string(), appid.to_string()))
                .or_default()
                .clone()
        };
        slot.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_dropped_before_they_expire() {
        let c = Cached::new(Secret::new("t"), Duration::from_secs(7200));
        let left = c.fresh_until - Instant::now();
        assert!(left <= Duration::from_secs(6900) && left > Duration::from_secs(6890));
        let short = Cached::new(Secret::new("t"), Duration::from_secs(2));
        assert!(short.fresh_until - Instant::now() <= Duration::from_secs(1));
        assert!(!Cached::new(Secret::new("t"), Duration::ZERO).is_fresh());
    }

    #[tokio::test]
    async fn one_slot_per_base_and_appid() {
        let cache = TokenCache::new();
        {
            let mut a = cache.lock("http://a", "wx1").await;
            a.endpoint = Some(TokenEndpoint::Plain);
            // Another appid is not blocked by this one.
            let b = cache.lock("http://a", "wx2").await;
            assert!(b.endpoint.is_none());
        }
        assert_eq!(
            cache.lock("http://a", "wx1").await.endpoint,
            Some(TokenEndpoint::Plain)
        );
        assert!(cache.lock("http://b", "wx1").await.endpoint.is_none());
    }
}
