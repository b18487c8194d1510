//! Where account secrets come from: the environment variable the registry names. Secrets
//! are read at the moment of use and never stored in jobs, results, the store or logs.

use std::collections::HashMap;

pub trait Secrets: Send + Sync {
    /// The value of the named secret, if set.
    fn get(&self, name: &str) -> Option<String>;
}

/// Secrets from this process's environment.
pub struct EnvSecrets;

impl Secrets for EnvSecrets {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Secrets handed over in memory (the embedded demo city, tests).
pub struct MapSecrets(pub HashMap<String, String>);

impl Secrets for MapSecrets {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}
