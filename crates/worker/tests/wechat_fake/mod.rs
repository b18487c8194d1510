//! The fake Official Account API and the round scaffolding shared by the `wechat_*` tests.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use spotcheck_core::outcome::MenuOutcome;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_core::{Plan, Registry};
use spotcheck_politeness::MemoryGate;
use spotcheck_worker::RoundContext;
use spotcheck_worker::checks::menu;
use spotcheck_worker::fetch::{FetchConfig, Fetcher};
use spotcheck_worker::secrets::MapSecrets;
use spotcheck_worker::wechat::token::TokenCache;

pub const SECRET: &str = "c0ffee5ecret0123456789abcdefABCD";
/// Every token the fake hands out contains this, so a leak is easy to spot.
pub const TOKEN_MARK: &str = "TOKENxSENSITIVE";

/// `get_current_selfmenu_info`: a click, a parent with a view, a news button with three
/// articles (one without a source), a miniprogram, a video, and a type nobody knows yet.
pub const SELFMENU: &str = r#"{
  "is_menu_open": 1,
  "selfmenu_info": {"button": [
    {"type": "click", "name": "今日要闻", "key": "NEWS"},
    {"name": "办事服务", "sub_button": {"list": [
      {"type": "view", "name": "户籍办理", "url": "http://www.jdz.gov.cn/hj/"},
      {"type": "news", "name": "政策解读", "value": "MEDIA",
       "news_info": {"list": [
         {"title": "一", "content_url": "http://mp.weixin.qq.com/s?__biz=MzA=&amp;mid=1&amp;idx=1&amp;sn=aa#rd", "source_url": ""},
         {"title": "二", "content_url": "http://mp.weixin.qq.com/s?__biz=MzA=&amp;mid=1&amp;idx=2&amp;sn=bb#rd", "source_url": "http://www.jdz.gov.cn/zcjd/1.html"},
         {"title": "三", "content_url": "http://mp.weixin.qq.com/s?__biz=MzA=&amp;mid=1&amp;idx=3&amp;sn=cc#rd", "source_url": "", "new_field": [1, 2]}
       ]}},
      {"type": "miniprogram", "name": "掌上办", "url": "http://www.jdz.gov.cn/zsb/", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/index"},
      {"type": "video", "name": "宣传片", "value": "http://video.jdz.gov.cn/a.mp4"},
      {"type": "hologram_card", "name": "新玩意", "extra": {"nested": true}}
    ]}},
    {"name": "互动", "sub_button": {"list": [
      {"type": "text", "name": "联系我们", "value": "电话 12345"},
      {"type": "scancode_push", "name": "扫一扫", "key": "SCAN"}
    ]}}
  ]},
  "unknown_top_level": {"x": 1}
}"#;

/// `menu/get`: plain arrays, a conditional menu.
pub const MENU_GET: &str = r#"{
  "menu": {"button": [
    {"type": "view", "name": "首页", "url": "https://www.jdz.gov.cn/", "sub_button": []},
    {"name": "服务", "sub_button": [
      {"type": "click", "name": "查询", "key": "Q", "sub_button": []},
      {"type": "miniprogram", "name": "小程序", "url": "http://mp.weixin.qq.com", "appid": "wx1", "pagepath": "p"}
    ]}
  ], "menuid": 1},
  "conditionalmenu": [{"button": [{"type": "view", "name": "专区", "url": "https://www.jdz.gov.cn/zq/"}], "matchrule": {"sex": "1"}, "menuid": 2}]
}"#;

/// The saved menu of the accounts that have one: a `menu/get` answer.
pub const SAVED: &str = r#"{"menu": {"button": [{"type": "view", "name": "存档", "url": "http://www.jdz.gov.cn/saved/"}]}}"#;

// ---------------------------------------------------------------------------------------
// The fake API

/// What a menu call answers instead of the menu, in order.
#[derive(Clone)]
pub enum Scripted {
    Errcode(i64),
    Raw(&'static str),
}

#[derive(Default, Clone, Copy, Debug)]
pub struct Counts {
    pub stable: usize,
    pub forced: usize,
    pub plain: usize,
    pub menu: usize,
}

pub struct FakeAccount {
    pub secret: String,
    pub stable_served: bool,
    pub selfmenu_served: bool,
    pub token_error: Option<i64>,
    pub script: VecDeque<Scripted>,
    pub menu: &'static str,
    pub current: Option<String>,
    pub valid: HashSet<String>,
    pub issued: u32,
    pub counts: Counts,
}

impl FakeAccount {
    pub fn new(menu: &'static str) -> FakeAccount {
        FakeAccount {
            secret: SECRET.to_string(),
            stable_served: true,
            selfmenu_served: true,
            token_error: None,
            script: VecDeque::new(),
            menu,
            current: None,
            valid: HashSet::new(),
            issued: 0,
            counts: Counts::default(),
        }
    }

    /// A new token; the previous ones stop working (as with `/cgi-bin/token` or a forced
    /// `stable_token`).
    pub fn issue(&mut self, appid: &str) -> String {
        self.issued += 1;
        let t = format!("{appid}-{}-{TOKEN_MARK}", self.issued);
        self.valid = HashSet::from([t.clone()]);
        self.current = Some(t.clone());
        t
    }
}

#[derive(Default)]
pub struct Fake {
    pub accounts: Mutex<HashMap<String, FakeAccount>>,
}

impl Fake {
    pub fn add(&self, appid: &str, a: FakeAccount) {
        self.accounts.lock().unwrap().insert(appid.to_string(), a);
    }

    pub fn counts(&self, appid: &str) -> Counts {
        self.accounts.lock().unwrap()[appid].counts
    }
}

pub fn errcode(code: i64, msg: &str) -> Response {
    axum::Json(json!({"errcode": code, "errmsg": msg})).into_response()
}

pub fn token_answer(t: &str) -> Response {
    axum::Json(json!({"access_token": t, "expires_in": 7200})).into_response()
}

pub async fn stable_token(State(f): State<Arc<Fake>>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return errcode(47001, "data format error");
    };
    let appid = v["appid"].as_str().unwrap_or_default().to_string();
    let mut accounts = f.accounts.lock().unwrap();
    let Some(a) = accounts.get_mut(&appid) else {
        return errcode(40013, "invalid appid");
    };
    a.counts.stable += 1;
    if !a.stable_served {
        return (StatusCode::NOT_FOUND, "404 page not found").into_response();
    }
    if v["grant_type"] != "client_credential" || v["secret"] != a.secret.as_str() {
        return errcode(40125, "invalid appsecret");
    }
    if let Some(code) = a.token_error {
        return errcode(code, "refused at the token");
    }
    let force = v["force_refresh"] == true;
    if force {
        a.counts.forced += 1;
    }
    let t = match (&a.current, force) {
        (Some(t), false) => t.clone(),
        _ => a.issue(&appid),
    };
    token_answer(&t)
}

pub async fn plain_token(
    State(f): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let appid = q.get("appid").cloned().unwrap_or_default();
    let mut accounts = f.accounts.lock().unwrap();
    let Some(a) = accounts.get_mut(&appid) else {
        return errcode(40013, "invalid appid");
    };
    a.counts.plain += 1;
    if q.get("grant_type").map(String::as_str) != Some("client_credential")
        || q.get("secret") != Some(&a.secret)
    {
        return errcode(40125, "invalid appsecret");
    }
    if let Some(code) = a.token_error {
        return errcode(code, "refused at the token");
    }
    let t = a.issue(&appid);
    token_answer(&t)
}

pub fn menu_call(f: &Fake, token: Option<&String>, selfmenu: bool) -> Response {
    let mut accounts = f.accounts.lock().unwrap();
    let Some(a) = accounts
        .values_mut()
        .find(|a| token.is_some_and(|t| a.valid.contains(t)))
    else {
        return errcode(
            40001,
            "invalid credential, access_token is invalid or not latest",
        );
    };
    a.counts.menu += 1;
    if selfmenu && !a.selfmenu_served {
        return (StatusCode::NOT_FOUND, "not here").into_response();
    }
    match a.script.pop_front() {
        Some(Scripted::Errcode(code)) => errcode(code, "scripted"),
        Some(Scripted::Raw(body)) => body.into_response(),
        None => ([("content-type", "application/json")], a.menu).into_response(),
    }
}

pub async fn selfmenu(
    State(f): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    menu_call(&f, q.get("access_token"), true)
}

pub async fn menu_get(
    State(f): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    menu_call(&f, q.get("access_token"), false)
}

pub async fn serve(fake: Arc<Fake>) -> String {
    let app = Router::new()
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/token", get(plain_token))
        .route("/cgi-bin/get_current_selfmenu_info", get(selfmenu))
        .route("/cgi-bin/menu/get", get(menu_get))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------------------
// Rounds and contexts

/// An account of the test registry: `appid` + `WX_SECRET_<ID>` when `api`, a saved menu
/// when `saved`.
pub struct Acc {
    pub id: &'static str,
    pub appid: &'static str,
    pub api: bool,
    pub saved: Option<&'static str>,
}

pub fn api(id: &'static str, appid: &'static str) -> Acc {
    Acc {
        id,
        appid,
        api: true,
        saved: None,
    }
}

pub fn env_of(id: &str) -> String {
    format!("WX_SECRET_{}", id.to_uppercase())
}

pub fn round(base: &str, accounts: &[Acc]) -> Round {
    let mut text = format!(
        "[meta]\nregion = \"测试市\"\nname = \"测试\"\n[wechat]\napi_base = \"{base}\"\n\
         [[units]]\nid = \"gaj\"\nname = \"市公安局\"\n"
    );
    let mut menus = BTreeMap::new();
    for a in accounts {
        write!(
            text,
            "[[accounts]]\nid = \"{}\"\nunit = \"gaj\"\nplatform = \"wechat\"\nname = \"公众号{}\"\n",
            a.id, a.id
        )
        .unwrap();
        if a.api {
            write!(
                text,
                "appid = \"{}\"\nsecret_env = \"{}\"\n",
                a.appid,
                env_of(a.id)
            )
            .unwrap();
        }
        if let Some(s) = a.saved {
            writeln!(text, "menu_file = \"menus/{}.json\"", a.id).unwrap();
            menus.insert(a.id.to_string(), s.to_string());
        }
    }
    let registry = Registry::parse(&text, Path::new("/srv/registry.toml")).unwrap();
    Round {
        id: RoundId("2020Q4-test".into()),
        kind: RoundKind::Spot,
        parent: None,
        window: "2020-07-01..2020-09-30".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        registry,
        plan: Plan::default(),
        allow_private: true,
        menus,
        dictionaries: Vec::new(),
        scope: None,
    }
}

pub fn context_with(
    round: Round,
    secrets: HashMap<String, String>,
    tokens: Arc<TokenCache>,
) -> Arc<RoundContext> {
    let mut cfg = FetchConfig::from_round(&round);
    cfg.allow_private = true;
    cfg.retry_backoff = Duration::from_millis(10);
    let gate = Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 16));
    Arc::new(RoundContext {
        wording: Arc::new(spotcheck_worker::wording::matcher(&round)),
        round: Arc::new(round),
        fetcher: Fetcher::new(cfg, gate).unwrap(),
        secrets: Arc::new(MapSecrets(secrets)),
        wechat_tokens: tokens,
    })
}

/// A context whose every API account has its secret set.
pub fn context(base: &str, accounts: &[Acc]) -> Arc<RoundContext> {
    let secrets = accounts
        .iter()
        .filter(|a| a.api)
        .map(|a| (env_of(a.id), SECRET.to_string()))
        .collect();
    context_with(round(base, accounts), secrets, Arc::default())
}

pub async fn read(ctx: &RoundContext, id: &str) -> MenuOutcome {
    let account = ctx.round.registry.account(id).unwrap();
    menu::read(ctx, account).await
}

pub fn summary(o: &MenuOutcome) -> Vec<(String, String, Vec<String>)> {
    o.buttons
        .iter()
        .map(|b| {
            (
                b.path.clone(),
                b.kind.clone(),
                b.urls.iter().map(|u| u.to_string()).collect(),
            )
        })
        .collect()
}

pub fn assert_no_secret(o: &MenuOutcome) {
    let text = serde_json::to_string(o).unwrap();
    assert!(!text.contains(SECRET), "secret in {text}");
    assert!(!text.contains(TOKEN_MARK), "token in {text}");
}
