//! The fake WeChat Official Account API on `api.weixin.qq.com`: tokens, the two menu
//! endpoints, and the error codes a real account runs into.
//!
//! Errors are HTTP 200 with `{"errcode":N,"errmsg":"..."}`, as the real API answers them.
//! Every call is logged with the appid it acted for, so tests can check token caching.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::render::Reply;
use crate::respond::parse_query;
use crate::world::{self, Button, World};

/// How long a token lives, as the real API says.
const EXPIRES_IN: u64 = 7200;

/// One call to the fake API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatCall {
    pub at: Instant,
    /// `token`, `stable_token`, `get_current_selfmenu_info` or `menu/get`.
    pub endpoint: String,
    /// The account the call acted for: the `appid` of a token call, the owner of the token
    /// of a menu call; `None` when it could not be told.
    pub appid: Option<String>,
    /// 0 for success.
    pub errcode: i64,
    /// The access token a token call handed out (tests make sure it never leaks).
    pub token: Option<String>,
}

struct Token {
    account: usize,
    expires: Instant,
    valid: bool,
}

#[derive(Default)]
struct State {
    tokens: HashMap<String, Token>,
    /// appid → its current stable token.
    stable: HashMap<String, String>,
    /// Accounts whose one-off 40001 has been answered.
    tripped: HashSet<usize>,
    issued: u64,
    calls: Vec<WechatCall>,
}

#[derive(Default)]
pub(crate) struct WechatApi {
    state: Mutex<State>,
}

fn err(code: i64, msg: &str) -> Value {
    json!({ "errcode": code, "errmsg": format!("{msg} rid: 5fd9c1a2-0a1b2c3d-4e5f6a7b") })
}

fn reply(v: Value) -> Reply {
    Reply::data("application/json; charset=utf-8", v.to_string())
}

impl WechatApi {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn calls(&self) -> Vec<WechatCall> {
        self.lock().calls.clone()
    }

    /// Makes every issued token expired (the next menu call answers 42001).
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for t in self.lock().tokens.values_mut() {
            t.expires = now;
        }
    }

    pub fn handle(&self, w: &World, path: &str, query: Option<&str>, body: &[u8]) -> Reply {
        let q = parse_query(query.unwrap_or(""));
        let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let mut st = self.lock();
        let (endpoint, appid, answer) = match path {
            "/cgi-bin/token" => {
                let appid = param("appid");
                let grant = param("grant_type");
                let secret = param("secret");
                let answer = issue(&mut st, w, grant, appid.clone(), secret, false, false);
                ("token", appid, answer)
            }
            "/cgi-bin/stable_token" => {
                let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
                let force = v
                    .get("force_refresh")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let appid = s("appid");
                let answer = if v.is_null() {
                    err(47001, "data format error")
                } else {
                    issue(
                        &mut st,
                        w,
                        s("grant_type"),
                        appid.clone(),
                        s("secret"),
                        true,
                        force,
                    )
                };
                ("stable_token", appid, answer)
            }
            "/cgi-bin/get_current_selfmenu_info" | "/cgi-bin/menu/get" => {
                let endpoint = path.trim_start_matches("/cgi-bin/");
                let (appid, answer) = menu(&mut st, w, param("access_token"), endpoint);
                (endpoint, appid, answer)
            }
            _ => {
                return Reply::not_found();
            }
        };
        let errcode = answer.get("errcode").and_then(Value::as_i64).unwrap_or(0);
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        st.calls.push(WechatCall {
            at: Instant::now(),
            endpoint: endpoint.to_string(),
            appid,
            errcode,
            token,
        });
        reply(answer)
    }
}

fn issue(
    st: &mut State,
    w: &World,
    grant: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
    stable: bool,
    force: bool,
) -> Value {
    if grant.as_deref() != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    let Some(appid) = appid.filter(|a| !a.is_empty()) else {
        return err(41002, "appid missing");
    };
    let Some(ai) = w.accounts.iter().position(|a| a.appid == appid) else {
        return err(40013, "invalid appid");
    };
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return err(41004, "appsecret missing");
    };
    let acc = &w.accounts[ai];
    if secret != acc.secret {
        return err(40125, "invalid appsecret");
    }
    if acc.api_error == Some(40164) {
        return err(
            40164,
            "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist",
        );
    }
    let now = Instant::now();
    if stable && !force {
        if let Some(tok) = st.stable.get(&appid) {
            if let Some(t) = st.tokens.get(tok).filter(|t| t.valid && t.expires > now) {
                let left = t.expires.saturating_duration_since(now).as_secs();
                return json!({ "access_token": tok, "expires_in": left });
            }
        }
    }
    st.issued += 1;
    let token = format!(
        "{}_{}",
        st.issued,
        crate::generate::hex(&[crate::generate::hash_str(&appid), st.issued], 48)
            .to_ascii_uppercase()
    );
    st.tokens.insert(
        token.clone(),
        Token {
            account: ai,
            expires: now + Duration::from_secs(EXPIRES_IN),
            valid: true,
        },
    );
    if stable {
        st.stable.insert(appid, token.clone());
    }
    json!({ "access_token": token, "expires_in": EXPIRES_IN })
}

fn menu(
    st: &mut State,
    w: &World,
    token: Option<String>,
    endpoint: &str,
) -> (Option<String>, Value) {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return (None, err(41001, "access_token missing"));
    };
    let Some(t) = st.tokens.get(&token) else {
        return (
            None,
            err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            ),
        );
    };
    let ai = t.account;
    let acc = &w.accounts[ai];
    let appid = Some(acc.appid.clone());
    if !t.valid {
        return (
            appid,
            err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            ),
        );
    }
    if t.expires <= Instant::now() {
        return (appid, err(42001, "access_token expired"));
    }
    match acc.api_error {
        Some(45009) => return (appid, err(45009, "reach max api daily quota limit")),
        Some(48001) => return (appid, err(48001, "api unauthorized")),
        _ => {}
    }
    if acc.token_invalid_once && st.tripped.insert(ai) {
        if let Some(t) = st.tokens.get_mut(&token) {
            t.valid = false;
        }
        return (
            appid,
            err(
                40001,
                "invalid credential, access_token is invalid or not latest",
            ),
        );
    }
    let v = if endpoint == "menu/get" {
        menu_get(acc)
    } else {
        selfmenu(w, acc)
    };
    (appid, v)
}

/// `get_current_selfmenu_info`: news buttons carry their articles.
fn selfmenu(w: &World, acc: &world::Account) -> Value {
    let buttons: Vec<Value> = acc
        .menu
        .iter()
        .map(|top| {
            let list: Vec<Value> = top
                .subs
                .iter()
                .map(|b| match b {
                    Button::View { name, url } => json!({"type": "view", "name": name, "url": url}),
                    Button::News {
                        name,
                        media_id,
                        articles,
                    } => {
                        let list: Vec<Value> = articles
                            .iter()
                            .filter_map(|a| w.wx_articles.get(*a))
                            .map(|a| {
                                json!({
                                    "title": a.title,
                                    "author": "",
                                    "digest": a.title,
                                    "show_cover": 0,
                                    "cover_url": "",
                                    "content_url": w.wx_url(a),
                                    "source_url": ""
                                })
                            })
                            .collect();
                        json!({"type": "news", "name": name, "value": media_id, "news_info": {"list": list}})
                    }
                    Button::Mini {
                        name,
                        url,
                        appid,
                        pagepath,
                    } => json!({"type": "miniprogram", "name": name, "url": url, "appid": appid, "pagepath": pagepath}),
                    Button::Click { name, key } => json!({"type": "click", "name": name, "key": key}),
                })
                .collect();
            json!({"name": top.name, "sub_button": {"list": list}})
        })
        .collect();
    json!({"is_menu_open": 1, "selfmenu_info": {"button": buttons}})
}

/// `menu/get`: the menu as set through the API; news buttons are `media_id` references
/// without their articles, as the real endpoint answers.
fn menu_get(acc: &world::Account) -> Value {
    let buttons: Vec<Value> = acc
        .menu
        .iter()
        .map(|top| {
            let subs: Vec<Value> = top
                .subs
                .iter()
                .map(|b| match b {
                    Button::View { name, url } => {
                        json!({"type": "view", "name": name, "url": url, "sub_button": []})
                    }
                    Button::News { name, media_id, .. } => {
                        json!({"type": "media_id", "name": name, "media_id": media_id, "sub_button": []})
                    }
                    Button::Mini {
                        name,
                        url,
                        appid,
                        pagepath,
                    } => json!({"type": "miniprogram", "name": name, "url": url, "appid": appid, "pagepath": pagepath, "sub_button": []}),
                    Button::Click { name, key } => {
                        json!({"type": "click", "name": name, "key": key, "sub_button": []})
                    }
                })
                .collect();
            json!({"name": top.name, "sub_button": subs})
        })
        .collect();
    json!({"menu": {"button": buttons, "menuid": 100_000_000 + crate::generate::hash_str(&acc.appid) % 900_000_000}})
}
