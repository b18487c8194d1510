//! Who may use the console: accounts with a role and an argon2 password hash.
//!
//! Accounts come from a file (`--users FILE`) or the environment (`SPOTCHECK_CONSOLE_USERS`),
//! one per line as `name:role:hash`, where the hash is the PHC string that
//! `spotcheck console hash-password` prints. Only hashes are ever stored, so the file can be
//! handed to a deployment as it is.

use std::collections::HashMap;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Starts rounds and re-checks, uploads registries, and reads everything.
    Operator,
    /// Reads rounds, findings and reports; changes nothing.
    Viewer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    /// The role as the office says it, for the pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Operator => "操作员",
            Role::Viewer => "查看员",
        }
    }
}

/// One account: its name, role and password hash.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub role: Role,
    /// The password's argon2 PHC string (`$argon2id$v=19$…`).
    pub hash: String,
}

/// The accounts the console knows, by name.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    by_name: HashMap<String, Account>,
}

/// A line of an accounts file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{source_name} line {line}: {message}")]
pub struct AccountsError {
    pub source_name: String,
    pub line: usize,
    pub message: String,
}

impl Accounts {
    /// Reads `name:role:hash` lines; blank lines and `#` comments are skipped. `source_name`
    /// names the file (or variable) in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Accounts, AccountsError> {
        let mut accounts = Accounts::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |message: String| AccountsError {
                source_name: source_name.to_string(),
                line: i + 1,
                message,
            };
            let mut parts = line.splitn(3, ':');
            let (Some(name), Some(role), Some(hash)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(fail("expected `name:role:hash`".into()));
            };
            let role = match role {
                "operator" => Role::Operator,
                "viewer" => Role::Viewer,
                other => {
                    return Err(fail(format!(
                        "role `{other}` is neither `operator` nor `viewer`"
                    )));
                }
            };
            if name.is_empty() {
                return Err(fail("the account has no name".into()));
            }
            if argon2::password_hash::phc::PasswordHash::new(hash).is_err() {
                return Err(fail(format!(
                    "the password of `{name}` is not an argon2 hash (make one with `spotcheck console hash-password`)"
                )));
            }
            accounts.add(Account {
                name: name.to_string(),
                role,
                hash: hash.to_string(),
            });
        }
        Ok(accounts)
    }

    pub fn add(&mut self, account: Account) {
        self.by_name.insert(account.name.clone(), account);
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The account when the name exists and the password matches its hash. Hashing is slow on
    /// purpose, so it runs off the async threads.
    pub async fn verify(&self, name: &str, password: &str) -> Option<Account> {
        let account = self.by_name.get(name)?.clone();
        let password = password.to_string();
        let hash = account.hash.clone();
        let ok = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await
        .unwrap_or(false);
        ok.then_some(account)
    }
}

/// The PHC string of a password with a fresh random salt, for an accounts file.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("s3cret").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let accounts =
            Accounts::parse(&format!("# staff\nwang:operator:{hash}\n"), "users").unwrap();
        assert_eq!(
            accounts.verify("wang", "s3cret").await.map(|a| a.role),
            Some(Role::Operator)
        );
        assert!(accounts.verify("wang", "wrong").await.is_none());
        assert!(accounts.verify("li", "s3cret").await.is_none());
    }

    #[test]
    fn bad_lines_name_their_line() {
        let e = Accounts::parse("\nli:admin:x\n", "users.txt").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("admin"), "{e}");
        let e = Accounts::parse("li:viewer:plaintext", "users.txt").unwrap_err();
        assert!(e.to_string().contains("hash-password"), "{e}");
    }
}
