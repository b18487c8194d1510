//! A WeChat account: its credentials, how the API treats it, and its broken menu buttons.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    pub unit: String,
    pub name: String,
    /// Derived from the id when absent.
    #[serde(default)]
    pub appid: Option<String>,
    /// Derived from the id when absent.
    #[serde(default)]
    pub secret: Option<String>,
    /// `WX_SECRET_<ID>` when absent.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// The API refuses this account: 40164 (IP not whitelisted, at the token call), 45009
    /// (quota, at the menu calls) or 48001 (unauthorised, at the menu calls).
    #[serde(default)]
    pub api_error: Option<i64>,
    /// The first menu call answers 40001 (token invalid); a fresh token then works.
    #[serde(default)]
    pub token_invalid_once: bool,
    /// Menu buttons whose links are broken.
    #[serde(default)]
    pub broken: Vec<MenuFault>,
}

/// What a broken menu button's link answers while the fault is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MenuLinkFault {
    #[serde(rename = "404")]
    NotFound,
    #[serde(rename = "500")]
    ServerError,
    #[serde(rename = "soft404")]
    Soft404,
    #[serde(rename = "redirect-home")]
    RedirectHome,
    /// A WeChat article: 该内容已被发布者删除.
    #[serde(rename = "deleted")]
    Deleted,
    /// A WeChat article: 此内容因违规无法查看.
    #[serde(rename = "violation")]
    Violation,
    /// A WeChat article behind the 环境异常 captcha: not judgeable, not broken.
    #[serde(rename = "captcha")]
    Captcha,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuFault {
    /// `一级菜单 > 子菜单`; created when the generated menu has no such button.
    pub menu: String,
    pub kind: MenuLinkFault,
    /// For site faults: the site whose host serves the target (the unit's, else the first).
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub persist: bool,
}

/// Error codes the fake API can be told to answer for an account.
pub(crate) const API_ERRORS: [i64; 3] = [40164, 45009, 48001];

/// Splits `一级菜单 > 子菜单`.
pub(crate) fn split_menu_path(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('>')?;
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && !b.is_empty() && !b.contains('>')).then_some((a, b))
}
