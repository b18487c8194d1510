//! The deployment's namespace: the prefix of every queue, exchange and key the pool uses.
//!
//! Deployments (and tests running in parallel) share one broker and one Redis without
//! colliding because every name carries the namespace. It ends up in queue and exchange
//! names, Redis keys and `SCAN` patterns, and logs, so it keeps to an alphabet that is safe
//! in all of them: 1 to 64 ASCII letters, digits, `-`, `_` or `.`. A [`Namespace`] is checked
//! once, where it enters (a command-line option, a configuration), and trusted everywhere
//! after.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A namespace that keeps to the safe alphabet. Serialised as its string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Namespace(String);

/// A namespace outside the safe alphabet, or empty, or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("namespace {0:?}: use 1 to 64 ASCII letters, digits, '-', '_' or '.'")]
pub struct NamespaceError(String);

impl Namespace {
    /// The longest namespace, in characters.
    pub const MAX_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn is_valid(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= Namespace::MAX_LEN
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    }
}

impl TryFrom<String> for Namespace {
    type Error = NamespaceError;

    fn try_from(s: String) -> Result<Namespace, NamespaceError> {
        if Namespace::is_valid(&s) {
            Ok(Namespace(s))
        } else {
            Err(NamespaceError(s))
        }
    }
}

impl FromStr for Namespace {
    type Err = NamespaceError;

    fn from_str(s: &str) -> Result<Namespace, NamespaceError> {
        Namespace::try_from(s.to_string())
    }
}

impl From<Namespace> for String {
    fn from(ns: Namespace) -> String {
        ns.0
    }
}

impl AsRef<str> for Namespace {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_keep_to_a_safe_alphabet() {
        for ok in ["spotcheck", "spotcheck-prod.city_1", "A", &"x".repeat(64)] {
            assert_eq!(ok.parse::<Namespace>().unwrap().as_str(), ok);
        }
        for bad in ["", "a b", "a/b", "a:b", "a*", "市", &"x".repeat(65)] {
            assert!(bad.parse::<Namespace>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_error_names_the_namespace_and_the_rule() {
        let e = "a b".parse::<Namespace>().unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"namespace "a b": use 1 to 64 ASCII letters, digits, '-', '_' or '.'"#
        );
    }

    #[test]
    fn serde_keeps_it_a_string_and_checks_it() {
        let ns: Namespace = serde_json::from_str(r#""city.prod""#).unwrap();
        assert_eq!(ns.to_string(), "city.prod");
        assert_eq!(serde_json::to_string(&ns).unwrap(), r#""city.prod""#);
        assert!(serde_json::from_str::<Namespace>(r#""a:b""#).is_err());
    }
}
