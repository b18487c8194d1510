//! Attempts at a broker that comes and goes: whether another attempt may help after a
//! failure, and how long to wait before it. Publishing retries until
//! [`AmqpOptions::publish_timeout`]; consumers resubscribe for as long as the queue is open.

use std::time::Duration;

use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use spotcheck_core::ports::PortError;
use spotcheck_core::retry::{Backoff, Delays};

use super::AmqpOptions;

/// What went wrong in one attempt, and whether another attempt may help.
#[derive(Debug)]
pub(super) enum Failure {
    /// The broker is unreachable, the connection or channel dropped, a queue is missing:
    /// reconnecting or re-declaring may help.
    Retry(String),
    /// Retrying will not help (wrong credentials, conflicting queue arguments, a nack).
    Fatal(PortError),
}

impl Failure {
    pub(super) fn from_lapin(context: &str, e: &lapin::Error) -> Failure {
        let refused = matches!(
            e.kind(),
            lapin::ErrorKind::ProtocolError(p) if matches!(
                p.kind(),
                AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED | AMQPSoftError::ACCESSREFUSED)
            )
        ) || matches!(e.kind(), lapin::ErrorKind::AuthProviderError(_));
        if refused {
            Failure::Fatal(PortError::Invalid(format!("{context}: {e}")))
        } else {
            Failure::Retry(format!("{context}: {e}"))
        }
    }

    pub(super) fn into_port(self) -> PortError {
        match self {
            Failure::Retry(why) => PortError::Unavailable(why),
            Failure::Fatal(e) => e,
        }
    }
}

impl From<PortError> for Failure {
    fn from(e: PortError) -> Failure {
        match e {
            PortError::Unavailable(why) => Failure::Retry(why),
            e @ PortError::Invalid(_) => Failure::Fatal(e),
        }
    }
}

/// The reconnect and publish waits: the shared policy from `backoff_min` up to `backoff_max`.
pub(super) fn backoff(opts: &AmqpOptions) -> Delays {
    Backoff::new(
        opts.backoff_min.max(Duration::from_millis(1)),
        opts.backoff_max,
    )
    .delays()
}
