//! The connection every Redis call of a process goes through, replaced when Redis goes silent.
//!
//! A [`ConnectionManager`] opens a new connection when the old one reports itself broken (a
//! reset, a closed socket), but not when commands merely time out: a network path that fails
//! without a reset leaves its connection open, and every later command on it times out too —
//! for as long as the operating system keeps the socket, many minutes. Worse, the answers of
//! the commands that timed out are still awaited in order on that connection, so were the
//! path to carry bytes again after losing some, each answer would go to the command after its
//! own. A command that gets no answer within the response timeout therefore condemns its
//! connection: the next call opens a fresh one. The commands in flight on the old one fail
//! (and are retried by their callers, who make every write safe to repeat).

use std::sync::{Arc, Mutex};

use ::redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Cmd, Pipeline, RedisFuture, RedisResult, Value};

/// A handle on the process's Redis connection. Cloning shares it.
#[derive(Clone)]
pub struct RedisLink {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    config: ConnectionManagerConfig,
    current: Mutex<Current>,
}

/// The connection in use, and how many were opened before it.
#[derive(Clone)]
struct Current {
    serial: u64,
    conn: ConnectionManager,
}

impl RedisLink {
    /// Connects (failing when Redis cannot be reached now).
    pub(super) async fn open(client: Client, config: ConnectionManagerConfig) -> RedisResult<Self> {
        let conn = ConnectionManager::new_with_config(client.clone(), config.clone()).await?;
        Ok(RedisLink {
            shared: Arc::new(Shared {
                client,
                config,
                current: Mutex::new(Current { serial: 0, conn }),
            }),
        })
    }

    fn current(&self) -> Current {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.shared
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// After a call on connection `serial` failed with `e`: a timeout replaces that
    /// connection (once, however many of its calls time out).
    fn after(&self, serial: u64, e: &::redis::RedisError) {
        if !e.is_timeout() {
            return;
        }
        let mut current = self.lock();
        if current.serial != serial {
            return;
        }
        match ConnectionManager::new_lazy_with_config(
            self.shared.client.clone(),
            self.shared.config.clone(),
        ) {
            Ok(conn) => {
                tracing::warn!(
                    connection = serial,
                    error = %e,
                    "Redis did not answer in time; opening a fresh connection"
                );
                *current = Current {
                    serial: serial + 1,
                    conn,
                };
            }
            Err(e) => tracing::warn!(error = %e, "cannot replace the Redis connection"),
        }
    }
}

impl ConnectionLike for RedisLink {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let Current { serial, mut conn } = self.current();
            let answer = conn.req_packed_command(cmd).await;
            if let Err(e) = &answer {
                self.after(serial, e);
            }
            answer
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let Current { serial, mut conn } = self.current();
            let answer = conn.req_packed_commands(cmd, offset, count).await;
            if let Err(e) = &answer {
                self.after(serial, e);
            }
            answer
        })
    }

    fn get_db(&self) -> i64 {
        self.current().conn.get_db()
    }
}
