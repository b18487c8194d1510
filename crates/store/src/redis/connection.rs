//! Connecting, and retrying a call that met a broken connection.
//!
//! A [`ConnectionManager`] reconnects in the background, but the command that met the broken
//! connection still fails: every call is retried a few times with backoff
//! ([`RedisOptions::attempts`]). A retried write may have run the first time (see the `calls`
//! module for how its answer survives).

use std::future::Future;
use std::time::Duration;

use ::redis::aio::ConnectionManagerConfig;
use ::redis::{Client, ErrorKind, RedisError, RedisResult, RetryMethod};
use spotcheck_core::namespace::Namespace;
use spotcheck_core::ports::PortError;
use spotcheck_core::retry::Backoff;

use super::scripts::Scripts;
use super::{RedisLink, RedisOptions, RedisStore};

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`) with the default options.
    pub async fn connect(url: &str, namespace: &Namespace) -> Result<RedisStore, PortError> {
        RedisStore::connect_with(url, namespace, RedisOptions::default()).await
    }

    /// Connects and checks the server answers (`PING`). Fails at once when Redis cannot be
    /// reached, so a misconfigured process says so on start; reconnecting later is automatic.
    pub async fn connect_with(
        url: &str,
        namespace: &Namespace,
        opts: RedisOptions,
    ) -> Result<RedisStore, PortError> {
        // The URL may hold a password: never put it in a message.
        let client = Client::open(url)
            .map_err(|e| PortError::Invalid(format!("bad Redis URL: {}", e.category())))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(opts.connection_timeout))
            .set_response_timeout(Some(opts.response_timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let conn = RedisLink::open(client, config)
            .await
            .map_err(|e| port_error("connect", &e))?;
        let store = RedisStore {
            conn,
            ns: namespace.clone(),
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
    pub fn namespace(&self) -> &Namespace {
        &self.ns
    }

    /// The store's connection, for the pool's host gates and the notification ledger that
    /// share it (`spotcheck-politeness`, `spotcheck-notify`).
    pub fn connection(&self) -> RedisLink {
        self.conn.clone()
    }

    /// Runs `op` until it succeeds, fails for good, or has used its attempts.
    pub(super) async fn retry<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, PortError>
    where
        F: FnMut(RedisLink) -> Fut,
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
