//! The Redis store: results, progress and round completion shared by a pool of processes.
//!
//! # Key layout
//!
//! Every key starts with the deployment's namespace `{ns}` (so deployments, and tests running
//! in parallel, share one Redis without colliding); `{id}` is a [`RoundId`], whose alphabet is
//! safe in key names.
//!
//! | key | type | content |
//! | --- | --- | --- |
//! | `{ns}:rounds` | sorted set | round ids, scored by creation time (Redis server time, ms): [`Store::rounds`] reads it oldest first |
//! | `{ns}:round:{id}` | string | the round record ([`Round`] as JSON) |
//! | `{ns}:round:{id}:expected` | set | ids of the round's jobs: initial ones ([`Store::expect`]) and follow-ups ([`Store::record`]) |
//! | `{ns}:round:{id}:results` | hash | job id → [`JobResult`] as JSON; the first write wins |
//! | `{ns}:round:{id}:state` | hash | `outstanding` (expected jobs without a result), `done` (expected jobs with one), `dead` (results whose outcome is [`Outcome::Dead`]), `sealed` (`1` once every initial job is scheduled), `completed` (`1` once sealed with nothing outstanding), `completed_by` (the call that completed it) |
//! | `{ns}:round:{id}:calls` | hash | `e:{job}` / `r:{job}` → the id of the call that added / recorded the job (see *Retries*) |
//! | `{ns}:host:{host}` | string | the host's politeness bucket: the GCRA theoretical arrival time, in µs of Redis server time (`spotcheck-politeness`) |
//! | `{ns}:host:{host}:pause` | string | present while the host asked the pool to wait (429/503, `Retry-After`); its TTL is the pause |
//! | `{ns}:host:{host}:leases` | sorted set | lease id (`{holder}-{n}`) → expiry (ms of Redis server time) of each request to the host in flight anywhere in the pool |
//! | `{ns}:gate:holder:{holder}` | string | present while the worker's host gate `{holder}` runs (renewed every few seconds); the leases of a holder whose key lapsed are freed |
//!
//! # Retention
//!
//! Every key of a round expires [`RedisOptions::retention`] (default 90 days) after the
//! round's last write: each write refreshes the expiry of all of the round's keys (and of
//! `{ns}:rounds`), so a round in progress never loses part of its state, and a finished round
//! disappears whole once nobody writes to it for the retention period. [`Store::rounds`] leaves
//! out (and removes from `{ns}:rounds`) rounds whose record has expired.
//!
//! The host keys are not per round (a host's limits hold across rounds) and live only as long
//! as they matter: the bucket expires one second after its arrival time has passed, the pause
//! when it ends, the leases one second after the last lease would expire.
//!
//! # Atomicity
//!
//! Every write is one Lua script, so it is atomic and crash-safe: a result, its follow-up jobs
//! and the counters change together or not at all. The counters are kept by the scripts, so
//! [`Store::progress`] never scans a round.
//!
//! # Retries
//!
//! A [`ConnectionManager`] reconnects in the background, but the command that met the broken
//! connection still fails: every call here is retried a few times with backoff
//! ([`RedisOptions::attempts`]). A failed call may nevertheless have run (the answer was lost,
//! not the command), so every call carries a random call id that the scripts store: a retry of
//! a call that already took effect answers exactly as that call would have (`first`,
//! `completed`, the new job ids), instead of "already done" — otherwise a lost answer would
//! swallow the round's one completion, or the follow-up jobs to publish.
//!
//! Redis Cluster is not supported (the scripts touch several keys of different hash slots); a
//! single Redis, or one behind Sentinel, is — version 6.2 or later (`SMISMEMBER` asks about
//! a page's thousands of links in one command).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, ErrorKind, RedisError, RedisResult, RetryMethod, Script};
use async_trait::async_trait;
use spotcheck_core::job::JobId;
use spotcheck_core::outcome::{JobResult, Outcome};
use spotcheck_core::ports::{PortError, Progress, Recorded, Store};
use spotcheck_core::retry::Backoff;
use spotcheck_core::round::{Round, RoundId};

/// Settings of a [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// How long a round's keys live after its last write. Default 90 days.
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

/// Shared by the round scripts. KEYS: 1 record, 2 expected, 3 results, 4 state, 5 calls,
/// 6 rounds. ARGV: 1 retention in ms, 2 call id.
const PRELUDE: &str = r#"
local function touch()
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
-- Completes the round if it is sealed and nothing is outstanding; 1 if this call did.
local function complete_now()
  local s = redis.call('HMGET', KEYS[4], 'sealed', 'completed', 'outstanding')
  if s[1] == '1' and s[2] ~= '1' and tonumber(s[3] or '0') <= 0 then
    redis.call('HSET', KEYS[4], 'completed', '1', 'completed_by', ARGV[2])
    return 1
  end
  return 0
end
local function completed_by_me()
  if redis.call('HGET', KEYS[4], 'completed_by') == ARGV[2] then return 1 end
  return 0
end
"#;

/// ARGV: 3 job id, 4 result JSON, 5 `1` if the outcome is `Dead`, 6.. follow-up job ids.
/// Returns {first, completed}.
const RECORD: &str = r#"
local job = ARGV[3]
if redis.call('HEXISTS', KEYS[3], job) == 1 then
  if redis.call('HGET', KEYS[5], 'r:' .. job) == ARGV[2] then
    -- A retry of the call that wrote it: answer as that call did.
    return {1, completed_by_me()}
  end
  return {0, 0}
end
local outstanding, done = 0, 0
-- A page brings thousands of follow-ups: membership is asked and added in chunks (Lua
-- unpacks a few thousand values at most), not one command per job.
local fresh, seen = {}, {}
for i = 6, #ARGV, 500 do
  local last = math.min(i + 499, #ARGV)
  local known = redis.call('SMISMEMBER', KEYS[2], unpack(ARGV, i, last))
  for j = i, last do
    local f = ARGV[j]
    if known[j - i + 1] == 0 and not seen[f] then
      seen[f] = true
      fresh[#fresh + 1] = f
      if redis.call('HEXISTS', KEYS[3], f) == 1 then
        done = done + 1
      else
        outstanding = outstanding + 1
      end
    end
  end
end
for i = 1, #fresh, 500 do
  redis.call('SADD', KEYS[2], unpack(fresh, i, math.min(i + 499, #fresh)))
end
redis.call('HSET', KEYS[3], job, ARGV[4])
redis.call('HSET', KEYS[5], 'r:' .. job, ARGV[2])
if redis.call('SISMEMBER', KEYS[2], job) == 1 then
  outstanding = outstanding - 1
  done = done + 1
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[4], 'dead', 1) end
local completed = complete_now()
touch()
return {1, completed}
"#;

/// ARGV: 3.. a triple per result: job id, result JSON, `1` if the outcome is `Dead` — results
/// without follow-ups. Returns {completed, first of each result...}.
const RECORD_BATCH: &str = r#"
local firsts = {}
local retried = false
local outstanding, done, dead = 0, 0, 0
-- The new results are written with one command per key, not one per result.
local jobs, results, calls, seen = {}, {}, {}, {}
for i = 3, #ARGV, 3 do
  local job = ARGV[i]
  if seen[job] then
    -- Twice in one call: the first one counts, as if recorded one after the other.
    firsts[#firsts + 1] = 0
  elseif redis.call('HEXISTS', KEYS[3], job) == 1 then
    if redis.call('HGET', KEYS[5], 'r:' .. job) == ARGV[2] then
      -- A retry of the call that wrote it: answer as that call did.
      retried = true
      firsts[#firsts + 1] = 1
    else
      firsts[#firsts + 1] = 0
    end
  else
    jobs[#jobs + 1] = job
    results[#results + 1] = job
    results[#results + 1] = ARGV[i + 1]
    calls[#calls + 1] = 'r:' .. job
    calls[#calls + 1] = ARGV[2]
    if ARGV[i + 2] == '1' then dead = dead + 1 end
    firsts[#firsts + 1] = 1
  end
  seen[job] = true
end
-- In chunks: Lua unpacks a few thousand values at most.
for i = 1, #jobs, 500 do
  local last = math.min(i + 499, #jobs)
  redis.call('HSET', KEYS[3], unpack(results, 2 * i - 1, 2 * last))
  redis.call('HSET', KEYS[5], unpack(calls, 2 * i - 1, 2 * last))
  for _, known in ipairs(redis.call('SMISMEMBER', KEYS[2], unpack(jobs, i, last))) do
    if known == 1 then
      outstanding = outstanding - 1
      done = done + 1
    end
  end
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
if dead > 0 then redis.call('HINCRBY', KEYS[4], 'dead', dead) end
local completed = complete_now()
if completed == 0 and retried then completed = completed_by_me() end
touch()
table.insert(firsts, 1, completed)
return firsts
"#;

/// ARGV: 3.. job ids. Returns the ids the round did not have (or that this call added).
const EXPECT: &str = r#"
local new, seen = {}, {}
local outstanding, done = 0, 0
for i = 3, #ARGV do
  local id = ARGV[i]
  if not seen[id] then
    seen[id] = true
    if redis.call('SADD', KEYS[2], id) == 1 then
      if redis.call('HEXISTS', KEYS[3], id) == 1 then
        done = done + 1
      else
        outstanding = outstanding + 1
      end
      redis.call('HSET', KEYS[5], 'e:' .. id, ARGV[2])
      new[#new + 1] = id
    elseif redis.call('HGET', KEYS[5], 'e:' .. id) == ARGV[2] then
      new[#new + 1] = id
    end
  end
end
redis.call('HINCRBY', KEYS[4], 'outstanding', outstanding)
redis.call('HINCRBY', KEYS[4], 'done', done)
touch()
return new
"#;

/// Returns 1 when sealing completed the round.
const SEAL: &str = r#"
redis.call('HSET', KEYS[4], 'sealed', '1')
local completed = complete_now()
if completed == 0 then completed = completed_by_me() end
touch()
return completed
"#;

/// KEYS: 1 record, 2 rounds. ARGV: 1 retention in ms, 2 record JSON, 3 round id.
/// Returns 1 when the round is new.
const CREATE: &str = r#"
if redis.replicate_commands then pcall(redis.replicate_commands) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
local t = redis.call('TIME')
local score = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fresh = redis.call('ZADD', KEYS[2], 'NX', score, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return fresh
"#;

struct Scripts {
    record: Script,
    record_batch: Script,
    expect: Script,
    seal: Script,
    create: Script,
}

impl Scripts {
    fn new() -> Scripts {
        Scripts {
            record: Script::new(&format!("{PRELUDE}{RECORD}")),
            record_batch: Script::new(&format!("{PRELUDE}{RECORD_BATCH}")),
            expect: Script::new(&format!("{PRELUDE}{EXPECT}")),
            seal: Script::new(&format!("{PRELUDE}{SEAL}")),
            create: Script::new(CREATE),
        }
    }
}

/// The store on Redis. Cloning is not needed: share it behind an `Arc` (the connection inside
/// is multiplexed).
pub struct RedisStore {
    conn: ConnectionManager,
    ns: String,
    opts: RedisOptions,
    scripts: Scripts,
}

/// Whether another try may succeed: a lost or refused connection, a timeout, Redis loading
/// or failing over. Script errors, wrong types and refused credentials are final.
fn transient(e: &RedisError) -> bool {
    if matches!(
        e.kind(),
        ErrorKind::AuthenticationFailed | ErrorKind::InvalidClientConfig
    ) {
        return false;
    }
    e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.retry_method(),
            RetryMethod::Reconnect | RetryMethod::RetryImmediately | RetryMethod::WaitAndRetry
        )
}

fn port_error(what: &str, e: &RedisError) -> PortError {
    if transient(e) {
        PortError::Unavailable(format!("redis {what}: {e}"))
    } else {
        PortError::Invalid(format!("redis {what}: {e}"))
    }
}

/// A fresh id for one call, so its retries can be recognised (see the module doc).
/// A result as the record scripts take it: its JSON, and `1` if its outcome is `Dead`.
fn script_args(result: &JobResult) -> Result<(Vec<u8>, &'static [u8]), PortError> {
    let json = serde_json::to_vec(result)
        .map_err(|e| PortError::Invalid(format!("result of job {}: {e}", result.job.id)))?;
    let dead: &[u8] = if matches!(result.outcome, Outcome::Dead { .. }) {
        b"1"
    } else {
        b"0"
    };
    Ok((json, dead))
}

/// 80 random bits as 20 hex digits: calls of every process in the pool never share an id.
fn call_id() -> String {
    format!("{:016x}{:04x}", fastrand::u64(..), fastrand::u16(..))
}

/// Namespaces are key prefixes (and `SCAN` patterns): keep them to a safe alphabet.
fn check_namespace(ns: &str) -> Result<(), PortError> {
    let ok = !ns.is_empty()
        && ns.len() <= 64
        && ns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(PortError::Invalid(format!(
            "namespace {ns:?}: use 1 to 64 ASCII letters, digits, '-', '_' or '.'"
        )))
    }
}

fn check_round(id: &RoundId) -> Result<(), PortError> {
    if RoundId::is_valid(&id.0) {
        Ok(())
    } else {
        Err(PortError::Invalid(format!("bad round id {:?}", id.0)))
    }
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`) with the default options.
    pub async fn connect(url: &str, namespace: &str) -> Result<RedisStore, PortError> {
        RedisStore::connect_with(url, namespace, RedisOptions::default()).await
    }

    /// Connects and checks the server answers (`PING`). Fails at once when Redis cannot be
    /// reached, so a misconfigured process says so on start; reconnecting later is automatic.
    pub async fn connect_with(
        url: &str,
        namespace: &str,
        opts: RedisOptions,
    ) -> Result<RedisStore, PortError> {
        check_namespace(namespace)?;
        // The URL may hold a password: never put it in a message.
        let client = Client::open(url)
            .map_err(|e| PortError::Invalid(format!("bad Redis URL: {}", e.category())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(opts.connection_timeout))
            .set_response_timeout(Some(opts.response_timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| port_error("connect", &e))?;
        let store = RedisStore {
            conn,
            ns: namespace.to_string(),
            opts,
            scripts: Scripts::new(),
        };
        store
            .retry("PING", |mut c| async move {
                ::redis::cmd("PING").query_async::<String>(&mut c).await
            })
            .await?;
        Ok(store)
    }

    /// The namespace every key of this store starts with.
    pub fn namespace(&self) -> &str {
        &self.ns
    }

    /// The multiplexed connection, for the pool's host gates that share it
    /// (`spotcheck-politeness`).
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// The round keys, in the order the scripts take them: record, expected, results, state,
    /// calls, and the namespace's round list.
    pub fn round_keys(&self, round: &RoundId) -> [String; 6] {
        let base = format!("{}:round:{}", self.ns, round.0);
        [
            base.clone(),
            format!("{base}:expected"),
            format!("{base}:results"),
            format!("{base}:state"),
            format!("{base}:calls"),
            self.rounds_key(),
        ]
    }

    fn rounds_key(&self) -> String {
        format!("{}:rounds", self.ns)
    }

    fn retention_ms(&self) -> u64 {
        u64::try_from(self.opts.retention.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Runs `op` until it succeeds, fails for good, or has used its attempts.
    async fn retry<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, PortError>
    where
        F: FnMut(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempts = self.opts.attempts.max(1);
        let backoff = Backoff::doubling(self.opts.retry_delay);
        let mut attempt = 1;
        loop {
            match op(self.conn.clone()).await {
                Ok(v) => return Ok(v),
                Err(e) if attempt < attempts && transient(&e) => {
                    tracing::warn!(
                        namespace = %self.ns,
                        command = what,
                        attempt,
                        error = %e,
                        "redis call failed; retrying"
                    );
                    tokio::time::sleep(backoff.delay(attempt - 1)).await;
                    attempt += 1;
                }
                Err(e) => return Err(port_error(what, &e)),
            }
        }
    }

    /// Runs one of the round scripts with the round's keys, the retention and a call id
    /// (the same on every retry).
    async fn round_script<T: ::redis::FromRedisValue>(
        &self,
        what: &str,
        script: &Script,
        round: &RoundId,
        call: &str,
        args: &[&[u8]],
    ) -> Result<T, PortError> {
        check_round(round)?;
        let keys = self.round_keys(round);
        let ttl = self.retention_ms();
        self.retry(what, |mut c| {
            let mut inv = script.prepare_invoke();
            for k in &keys {
                inv.key(k);
            }
            inv.arg(ttl).arg(call);
            for a in args {
                inv.arg(*a);
            }
            async move { inv.invoke_async::<T>(&mut c).await }
        })
        .await
    }

    /// [`Store::record`] with a given call id: a retry of the same call answers as the call did.
    async fn record_as(
        &self,
        call: &str,
        result: &JobResult,
        follow_ups: &[JobId],
    ) -> Result<Recorded, PortError> {
        let (json, dead) = script_args(result)?;
        let mut args: Vec<&[u8]> = vec![result.job.id.0.as_bytes(), &json, dead];
        args.extend(follow_ups.iter().map(|f| f.0.as_bytes()));
        let (first, completed): (i64, i64) = self
            .round_script(
                "record",
                &self.scripts.record,
                &result.job.round,
                call,
                &args,
            )
            .await?;
        Ok(Recorded {
            first: first == 1,
            completed: completed == 1,
        })
    }

    /// [`Store::record_batch`] for results of one round, with a given call id.
    async fn record_batch_as(
        &self,
        call: &str,
        round: &RoundId,
        results: &[&JobResult],
    ) -> Result<Vec<Recorded>, PortError> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        let mut encoded = Vec::with_capacity(results.len());
        for r in results {
            let (json, dead) = script_args(r)?;
            encoded.push((r.job.id.0.as_bytes(), json, dead));
        }
        let args: Vec<&[u8]> = encoded
            .iter()
            .flat_map(|(id, json, dead)| [*id, json.as_slice(), *dead])
            .collect();
        let answer: Vec<i64> = self
            .round_script(
                "record_batch",
                &self.scripts.record_batch,
                round,
                call,
                &args,
            )
            .await?;
        let Some((completed, firsts)) = answer.split_first() else {
            return Err(PortError::Invalid("record_batch answered nothing".into()));
        };
        if firsts.len() != results.len() {
            return Err(PortError::Invalid(format!(
                "record_batch answered for {} of {} results",
                firsts.len(),
                results.len()
            )));
        }
        // The completing write is the batch's last: its results are in the store together.
        let last = firsts.len() - 1;
        Ok(firsts
            .iter()
            .enumerate()
            .map(|(i, first)| Recorded {
                first: *first == 1,
                completed: *completed == 1 && i == last,
            })
            .collect())
    }

    async fn expect_as(
        &self,
        call: &str,
        round: &RoundId,
        ids: &[JobId],
    ) -> Result<Vec<JobId>, PortError> {
        let args: Vec<&[u8]> = ids.iter().map(|id| id.0.as_bytes()).collect();
        let new: Vec<String> = self
            .round_script("expect", &self.scripts.expect, round, call, &args)
            .await?;
        Ok(new.into_iter().map(JobId).collect())
    }

    async fn seal_as(&self, call: &str, round: &RoundId) -> Result<bool, PortError> {
        let c: i64 = self
            .round_script("seal", &self.scripts.seal, round, call, &[])
            .await?;
        Ok(c == 1)
    }

    /// Deletes every key of the namespace. For tests and operators; rounds in progress lose
    /// everything.
    pub async fn delete_namespace(&self) -> Result<u64, PortError> {
        let pattern = format!("{}:*", self.ns);
        let mut cursor: u64 = 0;
        let mut deleted = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = self
                .retry("SCAN", |mut c| {
                    let pattern = pattern.clone();
                    async move {
                        ::redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(pattern)
                            .arg("COUNT")
                            .arg(500)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if !keys.is_empty() {
                let n: u64 = self
                    .retry("UNLINK", |mut c| {
                        let keys = keys.clone();
                        async move { ::redis::cmd("UNLINK").arg(keys).query_async(&mut c).await }
                    })
                    .await?;
                deleted += n;
            }
            cursor = next;
            if cursor == 0 {
                return Ok(deleted);
            }
        }
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn create_round(&self, round: &Round) -> Result<(), PortError> {
        check_round(&round.id)?;
        let json = serde_json::to_vec(round)
            .map_err(|e| PortError::Invalid(format!("round {}: {e}", round.id)))?;
        let [record, .., rounds] = self.round_keys(&round.id);
        let ttl = self.retention_ms();
        let script = &self.scripts.create;
        let _fresh: i64 = self
            .retry("create round", |mut c| {
                let mut inv = script.prepare_invoke();
                inv.key(&record)
                    .key(&rounds)
                    .arg(ttl)
                    .arg(&json)
                    .arg(&round.id.0);
                async move { inv.invoke_async(&mut c).await }
            })
            .await?;
        Ok(())
    }

    async fn round(&self, id: &RoundId) -> Result<Option<Round>, PortError> {
        check_round(id)?;
        let [record, ..] = self.round_keys(id);
        let json: Option<Vec<u8>> = self
            .retry("GET round", |mut c| {
                let record = record.clone();
                async move { ::redis::cmd("GET").arg(record).query_async(&mut c).await }
            })
            .await?;
        json.map(|j| {
            serde_json::from_slice(&j)
                .map_err(|e| PortError::Invalid(format!("{record} does not hold a round: {e}")))
        })
        .transpose()
    }

    async fn rounds(&self) -> Result<Vec<RoundId>, PortError> {
        let key = self.rounds_key();
        let ids: Vec<String> = self
            .retry("ZRANGE rounds", |mut c| {
                let key = key.clone();
                async move {
                    ::redis::cmd("ZRANGE")
                        .arg(key)
                        .arg(0)
                        .arg(-1)
                        .query_async(&mut c)
                        .await
                }
            })
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<String> = ids
            .iter()
            .map(|id| format!("{}:round:{id}", self.ns))
            .collect();
        let exists: Vec<bool> = self
            .retry("EXISTS rounds", |mut c| {
                let mut pipe = ::redis::pipe();
                for r in &records {
                    pipe.cmd("EXISTS").arg(r);
                }
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        let (live, gone): (Vec<_>, Vec<_>) =
            ids.into_iter().zip(exists).partition(|(_, exists)| *exists);
        if !gone.is_empty() {
            // Their records expired (retention): forget them.
            let gone: Vec<String> = gone.into_iter().map(|(id, _)| id).collect();
            let _: i64 = self
                .retry("ZREM rounds", |mut c| {
                    let (key, gone) = (key.clone(), gone.clone());
                    async move {
                        ::redis::cmd("ZREM")
                            .arg(key)
                            .arg(gone)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
        }
        Ok(live.into_iter().map(|(id, _)| RoundId(id)).collect())
    }

    async fn expect(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.expect_as(&call_id(), round, ids).await
    }

    async fn unexpected(&self, round: &RoundId, ids: &[JobId]) -> Result<Vec<JobId>, PortError> {
        check_round(round)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let [_, expected, ..] = self.round_keys(round);
        let known: Vec<Vec<bool>> = self
            .retry("SMISMEMBER expected", |mut c| {
                let mut pipe = ::redis::pipe();
                for chunk in ids.chunks(1000) {
                    pipe.cmd("SMISMEMBER").arg(&expected);
                    for id in chunk {
                        pipe.arg(&id.0);
                    }
                }
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        Ok(ids
            .iter()
            .zip(known.into_iter().flatten())
            .filter(|(_, known)| !known)
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn seal(&self, round: &RoundId) -> Result<bool, PortError> {
        self.seal_as(&call_id(), round).await
    }

    async fn record(
        &self,
        result: &JobResult,
        follow_ups: &[JobId],
    ) -> Result<Recorded, PortError> {
        self.record_as(&call_id(), result, follow_ups).await
    }

    async fn record_batch(&self, results: &[JobResult]) -> Result<Vec<Recorded>, PortError> {
        // One script call per round (a batch is nearly always of one round), answers put back
        // in the order of the results.
        let mut rounds: Vec<(&RoundId, Vec<usize>)> = Vec::new();
        for (i, r) in results.iter().enumerate() {
            match rounds.iter_mut().find(|(id, _)| **id == r.job.round) {
                Some((_, at)) => at.push(i),
                None => rounds.push((&r.job.round, vec![i])),
            }
        }
        let mut recorded = vec![
            Recorded {
                first: false,
                completed: false
            };
            results.len()
        ];
        for (round, at) in rounds {
            let of_round: Vec<&JobResult> = at.iter().map(|&i| &results[i]).collect();
            let answers = self.record_batch_as(&call_id(), round, &of_round).await?;
            for (i, a) in at.into_iter().zip(answers) {
                recorded[i] = a;
            }
        }
        Ok(recorded)
    }

    async fn progress(&self, round: &RoundId) -> Result<Progress, PortError> {
        check_round(round)?;
        let [_, expected, _, state, ..] = self.round_keys(round);
        type Fields = (Option<u64>, Option<u64>, Option<String>, Option<String>);
        let (total, (done, dead, sealed, completed)): (u64, Fields) = self
            .retry("progress", |mut c| {
                let mut pipe = ::redis::pipe();
                pipe.atomic()
                    .cmd("SCARD")
                    .arg(&expected)
                    .cmd("HMGET")
                    .arg(&state)
                    .arg(&["done", "dead", "sealed", "completed"]);
                async move { pipe.query_async(&mut c).await }
            })
            .await?;
        Ok(Progress {
            total,
            done: done.unwrap_or(0),
            dead: dead.unwrap_or(0),
            sealed: sealed.as_deref() == Some("1"),
            complete: completed.as_deref() == Some("1"),
        })
    }

    /// Reads the results hash with `HSCAN` (a big round is never one huge reply) and decodes
    /// each; a value that is not a result is an error naming its key and field.
    async fn results(&self, round: &RoundId) -> Result<Vec<JobResult>, PortError> {
        check_round(round)?;
        let [_, _, key, ..] = self.round_keys(round);
        let mut raw: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, page): (u64, Vec<(String, Vec<u8>)>) = self
                .retry("HSCAN results", |mut c| {
                    let key = key.clone();
                    async move {
                        ::redis::cmd("HSCAN")
                            .arg(key)
                            .arg(cursor)
                            .arg("COUNT")
                            .arg(500)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            // HSCAN may return a field twice; the map keeps one.
            raw.extend(page);
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        raw.into_iter()
            .map(|(job, value)| {
                JobResult::decode(&value)
                    .map_err(|e| PortError::Invalid(format!("{key} field {job}: {e}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_differ() {
        let a = call_id();
        let b = call_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 20);
    }

    /// A call whose answer was lost and that is tried again must answer as it would have:
    /// the new jobs, `first` and the round's one completion are not swallowed.
    #[tokio::test]
    async fn a_retried_call_answers_as_the_call_did() {
        use spotcheck_core::job::{Job, Task};
        use spotcheck_core::outcome::Verdict;

        let url = spotcheck_testkit::redis_url();
        let ns = spotcheck_testkit::namespace();
        let store = RedisStore::connect(&url, &ns).await.unwrap_or_else(|e| {
            panic!(
                "Redis is not reachable at {url} ({e}); this test needs one (./tests/run starts it)"
            )
        });
        let rid = RoundId("2020Q4-retry".into());
        let job = |n: u32| {
            Job::new(
                &rid,
                Task::Link {
                    url: format!("http://a.gov.cn/{n}").parse().unwrap(),
                },
            )
        };
        let (a, b) = (job(1), job(2));
        let ok = |j: &Job| JobResult::new(j.clone(), Outcome::Link(Verdict::ok(200)));
        let ids = [a.id.clone(), b.id.clone()];

        assert_eq!(store.expect_as("e1", &rid, &ids).await.unwrap(), ids);
        assert_eq!(
            store.expect_as("e1", &rid, &ids).await.unwrap(),
            ids,
            "retry"
        );
        assert!(store.expect_as("e2", &rid, &ids).await.unwrap().is_empty());
        assert!(!store.seal_as("s1", &rid).await.unwrap());

        let first = Recorded {
            first: true,
            completed: false,
        };
        let again = Recorded {
            first: false,
            completed: false,
        };
        let last = Recorded {
            first: true,
            completed: true,
        };
        assert_eq!(store.record_as("r1", &ok(&a), &[]).await.unwrap(), first);
        assert_eq!(
            store.record_as("r1", &ok(&a), &[]).await.unwrap(),
            first,
            "retry"
        );
        assert_eq!(store.record_as("r2", &ok(&a), &[]).await.unwrap(), again);
        assert_eq!(store.record_as("r3", &ok(&b), &[]).await.unwrap(), last);
        assert_eq!(
            store.record_as("r3", &ok(&b), &[]).await.unwrap(),
            last,
            "retry"
        );
        assert_eq!(store.record_as("r4", &ok(&b), &[]).await.unwrap(), again);
        assert!(!store.seal_as("s1", &rid).await.unwrap());
        assert!(!store.seal_as("s2", &rid).await.unwrap());
        let p = store.progress(&rid).await.unwrap();
        assert_eq!((p.total, p.done, p.complete), (2, 2, true));

        // A batch whose answer was lost, retried: it answers as it did, completion included.
        let batch = RoundId("2020Q4-retry-batch".into());
        let (c, d) = (job(3), job(4));
        let (c, d) = (
            Job::new(&batch, c.task.clone()),
            Job::new(&batch, d.task.clone()),
        );
        let ids = [c.id.clone(), d.id.clone()];
        assert_eq!(store.expect_as("e3", &batch, &ids).await.unwrap(), ids);
        assert!(!store.seal_as("s5", &batch).await.unwrap());
        let (rc, rd) = (ok(&c), ok(&d));
        let both = [&rc, &rd];
        let answered = vec![first, last];
        assert_eq!(
            store.record_batch_as("b1", &batch, &both).await.unwrap(),
            answered
        );
        assert_eq!(
            store.record_batch_as("b1", &batch, &both).await.unwrap(),
            answered,
            "retry"
        );
        assert_eq!(
            store.record_batch_as("b2", &batch, &both).await.unwrap(),
            vec![again, again]
        );

        // An empty round sealed by a call whose answer was lost.
        let empty = RoundId("2020Q4-retry-empty".into());
        assert!(store.seal_as("s3", &empty).await.unwrap());
        assert!(store.seal_as("s3", &empty).await.unwrap(), "retry");
        assert!(!store.seal_as("s4", &empty).await.unwrap());

        store.delete_namespace().await.unwrap();
    }

    #[test]
    fn namespaces_keep_to_a_safe_alphabet() {
        assert!(check_namespace("spotcheck.prod-1_a").is_ok());
        assert!(check_namespace("a:b").is_err());
        assert!(check_namespace("a*").is_err());
        assert!(check_namespace("").is_err());
    }
}
