//! Reading an account's menu: through the API when the account has credentials, from its
//! saved menu file otherwise, and from the saved file when the API refuses.
//!
//! A menu that cannot be read is a notice for the operator (`wechat.unavailable`), not a
//! failed job: the outcome's `problem` says why and what to change. The API is preferred
//! because it shows the menu followers see today; a saved file may be months old.
//!
//! The WeChat articles the menu reaches (`mp.weixin.qq.com/s…`, as news buttons and view
//! buttons link them) are read for wording errors: what an account publishes is its text.

use spotcheck_core::outcome::{MenuOutcome, MenuSource, WordingHit};
use spotcheck_core::registry::Account;

use url::Url;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::judge::judge;
use crate::wechat::api::{Client, Credentials};
use crate::wechat::menu::{self, Menu};
use crate::wechat::redact::{Redactor, Secret};

pub async fn read(ctx: &RoundContext, account: &Account) -> MenuOutcome {
    let saved = ctx.round.menus.get(&account.id);
    let (appid, secret_env) = match (&account.appid, &account.secret_env) {
        (Some(a), Some(e)) => (a, e),
        _ => return from_file(account, saved, None),
    };
    let Some(secret) = ctx.secrets.get(secret_env) else {
        tracing::info!(account = %account.id, env = %secret_env, "AppSecret not set; the API is not used");
        let why = format!(
            "未设置环境变量 {secret_env}（公众号「{}」的 AppSecret）：请在抽查工作节点的环境中设置后重新抽查",
            account.name
        );
        return from_file(account, saved, Some(why));
    };
    let creds = Credentials {
        appid: appid.clone(),
        secret: Secret::new(secret),
        secret_env: secret_env.clone(),
    };
    let client = Client::new(
        &ctx.fetcher,
        &ctx.round.registry.wechat.api_base,
        &ctx.wechat_tokens,
    );
    match client.read_menu(&creds).await {
        Ok(m) => from_api(m),
        Err(e) => {
            // The error is redacted already; cleaning again costs nothing and keeps this
            // place safe should an error ever be built elsewhere.
            let mut r = Redactor::new();
            r.hide(&creds.secret);
            let why = r.clean(&e.to_string());
            tracing::info!(account = %account.id, code = ?e.code(), "menu not read through the API: {why}");
            from_file(account, saved, Some(why))
        }
    }
}

/// Reads the text of every WeChat article the menu's buttons link, each once. An article
/// that cannot be read (deleted, the captcha) is left out: the link check judges its link.
pub async fn articles(ctx: &RoundContext, menu: &MenuOutcome, said: &mut Vec<WordingHit>) {
    let mut seen: Vec<&Url> = Vec::new();
    for url in menu.buttons.iter().flat_map(|b| &b.urls) {
        if !is_wechat_article(url) || seen.contains(&url) {
            continue;
        }
        seen.push(url);
        let fetched = ctx.fetcher.fetch(url, &FetchOptions::default()).await;
        let text = fetched.as_ref().ok().and_then(crate::page_text);
        let verdict = judge(url, &fetched, text.as_deref());
        match text {
            Some(text) if verdict.is_ok() => {
                let hits = crate::wording::hits_off_runtime(&ctx.wording, url, text.into()).await;
                crate::wording::add(said, hits);
            }
            _ => tracing::debug!(%url, reason = %verdict.reason, "article not read for its text"),
        }
    }
}

/// An article of an official account: `mp.weixin.qq.com/s?__biz=…` or `mp.weixin.qq.com/s/…`.
fn is_wechat_article(url: &Url) -> bool {
    url.host_str() == Some("mp.weixin.qq.com")
        && (url.path() == "/s" || url.path().starts_with("/s/"))
}

/// A menu the API gave. A switched-off menu is shown to nobody, so its buttons are not
/// checked (a broken link in it is no finding); the operator is told.
fn from_api(m: Menu) -> MenuOutcome {
    let mut notes = m.notes;
    let buttons = if m.open == Some(false) {
        if notes.is_empty() {
            notes.push("公众号的自定义菜单未开启（is_menu_open = 0）".to_string());
        }
        Vec::new()
    } else {
        m.buttons
    };
    MenuOutcome {
        source: MenuSource::Api,
        buttons,
        problem: join(notes),
    }
}

/// The saved menu: the source itself (no credentials, `api_refused` is `None`) or the
/// fallback after the API refused for the reason given.
fn from_file(
    account: &Account,
    saved: Option<&String>,
    api_refused: Option<String>,
) -> MenuOutcome {
    let Some(text) = saved else {
        let file = match &account.menu_file {
            Some(p) => format!("保存的菜单文件 {} 在本轮开始时未能读取", p.display()),
            None => "登记表中没有该公众号保存的菜单文件（menu_file）".to_string(),
        };
        let problem = match api_refused {
            Some(why) => format!("{why}；{file}"),
            None => format!(
                "公众号「{}」没有接口凭据（appid + secret_env），{file}：请补充其一",
                account.name
            ),
        };
        return none(problem);
    };
    match menu::parse_text(text) {
        Ok(m) => {
            let (source, mut notes) = match api_refused {
                Some(why) => (
                    MenuSource::FileFallback,
                    vec![format!("{why}；已改用保存的菜单文件")],
                ),
                None => (MenuSource::File, Vec::new()),
            };
            notes.extend(m.notes);
            let buttons = if m.open == Some(false) {
                notes.push("保存的菜单显示自定义菜单未开启（is_menu_open = 0）".to_string());
                Vec::new()
            } else {
                m.buttons
            };
            MenuOutcome {
                source,
                buttons,
                problem: join(notes),
            }
        }
        Err(e) => {
            let file = format!("保存的菜单文件无法使用：{e}");
            none(match api_refused {
                Some(why) => format!("{why}；{file}"),
                None => file,
            })
        }
    }
}

fn none(problem: String) -> MenuOutcome {
    MenuOutcome {
        source: MenuSource::None,
        buttons: Vec::new(),
        problem: Some(problem),
    }
}

fn join(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("；"))
}
