//! Why a fetch got no HTTP answer, told from the error's sources — their types and
//! `io::ErrorKind`s — never from the wording of a message, which changes with every release
//! of the HTTP and TLS stacks underneath.

use std::error::Error;
use std::io;
use std::time::Duration;

use super::resolve::{LookupFailed, Refusal};

/// Why a fetch got no HTTP answer, in words an operator and a site owner understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("DNS: {0}")]
    Dns(String),
    #[error("connection refused")]
    ConnectionRefused,
    #[error("connect: {0}")]
    Connect(String),
    /// The connection broke before a complete answer (reset, closed without a response).
    #[error("connection dropped: {0}")]
    Dropped(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("too many redirects ({0})")]
    TooManyRedirects(u32),
    #[error("bad redirect: {0}")]
    BadRedirect(String),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// Worth another try later: the network may recover, a refusal or a loop will not.
    pub fn transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_) | FetchError::Connect(_) | FetchError::Dropped(_)
        )
    }
}

/// Every cause of an error, outermost first. `io::Error::source` skips the error it wraps
/// (a TLS alert arrives as an `io::Error` carrying a `rustls::Error`), so the wrapped error
/// is visited too.
fn causes<'a>(e: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut out = Vec::new();
    let mut cur = Some(e);
    while let Some(c) = cur {
        out.push(c);
        cur = match c.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => c.source(),
        };
    }
    out
}

fn find<'a, T: Error + 'static>(causes: &[&'a (dyn Error + 'static)]) -> Option<&'a T> {
    causes.iter().find_map(|c| c.downcast_ref::<T>())
}

/// The error and its causes in one line, each cause once.
pub(super) fn chain(e: &(dyn Error + 'static)) -> String {
    let mut s = String::new();
    for c in causes(e) {
        let t = c.to_string();
        if !s.contains(&t) {
            if !s.is_empty() {
                s.push_str(": ");
            }
            s.push_str(&t);
        }
    }
    s
}

/// The innermost cause's words: the most specific thing to tell a site owner.
fn last_cause(causes: &[&(dyn Error + 'static)]) -> String {
    causes.last().map(|c| c.to_string()).unwrap_or_default()
}

/// Sorts a failed request into what went wrong, by the types in its source chain;
/// `connecting`: it failed before a connection was made.
pub(super) fn classify(
    e: &(dyn Error + 'static),
    connecting: bool,
    timeout: Duration,
) -> FetchError {
    let causes = causes(e);
    if let Some(r) = find::<Refusal>(&causes) {
        return FetchError::Refused(r.to_string());
    }
    if find::<io::Error>(&causes).is_some_and(|io| io.kind() == io::ErrorKind::TimedOut) {
        return FetchError::Timeout(timeout);
    }
    if let Some(l) = find::<LookupFailed>(&causes) {
        return FetchError::Dns(l.to_string());
    }
    let kinds: Vec<io::ErrorKind> = causes
        .iter()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .map(io::Error::kind)
        .collect();
    if kinds.contains(&io::ErrorKind::ConnectionRefused) {
        return FetchError::ConnectionRefused;
    }
    if find::<rustls::Error>(&causes).is_some() {
        return FetchError::Tls(last_cause(&causes));
    }
    if !connecting {
        let broke = kinds.iter().any(|k| {
            matches!(
                k,
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            )
        });
        let cut = find::<hyper::Error>(&causes)
            .is_some_and(|h| h.is_incomplete_message() || h.is_closed() || h.is_canceled());
        if broke || cut {
            return FetchError::Dropped(last_cause(&causes));
        }
    }
    if connecting {
        return FetchError::Connect(last_cause(&causes));
    }
    FetchError::Other(chain(e))
}
