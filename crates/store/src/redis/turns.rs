//! Collectors' turns at publishing a round's follow-up jobs: a lease in Redis, taken with
//! `SET NX PX` and given back only by its holder, so a rolling update's two collectors never
//! both publish a link two pages share.

use std::time::Duration;

use super::RedisLink;
use ::redis::Script;
use spotcheck_core::ports::{FOLLOW_UP_LEASE, HostPermit, PortError};
use spotcheck_core::round::RoundId;

use super::RedisStore;
use super::keys::check_round;

/// Between two attempts at a turn another collector holds: publishing a page's follow-ups
/// takes milliseconds.
const POLL: Duration = Duration::from_millis(5);

/// Gives the turn back if it is still this holder's (a lapsed lease may be another's now).
const GIVE_BACK: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

impl RedisStore {
    pub(super) async fn take_turn(&self, round: &RoundId) -> Result<HostPermit, PortError> {
        check_round(round)?;
        let key = self.follow_ups_key(&round.0);
        let token = format!("{:016x}", fastrand::u64(..));
        let lease = FOLLOW_UP_LEASE.as_millis() as u64;
        loop {
            let (k, t) = (key.clone(), token.clone());
            let taken: Option<String> = self
                .retry("SET NX (follow-up turn)", move |mut c| {
                    let (k, t) = (k.clone(), t.clone());
                    async move {
                        ::redis::cmd("SET")
                            .arg(k)
                            .arg(t)
                            .arg("NX")
                            .arg("PX")
                            .arg(lease)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if taken.is_some() {
                return Ok(HostPermit::new(Turn {
                    conn: self.connection(),
                    key,
                    token,
                }));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// A turn held; dropping it gives it back.
struct Turn {
    conn: RedisLink,
    key: String,
    token: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return; // No runtime: the lease lapses by itself.
        };
        let mut conn = self.conn.clone();
        let (key, token) = (
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.token),
        );
        rt.spawn(async move {
            let given: Result<i64, _> = Script::new(GIVE_BACK)
                .key(&key)
                .arg(&token)
                .invoke_async(&mut conn)
                .await;
            if let Err(e) = given {
                tracing::debug!(error = %e, "follow-up turn not given back; its lease lapses");
            }
        });
    }
}
