//! Who is asking: sessions for people, bearer tokens for scripts, CSRF tokens for every
//! state-changing request, and a limit on wrong passwords.
//!
//! Nobody who is not logged in sees a finding, downloads a report or starts a round: every
//! handler except the login page takes a [`Who`], and the extractor answers a page request
//! without a session with a redirect to the login page and an `/api/` request without a
//! valid token or session with 401.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};

use crate::State;
use crate::accounts::{Account, Accounts, Role};
use crate::failure::{ApiFailure, Failure};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "spotcheck_session";
/// The login form's double-submit cookie: the login itself is protected from CSRF too.
pub const LOGIN_COOKIE: &str = "spotcheck_login";
/// The header that carries the CSRF token on `/api/` requests made with a session.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts without a new login.
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Wrong passwords allowed per account name and per client address within [`ATTEMPT_WINDOW`].
const MAX_FAILURES: usize = 5;
const ATTEMPT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries in the failure table before old ones are dropped.
const FORGET_ABOVE: usize = 10_000;

/// The person (or script) behind a request.
#[derive(Debug, Clone)]
pub struct Who {
    pub name: String,
    pub role: Role,
    /// The session's CSRF token; `None` for a bearer token, which a browser never sends by
    /// itself.
    pub csrf: Option<String>,
}

impl Who {
    /// Refuses a viewer: only operators start rounds and re-checks.
    pub fn must_operate(&self) -> Result<(), Failure> {
        match self.role {
            Role::Operator => Ok(()),
            Role::Viewer => Err(Failure::forbidden(
                "查看员只能查看，发起抽查或复查需要操作员账号",
            )),
        }
    }

    /// Refuses a session request whose CSRF token is missing or wrong.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), Failure> {
        match &self.csrf {
            None => Ok(()),
            Some(expected) if sent.is_some_and(|s| same(s, expected)) => Ok(()),
            Some(_) => Err(Failure::forbidden(
                "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
            )),
        }
    }
}

struct Session {
    name: String,
    role: Role,
    csrf: String,
    expires: Instant,
}

/// Accounts, sessions, the API token and the login limiter.
pub struct Access {
    accounts: Accounts,
    api_token: Option<String>,
    /// Cookies carry `Secure` (the console is served over TLS, directly or behind a proxy).
    secure: bool,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Access {
    pub fn new(accounts: Accounts, api_token: Option<String>, secure: bool) -> Access {
        Access {
            accounts,
            api_token: api_token.filter(|t| !t.is_empty()),
            secure,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Checks a login: refused while the name or the address has too many recent failures,
    /// otherwise the account when the password matches. Every failure counts against both.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        client: &str,
    ) -> Result<Account, Failure> {
        let keys = [format!("name:{name}"), format!("addr:{client}")];
        if keys.iter().any(|k| self.blocked(k)) {
            return Err(Failure::too_many(format!(
                "密码错误次数过多，请 {} 分钟后再试",
                ATTEMPT_WINDOW.as_secs() / 60
            )));
        }
        match self.accounts.verify(name, password).await {
            Some(account) => Ok(account),
            None => {
                for k in &keys {
                    self.failed(k);
                }
                Err(Failure::bad_request("用户名或密码错误"))
            }
        }
    }

    fn blocked(&self, key: &str) -> bool {
        let mut failures = lock(&self.failures);
        let Some(times) = failures.get_mut(key) else {
            return false;
        };
        while times.front().is_some_and(|t| t.elapsed() > ATTEMPT_WINDOW) {
            times.pop_front();
        }
        times.len() >= MAX_FAILURES
    }

    fn failed(&self, key: &str) {
        let mut failures = lock(&self.failures);
        // Names tried once and long ago are forgotten, so guessing many names cannot grow
        // the table without end.
        if failures.len() >= FORGET_ABOVE {
            failures.retain(|_, t| t.back().is_some_and(|t| t.elapsed() <= ATTEMPT_WINDOW));
        }
        failures
            .entry(key.to_string())
            .or_default()
            .push_back(Instant::now());
    }

    /// Opens a session for the account; returns the cookie that carries it.
    pub fn open(&self, account: &Account) -> Cookie<'static> {
        let token = random_token();
        let mut sessions = lock(&self.sessions);
        sessions.retain(|_, s| s.expires > Instant::now());
        sessions.insert(
            token.clone(),
            Session {
                name: account.name.clone(),
                role: account.role,
                csrf: random_token(),
                expires: Instant::now() + SESSION_TTL,
            },
        );
        self.cookie(SESSION_COOKIE, token)
    }

    pub fn close(&self, jar: &CookieJar) {
        if let Some(c) = jar.get(SESSION_COOKIE) {
            lock(&self.sessions).remove(c.value());
        }
    }

    /// A cookie that scripts cannot read and other sites cannot make the browser send.
    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path("/")
            .build()
    }

    fn by_session(&self, token: &str) -> Option<Who> {
        let sessions = lock(&self.sessions);
        let s = sessions.get(token).filter(|s| s.expires > Instant::now())?;
        Some(Who {
            name: s.name.clone(),
            role: s.role,
            csrf: Some(s.csrf.clone()),
        })
    }

    fn by_token(&self, headers: &HeaderMap) -> Option<Who> {
        let expected = self.api_token.as_deref()?;
        let sent = headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")?;
        same(sent.trim(), expected).then(|| Who {
            name: "api".into(),
            role: Role::Operator,
            csrf: None,
        })
    }

    /// Whoever the request comes from, if anyone.
    pub fn who(&self, headers: &HeaderMap) -> Option<Who> {
        if let Some(w) = self.by_token(headers) {
            return Some(w);
        }
        let jar = CookieJar::from_headers(headers);
        jar.get(SESSION_COOKIE)
            .and_then(|c| self.by_session(c.value()))
    }
}

/// Why a request without a session or token is turned away.
pub enum Unauthenticated {
    /// A page: to the login page, coming back afterwards.
    Login(String),
    /// `/api/`: 401.
    Api,
}

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        match self {
            Unauthenticated::Login(next) => {
                let to = format!("/login?next={}", url_escape(&next));
                Redirect::to(&to).into_response()
            }
            Unauthenticated::Api => {
                let mut r = ApiFailure(Failure {
                    status: StatusCode::UNAUTHORIZED,
                    message: "需要登录会话或有效的 API 令牌（Authorization: Bearer …）".into(),
                })
                .into_response();
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
                r
            }
        }
    }
}

impl FromRequestParts<Arc<State>> for Who {
    type Rejection = Unauthenticated;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Who, Unauthenticated> {
        if let Some(who) = state.access.who(&parts.headers) {
            return Ok(who);
        }
        let path = parts.uri.path();
        if path == "/api" || path.starts_with("/api/") {
            Err(Unauthenticated::Api)
        } else {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            Err(Unauthenticated::Login(next))
        }
    }
}

/// 32 random bytes from the operating system, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // Without the OS generator no token would be safe; a process that cannot read it
        // cannot serve logins either.
        panic!("the operating system's random number generator is unavailable");
    }
    hex::encode(bytes)
}

/// Compares secrets through their digests, so the time taken says nothing about where they
/// differ.
fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// Only local paths are followed after login, so the login page cannot be made to send a
/// user to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/rounds/x")), "/rounds/x");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
