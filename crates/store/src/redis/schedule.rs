//! Claims on scheduled rounds: which scheduler starts a due round, once across replicas and
//! restarts.
//!
//! The claim key names the schedule entry and the due time, so a round due at one time is
//! claimed at most once whoever asks and however often. A claim carries a fencing token
//! from one counter that only grows: the claim lapses after its lease (a scheduler that died
//! while starting is replaced by the next one that asks), and only the holder of the
//! current token can mark the round started, so a scheduler that stalled past its lease
//! cannot overwrite its successor's claim.

use std::time::Duration;

use ::redis::Script;
use spotcheck_core::ports::PortError;
use spotcheck_core::round::RoundId;

use super::RedisStore;

/// Takes a claim. KEYS: 1 claim, 2 fence counter. ARGV: 1 lease in ms.
/// Returns {1, token} when claimed, {0, current value} when someone holds or started it.
const CLAIM: &str = r"
local held = redis.call('GET', KEYS[1])
if held then return {0, held} end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], 'claimed:' .. token, 'PX', ARGV[1])
return {1, tostring(token)}
";

/// Marks the round started if the claim is still the caller's. KEYS: 1 claim. ARGV: 1 token,
/// 2 round id, 3 retention in ms. Returns 1 when marked.
const CONFIRM: &str = r"
if redis.call('GET', KEYS[1]) ~= 'claimed:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'started:' .. ARGV[2], 'PX', ARGV[3])
return 1
";

/// What a scheduler got when it asked to start a due round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This scheduler starts it; the token fences its confirmation.
    Won(u64),
    /// Another scheduler holds the claim (`claimed:{token}`) or started the round
    /// (`started:{round}`).
    Held(String),
}

impl RedisStore {
    /// The claim key of the entry `entry` due at `due` (Unix seconds).
    fn claim_key(&self, entry: &str, due: i64) -> String {
        format!("{}:schedule:{entry}:{due}", self.ns)
    }

    /// Asks to start the round of `entry` due at `due`; the claim lapses after `lease`
    /// unless confirmed.
    pub async fn claim_scheduled(
        &self,
        entry: &str,
        due: i64,
        lease: Duration,
    ) -> Result<Claim, PortError> {
        let key = self.claim_key(entry, due);
        let fence = format!("{}:schedule:fence", self.ns);
        let lease = lease.as_millis().max(1) as u64;
        let script = Script::new(CLAIM);
        let (won, value): (i64, String) = self
            .retry("claim scheduled round", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(&key).key(&fence).arg(lease);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        if won == 1 {
            let token = value
                .parse()
                .map_err(|_| PortError::Invalid(format!("fence token `{value}`")))?;
            Ok(Claim::Won(token))
        } else {
            Ok(Claim::Held(value))
        }
    }

    /// Marks the round of `entry` due at `due` started as `round`, for as long as rounds are
    /// kept; false when the claim of `token` lapsed and another scheduler holds it now.
    pub async fn confirm_scheduled(
        &self,
        entry: &str,
        due: i64,
        token: u64,
        round: &RoundId,
    ) -> Result<bool, PortError> {
        let key = self.claim_key(entry, due);
        let script = Script::new(CONFIRM);
        let ttl = self.retention_ms();
        let marked: i64 = self
            .retry("confirm scheduled round", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(&key).arg(token).arg(&round.0).arg(ttl);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok(marked == 1)
    }
}
