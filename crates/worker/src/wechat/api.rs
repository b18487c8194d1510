//! The Official Account API client: an access token, then the account's menu.
//!
//! Every call goes through the worker's [`Fetcher`] (so the API host gets the same politeness
//! and guard as any site) with its own retries: the fetcher's retry log names the URL, and
//! these URLs carry the AppSecret or the access token. The API answers HTTP 200 with
//! `{"errcode", "errmsg"}` for every refusal; [`errcode`](super::errcode) decides what each
//! one means. Nothing here logs a URL, and every error text is redacted before it leaves.

use std::time::Duration;

use serde_json::{Value, json};
use spotcheck_core::retry::Backoff;
use url::Url;

use super::errcode::{self, Action, Stage};
use super::menu::{self, Menu};
use super::redact::{Redactor, Secret};
use super::token::{Cached, TokenCache, TokenEndpoint};
use crate::fetch::client::FetchOptions;
use crate::fetch::{FetchError, Fetched, Fetcher};

/// API answers are small; anything bigger is not an API answer.
const MAX_ANSWER: usize = 2 * 1024 * 1024;
/// WeChat's documented token lifetime, for answers that leave `expires_in` out.
const DEFAULT_EXPIRES_IN: u64 = 7200;

/// An account's API credentials.
pub struct Credentials {
    pub appid: String,
    pub secret: Secret,
    /// The environment variable the secret came from, named in explanations.
    pub secret_env: String,
}

/// Why the API gave no menu, in words for the operator; never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// An errcode answer, after the retries and the token refresh it deserved.
    #[error("{explanation}")]
    Refused { code: i64, explanation: String },
    #[error("无法访问微信接口：{0}")]
    Network(String),
    #[error("微信接口返回 HTTP {0}")]
    Http(u16),
    #[error("微信接口的回答无法解析：{0}")]
    Malformed(String),
}

impl ApiError {
    /// The errcode, when WeChat refused.
    pub fn code(&self) -> Option<i64> {
        match self {
            ApiError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// The API client of one round: the round's API base, the worker's fetcher and token cache.
pub struct Client<'a> {
    fetcher: &'a Fetcher,
    base: &'a Url,
    tokens: &'a TokenCache,
}

/// What one call produced, and whether trying again may help.
struct Attempt {
    result: Result<Value, ApiError>,
    retry: bool,
}

impl<'a> Client<'a> {
    pub fn new(fetcher: &'a Fetcher, base: &'a Url, tokens: &'a TokenCache) -> Client<'a> {
        Client {
            fetcher,
            base,
            tokens,
        }
    }

    /// Reads the account's current menu: `get_current_selfmenu_info` (what followers see,
    /// however it was set), or `menu/get` where the former is not served. An invalid or
    /// expired token is replaced once; a second refusal is final, so two workers fighting
    /// over a token cannot loop.
    pub async fn read_menu(&self, creds: &Credentials) -> Result<Menu, ApiError> {
        let mut r = Redactor::new();
        r.hide(&creds.secret);
        let mut token = self.token(creds, None, &mut r).await?;
        let mut refreshed = false;
        loop {
            match self.menu_with(&token, creds, &r).await {
                Err(ApiError::Refused { code, .. })
                    if !refreshed && errcode::action(code) == Action::RefreshToken =>
                {
                    refreshed = true;
                    tracing::info!(appid = %creds.appid, code, "access token refused; fetching a new one");
                    token = self.token(creds, Some(&token), &mut r).await?;
                }
                other => return other,
            }
        }
    }

    /// A valid access token for the account, from the cache when it has one.
    pub async fn access_token(&self, creds: &Credentials) -> Result<Secret, ApiError> {
        let mut r = Redactor::new();
        r.hide(&creds.secret);
        self.token(creds, None, &mut r).await
    }

    async fn menu_with(
        &self,
        token: &Secret,
        creds: &Credentials,
        r: &Redactor,
    ) -> Result<Menu, ApiError> {
        let token_q = [("access_token", token.expose())];
        let selfmenu = self.endpoint("cgi-bin/get_current_selfmenu_info", &token_q);
        let answer = match self
            .call("get_current_selfmenu_info", &selfmenu, None, creds, r)
            .await
        {
            Err(ApiError::Http(404)) => {
                let get = self.endpoint("cgi-bin/menu/get", &token_q);
                self.call("menu/get", &get, None, creds, r).await
            }
            other => other,
        };
        match answer {
            Ok(v) => menu::parse(&v).map_err(|e| ApiError::Malformed(r.clean(&e.to_string()))),
            Err(ApiError::Refused { code, .. }) if code == errcode::NO_MENU => Ok(Menu {
                buttons: Vec::new(),
                open: Some(false),
                notes: vec!["公众号没有设置自定义菜单（errcode 46003）".to_string()],
            }),
            Err(e) => Err(e),
        }
    }

    /// A token from the cache, or a new one when there is none, it is about to expire, or it
    /// is `stale` (just refused). The appid's slot stays locked meanwhile, so jobs that need
    /// the same token wait for this one instead of asking WeChat again.
    async fn token(
        &self,
        creds: &Credentials,
        stale: Option<&Secret>,
        r: &mut Redactor,
    ) -> Result<Secret, ApiError> {
        let mut slot = self.tokens.lock(self.base.as_str(), &creds.appid).await;
        if let Some(c) = &slot.token {
            if c.is_fresh() && stale != Some(&c.token) {
                tracing::trace!(appid = %creds.appid, "access token from the cache");
                r.hide(&c.token);
                return Ok(c.token.clone());
            }
        }
        slot.token = None;
        let (token, expires_in) = match slot.endpoint {
            Some(TokenEndpoint::Plain) => self.plain_token(creds, r).await?,
            _ => match self.stable_token(creds, stale, r).await {
                Ok(t) => {
                    slot.endpoint = Some(TokenEndpoint::Stable);
                    t
                }
                Err(e) if stable_unsupported(&e) => {
                    tracing::info!(appid = %creds.appid, "stable_token not served ({e}); using /cgi-bin/token");
                    let t = self.plain_token(creds, r).await?;
                    slot.endpoint = Some(TokenEndpoint::Plain);
                    t
                }
                Err(e) => return Err(e),
            },
        };
        r.hide(&token);
        tracing::debug!(appid = %creds.appid, expires_in = expires_in.as_secs(), "new access token");
        slot.token = Some(Cached::new(token.clone(), expires_in));
        Ok(token)
    }

    /// `POST /cgi-bin/stable_token`: the same token for every caller until it expires, so
    /// other workers' tokens stay valid. After a refusal it may hand back the refused token;
    /// only then is a forced refresh asked for.
    async fn stable_token(
        &self,
        creds: &Credentials,
        stale: Option<&Secret>,
        r: &mut Redactor,
    ) -> Result<(Secret, Duration), ApiError> {
        let url = self.endpoint("cgi-bin/stable_token", &[]);
        let mut force = false;
        loop {
            let body = json!({
                "grant_type": "client_credential",
                "appid": creds.appid,
                "secret": creds.secret.expose(),
                "force_refresh": force,
            });
            let body = serde_json::to_vec(&body)
                .map_err(|e| ApiError::Malformed(format!("请求无法编码：{e}")))?;
            let v = self
                .call("stable_token", &url, Some(body), creds, r)
                .await?;
            let (token, expires_in) = token_of(&v)?;
            if stale == Some(&token) && !force {
                r.hide(&token);
                force = true;
                continue;
            }
            return Ok((token, expires_in));
        }
    }

    /// `GET /cgi-bin/token`: each call makes a new token and ends the previous one.
    async fn plain_token(
        &self,
        creds: &Credentials,
        r: &Redactor,
    ) -> Result<(Secret, Duration), ApiError> {
        let url = self.endpoint(
            "cgi-bin/token",
            &[
                ("grant_type", "client_credential"),
                ("appid", &creds.appid),
                ("secret", creds.secret.expose()),
            ],
        );
        let v = self.call("token", &url, None, creds, r).await?;
        token_of(&v)
    }

    /// An endpoint below the API base (which may itself have a path, behind a proxy).
    fn endpoint(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}/{path}", self.base.path().trim_end_matches('/'));
        url.set_path(&joined);
        url.set_query(None);
        url.set_fragment(None);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// One API call with its retries: `-1` (system busy), network trouble and 429/5xx are
    /// tried again with the plan's backoff, every other answer is returned as it is.
    async fn call(
        &self,
        name: &'static str,
        url: &Url,
        json: Option<Vec<u8>>,
        creds: &Credentials,
        r: &Redactor,
    ) -> Result<Value, ApiError> {
        let opts = FetchOptions {
            max_body: Some(MAX_ANSWER),
            json,
            once: true,
            ..FetchOptions::default()
        };
        let cfg = self.fetcher.config();
        let mut attempt = 0;
        loop {
            tracing::debug!(appid = %creds.appid, endpoint = name, attempt, "calling the WeChat API");
            let fetched = self.fetcher.fetch(url, &opts).await;
            let stage = if matches!(name, "token" | "stable_token") {
                Stage::Token
            } else {
                Stage::Call
            };
            let a = interpret(fetched, creds, stage, r);
            match &a.result {
                Err(e) if a.retry && attempt < cfg.retries => {
                    let wait = Backoff::doubling(cfg.retry_backoff).delay(attempt);
                    tracing::info!(appid = %creds.appid, endpoint = name, attempt, ?wait, "WeChat API busy or unreachable ({}); trying again", brief(e));
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::debug!(appid = %creds.appid, endpoint = name, "WeChat API call failed: {}", brief(e));
                    return a.result;
                }
                Ok(_) => return a.result,
            }
        }
    }
}

/// An error for a log line about one call: the errcode alone, since the explanation is
/// written for the final outcome ("refused even after a refresh"), not for one attempt.
fn brief(e: &ApiError) -> String {
    match e {
        ApiError::Refused { code, .. } => format!("errcode {code}"),
        other => other.to_string(),
    }
}

/// Whether `stable_token` failed because the endpoint is not there, not because of the
/// account: then `/cgi-bin/token` is worth a try.
fn stable_unsupported(e: &ApiError) -> bool {
    match e {
        ApiError::Http(s) => matches!(s, 400 | 404 | 405 | 501),
        ApiError::Refused { code, .. } => errcode::stable_token_unsupported(*code),
        ApiError::Malformed(_) => true,
        ApiError::Network(_) => false,
    }
}

/// Turns a fetch into an answer or an error, and says whether trying again may help.
fn interpret(
    fetched: Result<Fetched, FetchError>,
    creds: &Credentials,
    stage: Stage,
    r: &Redactor,
) -> Attempt {
    let f = match fetched {
        Ok(f) => f,
        Err(e) => {
            return Attempt {
                retry: e.transient(),
                result: Err(ApiError::Network(r.clean(&e.to_string()))),
            };
        }
    };
    let parsed: Option<Value> = serde_json::from_slice(&f.body).ok();
    let errcode = parsed
        .as_ref()
        .and_then(|v| v.get("errcode"))
        .and_then(as_i64)
        .filter(|c| *c != 0);
    if let Some(code) = errcode {
        let msg = parsed
            .as_ref()
            .and_then(|v| v.get("errmsg"))
            .and_then(Value::as_str)
            .unwrap_or("");
        return Attempt {
            retry: code == errcode::BUSY,
            result: Err(ApiError::Refused {
                code,
                explanation: r.clean(&errcode::explain(code, msg, &creds.secret_env, stage)),
            }),
        };
    }
    if f.status != 200 {
        return Attempt {
            retry: f.status == 429 || f.status >= 500,
            result: Err(ApiError::Http(f.status)),
        };
    }
    let result = match parsed {
        _ if f.truncated => Err(ApiError::Malformed(format!(
            "回答超过 {} KiB",
            MAX_ANSWER / 1024
        ))),
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(ApiError::Malformed("回答不是 JSON 对象".to_string())),
        None => Err(ApiError::Malformed(r.clean(&not_json(&f)))),
    };
    Attempt {
        result,
        retry: false,
    }
}

/// Describes a non-JSON answer by its type and first characters (a proxy's error page, a
/// login page) so the operator can tell what answered instead of the API.
fn not_json(f: &Fetched) -> String {
    let text = String::from_utf8_lossy(&f.body);
    let start: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let start: String = start.chars().take(60).collect();
    format!(
        "不是 JSON（{}，{} 字节：{start}）",
        f.content_type.as_deref().unwrap_or("无 Content-Type"),
        f.body.len()
    )
}

/// An errcode as a number, or a number in a string.
fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn token_of(v: &Value) -> Result<(Secret, Duration), ApiError> {
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Malformed("回答中没有 access_token".to_string()))?;
    let expires_in = v
        .get("expires_in")
        .and_then(|e| {
            e.as_u64()
                .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .unwrap_or(DEFAULT_EXPIRES_IN);
    Ok((Secret::new(token), Duration::from_secs(expires_in)))
}
