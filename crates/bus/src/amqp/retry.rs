//! Attempts at a broker that comes and goes: whether another attempt may help after a
//! failure, and how long to wait before it. Publishing retries until
//! [`AmqpOptions::publish_timeout`]; consumers resubscribe for as long as the queue is open.

use std::time::Duration;

use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
use spotcheck_core::ports::PortError;

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

/// Exponential backoff with jitter, so a pool of workers does not reconnect in lockstep.
pub(super) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub(super) fn new(opts: &AmqpOptions) -> Backoff {
        Backoff {
            next: opts.backoff_min.max(Duration::from_millis(1)),
            max: opts.backoff_max.max(opts.backoff_min),
        }
    }

    pub(super) fn next(&mut self) -> Duration {
        let d = self.next;
        self.next = (d * 2).min(self.max);
        // Between half and all of the step.
        d / 2 + d.mul_f64(f64::from(jitter() % 1000) / 2000.0)
    }
}

/// A cheap pseudo-random number: jitter needs no cryptographic quality.
fn jitter() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u32
}
