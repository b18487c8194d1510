#![doc = include_str!("../README.md")]

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::wechat_layout::{API_HOST, MENU_LAYOUT, MP_HOST};

/// The built-in scenario: 景德镇市, third quarter of 2020, as in the seed notice.
const SEED: &str = include_str!("../scenarios/jdz-2020q4.toml");

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The text is not TOML, or a key has the wrong type or is unknown.
    #[error("scenario is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// The TOML is well-formed but describes an impossible city; one line per problem, each
    /// naming the key path.
    #[error("scenario is inconsistent:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
}

/// A simulated city: units, websites with their columns and faults, WeChat accounts.
///
/// Build it with [`Scenario::from_toml`], [`Scenario::load`] or [`Scenario::seed`]; the
/// format is described in the module documentation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub meta: Meta,
    /// Plan keys merged over the simulator's plan (see [`crate::Sim::plan_toml`]).
    #[serde(default)]
    pub plan: toml::Table,
    #[serde(default)]
    pub units: Vec<Unit>,
    /// Hosts that carry columns of a website but have no homepage of their own in the
    /// registry, such as an information-disclosure platform.
    #[serde(default)]
    pub platforms: Vec<Platform>,
    #[serde(default)]
    pub sites: Vec<Site>,
    #[serde(default)]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The city, printed in reports.
    pub region: String,
    /// The registry's name.
    pub name: String,
    /// The statistics window, `"2020-07-01..2020-09-30"`, inclusive.
    #[serde(deserialize_with = "de_window")]
    pub window: (NaiveDate, NaiveDate),
    /// The check point for freshness.
    #[serde(deserialize_with = "de_date")]
    pub as_of: NaiveDate,
    /// Varies the generated titles and identifiers; the same seed gives the same web.
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub host: String,
    pub name: String,
}

/// How a page's charset is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Charset {
    /// UTF-8, announced in the header and in `<meta>`.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// GBK bytes, `<meta charset="gb2312">`, no charset in the `Content-Type` header.
    #[serde(rename = "gbk-meta")]
    GbkMeta,
    /// GBK bytes, `Content-Type: text/html; charset=GBK`, no charset in the page.
    #[serde(rename = "gbk-header")]
    GbkHeader,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub id: String,
    pub unit: String,
    pub name: String,
    pub host: String,
    #[serde(default)]
    pub charset: Charset,
    /// Dated news items on the homepage.
    #[serde(default = "default_homepage_items")]
    pub homepage_items: u32,
    /// Age in days, at `as_of`, of the newest homepage item.
    #[serde(default = "default_newest")]
    pub homepage_newest: u32,
    /// Sites whose homepages the 友情链接 block links; by default every site but the first
    /// links the first one (the portal).
    #[serde(default)]
    pub links_to: Option<Vec<String>>,
    /// Answer every request to this host only after this long (`"800ms"`, `"3s"`).
    #[serde(default, deserialize_with = "de_opt_duration")]
    pub delay: Option<Duration>,
    /// Unreachable (connection refused) until [`crate::Sim::rectify`].
    #[serde(default)]
    pub dead: bool,
    /// With `dead`: still unreachable after rectification.
    #[serde(default)]
    pub persist: bool,
    /// A web application firewall in front of the host: more requests than its rate and
    /// the client gets HTTP 429 with `Retry-After`.
    #[serde(default)]
    pub waf: Option<Waf>,
    #[serde(default)]
    pub broken_links: Vec<BrokenLink>,
    #[serde(default)]
    pub columns: Vec<Column>,
}

/// A host's request limit, as government WAFs enforce it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waf {
    /// `"N/s"` or `"N/m"`: requests allowed per second or minute.
    #[serde(deserialize_with = "de_rate")]
    pub rate: (u32, Duration),
    /// Seconds announced in `Retry-After`.
    #[serde(default = "default_retry_after")]
    pub retry_after: u32,
}

fn default_retry_after() -> u32 {
    1
}

fn de_rate<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, Duration), D::Error> {
    let s = String::deserialize(d)?;
    let bad = || serde::de::Error::custom(format!("`{s}` is not a rate like \"5/s\" or \"120/m\""));
    let (n, per) = s.split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let per = match per.trim() {
        "s" => Duration::from_secs(1),
        "m" => Duration::from_secs(60),
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    Ok((n, per))
}

fn default_homepage_items() -> u32 {
    10
}
fn default_newest() -> u32 {
    1
}

/// What a broken link's target answers while the fault is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum LinkFault {
    #[serde(rename = "404")]
    NotFound,
    #[serde(rename = "500")]
    ServerError,
    /// HTTP 200 with a page saying 您访问的页面不存在.
    #[serde(rename = "soft404")]
    Soft404,
    /// A deep link that 302-redirects to the homepage.
    #[serde(rename = "redirect-home")]
    RedirectHome,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokenLink {
    pub kind: LinkFault,
    /// The link text on the homepage.
    #[serde(default)]
    pub text: Option<String>,
    /// The target's path; generated when absent.
    #[serde(default)]
    pub path: Option<String>,
    /// The site whose host serves the target; the linking site when absent.
    #[serde(default)]
    pub site: Option<String>,
    /// Still broken after rectification.
    #[serde(default)]
    pub persist: bool,
}

/// Column types, as in the registry contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    News,
    Notice,
    Policy,
    Personnel,
    Plan,
    Interview,
    Letters,
    Disclosure,
    Other,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::News => "news",
            ColumnKind::Notice => "notice",
            ColumnKind::Policy => "policy",
            ColumnKind::Personnel => "personnel",
            ColumnKind::Plan => "plan",
            ColumnKind::Interview => "interview",
            ColumnKind::Letters => "letters",
            ColumnKind::Disclosure => "disclosure",
            ColumnKind::Other => "other",
        }
    }

    /// Days without a new item after which the injected `stale` fault hides items: twice
    /// the national threshold of the type, so the column is clearly stale.
    pub(crate) fn default_stale_days(self) -> u32 {
        match self {
            ColumnKind::Notice | ColumnKind::Policy => 366,
            ColumnKind::Personnel | ColumnKind::Plan => 730,
            _ => 30,
        }
    }
}

/// The CMS family whose list pages a column imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cms {
    /// TRS WCM: `index.html`, `index_N.html`, pagination written by `createPageHTML(...)`.
    Trs,
    /// Hanweb JCMS: records inside `<script type="text/xml">`, more from `dataproxy.jsp`.
    Hanweb,
    /// Ordinary `<ul>` or `<table>` lists with `下一页` links and `?page=N`.
    #[default]
    Plain,
}

/// A fault injected into a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnFault {
    /// The list shows 暂无信息 and no items.
    Blank,
    /// Items newer than `stale_days` before `as_of` are not published yet.
    Stale,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    /// The responsible unit; the site's when absent.
    #[serde(default)]
    pub unit: Option<String>,
    /// The host that serves the column: the site's or a platform's.
    #[serde(default)]
    pub host: Option<String>,
    /// The list's directory (`/gzdt/`); generated when absent. Hanweb columns always live
    /// at `/col/colN/index.html`.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub cms: Cms,
    /// Layout within the family: trs `js4` | `js6` (the four- or six-argument
    /// `createPageHTML`), plain `ul` | `table`; alternates by column when absent.
    #[serde(default)]
    pub variant: Option<String>,
    /// The site's when absent.
    #[serde(default)]
    pub charset: Option<Charset>,
    /// Items per list page (20; hanweb 15).
    #[serde(default)]
    pub per_page: Option<u32>,
    /// Items dated inside the window.
    #[serde(default = "default_in_window")]
    pub in_window: u32,
    /// Items dated in the year before the window.
    #[serde(default = "default_outside")]
    pub before: u32,
    /// Items dated after the window, up to `newest` days before `as_of`.
    #[serde(default = "default_outside")]
    pub after: u32,
    /// Age in days, at `as_of`, of the newest item when `after` > 0.
    #[serde(default = "default_newest")]
    pub newest: u32,
    #[serde(default)]
    pub fault: Option<ColumnFault>,
    /// For `fault = "stale"`: how many days before `as_of` the list stops.
    #[serde(default)]
    pub stale_days: Option<u32>,
    /// The fault survives rectification.
    #[serde(default)]
    pub persist: bool,
    /// Letters boards only: the header labels.
    #[serde(default)]
    pub labels: Option<LetterLabels>,
    /// Letters boards only: the order of the table's columns.
    #[serde(default)]
    pub order: Option<Vec<LetterField>>,
    /// Letters boards only: status words of answered letters, used in turn.
    #[serde(default)]
    pub replied_status: Option<Vec<String>>,
    /// Letters boards only: status words of letters still open, used in turn.
    #[serde(default)]
    pub pending_status: Option<Vec<String>>,
    /// Letters boards only: the letters, per handling unit.
    #[serde(default)]
    pub letters: Vec<LetterSpec>,
}

fn default_in_window() -> u32 {
    6
}
fn default_outside() -> u32 {
    4
}

/// Header labels of a letters board.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterLabels {
    #[serde(default = "l_title")]
    pub title: String,
    #[serde(default = "l_unit")]
    pub unit: String,
    #[serde(default = "l_received")]
    pub received: String,
    #[serde(default = "l_status")]
    pub status: String,
    #[serde(default = "l_replied")]
    pub replied: String,
}

fn l_title() -> String {
    "标题".into()
}
fn l_unit() -> String {
    "办理单位".into()
}
fn l_received() -> String {
    "留言时间".into()
}
fn l_status() -> String {
    "办理状态".into()
}
fn l_replied() -> String {
    "回复时间".into()
}

impl Default for LetterLabels {
    fn default() -> Self {
        LetterLabels {
            title: l_title(),
            unit: l_unit(),
            received: l_received(),
            status: l_status(),
            replied: l_replied(),
        }
    }
}

/// A column of a letters board table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LetterField {
    Title,
    Unit,
    Received,
    Status,
    Replied,
}

/// The letters one handling unit receives on a board.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterSpec {
    pub unit: String,
    /// Received inside the window.
    pub in_window: u32,
    /// Of those, answered; all when absent. The unanswered ones are the newest.
    #[serde(default)]
    pub replied: Option<u32>,
    /// Received in the half year before the window, all answered.
    #[serde(default)]
    pub before: u32,
    /// Received after the window, up to the day before `as_of`.
    #[serde(default)]
    pub after: u32,
    /// Of the `after` letters, the newest ones still open.
    #[serde(default)]
    pub pending: u32,
    /// Every n-th row names the unit by its first alias (0: never).
    #[serde(default = "default_alias_every")]
    pub alias_every: u32,
}

fn default_alias_every() -> u32 {
    3
}

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

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text)?;
        s.validate()?;
        Ok(s)
    }

    /// Reads a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_toml(&text)
    }

    /// The built-in scenario: the seed notice's city and quarter (景德镇市, 2020 Q3 window,
    /// checked on 2020-12-17).
    pub fn seed() -> Scenario {
        // The file is part of the crate and a unit test parses it, so failure is a build bug.
        Scenario::from_toml(SEED).expect("the built-in scenario is valid")
    }

    /// The built-in scenario's text, for operators who want a starting point.
    pub fn seed_text() -> &'static str {
        SEED
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// Checks that the scenario describes a possible city (run by the constructors and by
    /// [`crate::Sim::start`], for scenarios built in code).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut errs = Vec::new();
        let (from, to) = self.meta.window;
        if from > to {
            errs.push(format!("meta.window: {from} is after {to}"));
        }
        if self.meta.as_of < to {
            errs.push(format!(
                "meta.as_of: {} is before the window ends ({to})",
                self.meta.as_of
            ));
        }
        if self.meta.region.trim().is_empty() {
            errs.push("meta.region: must not be empty".into());
        }

        let mut unit_ids = HashSet::new();
        let mut names: HashMap<&str, &str> = HashMap::new();
        for (i, u) in self.units.iter().enumerate() {
            if !valid_id(&u.id) {
                errs.push(format!("units[{i}].id: `{}` must match [a-z0-9_-]+", u.id));
            }
            if !unit_ids.insert(u.id.as_str()) {
                errs.push(format!("units[{i}].id: duplicate unit id `{}`", u.id));
            }
            for n in std::iter::once(&u.name).chain(&u.aliases) {
                if let Some(other) = names.insert(n.as_str(), u.id.as_str()) {
                    if other != u.id {
                        errs.push(format!(
                            "units[{i}]: name `{n}` already names unit `{other}`"
                        ));
                    }
                }
            }
        }
        let unit_ok = |p: String, id: &str, errs: &mut Vec<String>| {
            if !unit_ids.contains(id) {
                errs.push(format!("{p}: unit `{id}` is not defined in [[units]]"));
            }
        };

        let mut hosts: HashSet<&str> = HashSet::new();
        let reserved = [API_HOST, MP_HOST];
        let host_ok = |p: String, h: &str, errs: &mut Vec<String>| {
            let ok = !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
            if !ok {
                errs.push(format!("{p}: host `{h}` must be a lowercase host name"));
            }
            if reserved.contains(&h) {
                errs.push(format!("{p}: host `{h}` is the simulated WeChat's"));
            }
        };
        for (i, p) in self.platforms.iter().enumerate() {
            host_ok(format!("platforms[{i}].host"), &p.host, &mut errs);
            if !hosts.insert(p.host.as_str()) {
                errs.push(format!("platforms[{i}].host: duplicate host `{}`", p.host));
            }
        }
        let mut site_ids = HashSet::new();
        for (i, s) in self.sites.iter().enumerate() {
            host_ok(format!("sites[{i}].host"), &s.host, &mut errs);
            if !hosts.insert(s.host.as_str()) {
                errs.push(format!("sites[{i}].host: duplicate host `{}`", s.host));
            }
            if !valid_id(&s.id) {
                errs.push(format!("sites[{i}].id: `{}` must match [a-z0-9_-]+", s.id));
            }
            if !site_ids.insert(s.id.as_str()) {
                errs.push(format!("sites[{i}].id: duplicate site id `{}`", s.id));
            }
        }
        let platform_hosts: HashSet<&str> =
            self.platforms.iter().map(|p| p.host.as_str()).collect();
        let mut paths: HashSet<(String, String)> = HashSet::new();
        for (i, s) in self.sites.iter().enumerate() {
            let p = format!("sites[{i}]");
            unit_ok(format!("{p}.unit"), &s.unit, &mut errs);
            if s.persist && !s.dead {
                errs.push(format!("{p}.persist: only a dead site can persist"));
            }
            if s.homepage_items == 0 {
                errs.push(format!(
                    "{p}.homepage_items: a homepage needs at least one item"
                ));
            }
            for l in s.links_to.iter().flatten() {
                if !site_ids.contains(l.as_str()) {
                    errs.push(format!("{p}.links_to: no site `{l}`"));
                }
            }
            for (j, b) in s.broken_links.iter().enumerate() {
                if let Some(t) = &b.site {
                    if !site_ids.contains(t.as_str()) {
                        errs.push(format!("{p}.broken_links[{j}].site: no site `{t}`"));
                    }
                }
                if let Some(path) = &b.path {
                    check_path(format!("{p}.broken_links[{j}].path"), path, &mut errs);
                }
            }
            for (j, c) in s.columns.iter().enumerate() {
                let cp = format!("{p}.columns[{j}]");
                self.validate_column(&cp, s, c, &platform_hosts, &mut errs);
                if let Some(u) = &c.unit {
                    unit_ok(format!("{cp}.unit"), u, &mut errs);
                }
                for (k, l) in c.letters.iter().enumerate() {
                    unit_ok(format!("{cp}.letters[{k}].unit"), &l.unit, &mut errs);
                }
                if c.cms != Cms::Hanweb {
                    let host = c.host.clone().unwrap_or_else(|| s.host.clone());
                    if let Some(path) = &c.path {
                        if !paths.insert((host.clone(), path.clone())) {
                            errs.push(format!("{cp}.path: `{path}` is used twice on {host}"));
                        }
                    }
                }
            }
        }

        let mut account_ids = HashSet::new();
        let mut appids = HashSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let p = format!("accounts[{i}]");
            if !valid_id(&a.id) {
                errs.push(format!("{p}.id: `{}` must match [a-z0-9_-]+", a.id));
            }
            if !account_ids.insert(a.id.as_str()) {
                errs.push(format!("{p}.id: duplicate account id `{}`", a.id));
            }
            if let Some(appid) = &a.appid {
                if !appids.insert(appid.as_str()) {
                    errs.push(format!("{p}.appid: `{appid}` is used twice"));
                }
            }
            unit_ok(format!("{p}.unit"), &a.unit, &mut errs);
            if let Some(code) = a.api_error {
                if !API_ERRORS.contains(&code) {
                    errs.push(format!(
                        "{p}.api_error: {code} is not one of {API_ERRORS:?}"
                    ));
                }
            }
            if let Some(env) = &a.secret_env {
                if env.is_empty() || !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    errs.push(format!("{p}.secret_env: `{env}` is not a variable name"));
                }
            }
            let mut menu: Vec<(String, Vec<String>)> = MENU_LAYOUT
                .iter()
                .map(|(t, subs)| (t.to_string(), subs.iter().map(|x| x.to_string()).collect()))
                .collect();
            for b in &a.broken {
                if let Some((top, sub)) = split_menu_path(&b.menu) {
                    let i = match menu.iter().position(|(t, _)| t == top) {
                        Some(i) => i,
                        None => {
                            menu.push((top.to_string(), Vec::new()));
                            menu.len() - 1
                        }
                    };
                    if !menu[i].1.iter().any(|x| x == sub) {
                        menu[i].1.push(sub.to_string());
                    }
                }
            }
            if menu.len() > 3 || menu.iter().any(|(_, subs)| subs.len() > 5) {
                errs.push(format!(
                    "{p}.broken: WeChat menus have at most 3 top buttons of at most 5 sub-buttons; the generated menu is {:?}",
                    MENU_LAYOUT
                ));
            }
            for (j, b) in a.broken.iter().enumerate() {
                let bp = format!("{p}.broken[{j}]");
                match split_menu_path(&b.menu) {
                    Some((top, sub)) if top.chars().count() <= 8 && sub.chars().count() <= 16 => {}
                    Some(_) => errs.push(format!(
                        "{bp}.menu: WeChat allows 8 characters in a top button, 16 in a sub button"
                    )),
                    None => errs.push(format!(
                        "{bp}.menu: `{}` must read `一级菜单 > 子菜单`",
                        b.menu
                    )),
                }
                if let Some(t) = &b.site {
                    if !site_ids.contains(t.as_str()) {
                        errs.push(format!("{bp}.site: no site `{t}`"));
                    }
                }
                if let Some(path) = &b.path {
                    check_path(format!("{bp}.path"), path, &mut errs);
                }
            }
        }

        if errs.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(errs))
        }
    }

    fn validate_column(
        &self,
        p: &str,
        site: &Site,
        c: &Column,
        platforms: &HashSet<&str>,
        errs: &mut Vec<String>,
    ) {
        if let Some(h) = &c.host {
            if *h != site.host && !platforms.contains(h.as_str()) {
                errs.push(format!(
                    "{p}.host: `{h}` is neither the site's host nor a [[platforms]] host"
                ));
            }
        }
        if c.cms == Cms::Hanweb && c.path.is_some() {
            errs.push(format!(
                "{p}.path: Hanweb columns live at /col/colN/index.html; remove `path`"
            ));
        }
        if let Some(path) = &c.path {
            check_path(format!("{p}.path"), path, errs);
            if !path.ends_with('/') {
                errs.push(format!(
                    "{p}.path: `{path}` must name a directory (end with /)"
                ));
            }
            if path == "/" {
                errs.push(format!("{p}.path: `/` is the homepage"));
            }
        }
        if c.per_page == Some(0) {
            errs.push(format!("{p}.per_page: must be at least 1"));
        }
        if let Some(v) = &c.variant {
            let ok = match c.cms {
                Cms::Trs => v == "js4" || v == "js6",
                Cms::Plain => v == "ul" || v == "table",
                Cms::Hanweb => false,
            };
            if !ok {
                errs.push(format!(
                    "{p}.variant: `{v}` does not apply (trs: js4 | js6; plain: ul | table)"
                ));
            }
        }
        let (_, to) = self.meta.window;
        let letters = c.kind == ColumnKind::Letters;
        if letters {
            if c.cms != Cms::Plain {
                errs.push(format!("{p}.cms: a letters board is a plain table"));
            }
            if c.fault.is_some() {
                errs.push(format!("{p}.fault: letters boards take no column fault"));
            }
            if let Some(order) = &c.order {
                let set: HashSet<_> = order.iter().collect();
                if set.len() != 5 || order.len() != 5 {
                    errs.push(format!(
                        "{p}.order: name each of title, unit, received, status, replied once"
                    ));
                }
            }
            for (k, l) in c.letters.iter().enumerate() {
                if l.replied.is_some_and(|r| r > l.in_window) {
                    errs.push(format!("{p}.letters[{k}].replied: more than in_window"));
                }
                if l.pending > l.after {
                    errs.push(format!("{p}.letters[{k}].pending: more than after"));
                }
                if l.after > 0 && self.meta.as_of <= to + chrono::Days::new(1) {
                    errs.push(format!(
                        "{p}.letters[{k}].after: no day between the window and as_of"
                    ));
                }
            }
        } else {
            let letters_only = c.labels.is_some()
                || c.order.is_some()
                || c.replied_status.is_some()
                || c.pending_status.is_some()
                || !c.letters.is_empty();
            if letters_only {
                errs.push(format!(
                    "{p}: labels, order, replied_status, pending_status and letters belong to type = \"letters\""
                ));
            }
            if c.after > 0 {
                let last = self.meta.as_of - chrono::Days::new(u64::from(c.newest));
                if last <= to {
                    errs.push(format!(
                        "{p}.newest: {} days before as_of is inside the window; `after` items need later dates",
                        c.newest
                    ));
                }
            }
        }
        if c.stale_days.is_some() && c.fault != Some(ColumnFault::Stale) {
            errs.push(format!("{p}.stale_days: only with fault = \"stale\""));
        }
        if c.persist && c.fault.is_none() {
            errs.push(format!("{p}.persist: the column has no fault"));
        }
    }
}

/// Splits `一级菜单 > 子菜单`.
pub(crate) fn split_menu_path(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('>')?;
    let (a, b) = (a.trim(), b.trim());
    (!a.is_empty() && !b.is_empty() && !b.contains('>')).then_some((a, b))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn check_path(p: String, path: &str, errs: &mut Vec<String>) {
    let ok = path.starts_with('/')
        && !path.contains("..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c));
    if !ok {
        errs.push(format!(
            "{p}: `{path}` must start with / and use only [A-Za-z0-9/._-]"
        ));
    }
}

/// A date written as a string or a bare TOML date.
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let v = toml::Value::deserialize(d)?;
    let s = match v {
        toml::Value::String(s) => s,
        toml::Value::Datetime(dt) => dt.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a date like \"2020-12-17\", found {other}"
            )));
        }
    };
    parse_date(&s).map_err(serde::de::Error::custom)
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2020-12-17"))
}

fn de_window<'de, D: Deserializer<'de>>(d: D) -> Result<(NaiveDate, NaiveDate), D::Error> {
    let s = String::deserialize(d)?;
    let (a, b) = s.split_once("..").ok_or_else(|| {
        serde::de::Error::custom(format!("`{s}` is not a window like 2020-07-01..2020-09-30"))
    })?;
    Ok((
        parse_date(a).map_err(serde::de::Error::custom)?,
        parse_date(b).map_err(serde::de::Error::custom)?,
    ))
}

fn de_opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `"800ms"`, `"2s"`, `"1.5s"`, `"1m"`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("`{s}` has no unit; write e.g. \"800ms\" or \"2s\""))?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like \"800ms\""))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("`{s}`: use ms, s or m")),
    };
    if !(0.0..=3600.0).contains(&secs) {
        return Err(format!("`{s}` is out of range (at most an hour)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Charset::Utf8 => "utf-8",
            Charset::GbkMeta => "gbk-meta",
            Charset::GbkHeader => "gbk-header",
        })
    }
}
