//! The registry: who is checked — units, their websites and columns, their accounts.
//!
//! Parsed from the operator's `registry.toml` (see the registry contract). Unknown keys are
//! refused (a typo must not silently switch a check off), and every reference, id, URL and CSS
//! selector is validated with the file, line, column and key of the problem — as is every
//! target the round's SSRF guard would refuse (see [`crate::targets`]), unless private targets
//! are allowed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

pub use crate::addresses::Addresses;
use crate::config_error::{ConfigError, ConfigErrors, KeyPath, Source};
use crate::plan::notify::{is_email_address, is_env_name};
pub use crate::selectors::Selectors;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub meta: Meta,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub wechat: WechatApi,
    #[serde(default)]
    pub units: Vec<Unit>,
    #[serde(default)]
    pub websites: Vec<Website>,
    #[serde(default)]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Printed in reports: the city or province.
    pub region: String,
    pub name: String,
}

/// Network settings of a deployment (an extension of the contract).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Permit targets on loopback and private ranges (refused by default).
    #[serde(default)]
    pub allow_private: bool,
    /// Host name → address overrides, like curl's `--resolve`: for intranets whose names the
    /// workers' DNS does not know, and for the simulated city. An entry gives one address or
    /// a list (an IPv4 and an IPv6 one, as A and AAAA records would).
    #[serde(default)]
    pub resolve: BTreeMap<String, Addresses>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatApi {
    #[serde(default = "default_api_base")]
    pub api_base: Url,
}

impl Default for WechatApi {
    fn default() -> Self {
        WechatApi {
            api_base: default_api_base(),
        }
    }
}

fn default_api_base() -> Url {
    Url::parse("https://api.weixin.qq.com").expect("constant URL")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    /// The name used in every report.
    pub name: String,
    /// Other names seen on pages (letters boards, lists).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The unit's leaders: a leader's name written with one wrong character right after the
    /// title (`市长张山` for 市长张三) is a serious wording error.
    #[serde(default)]
    pub leaders: Vec<Leader>,
    /// Where the unit's 整改通知单 is mailed (with `[notify.email]` in the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The unit's contact person, named in the mail that carries its 整改通知单.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// A leader as pages name them: the title, then the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    pub name: String,
    pub title: String,
}

/// Names shorter than this are too short to tell a misspelling from another name.
const LEADER_NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Website {
    pub id: String,
    pub unit: String,
    pub name: String,
    /// The homepage.
    pub url: Url,
    /// 网站标识码: the site's code in the national 政府网站信息报送系统, kept so that a
    /// registry imported from that system's sheets can be written back to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    pub url: Url,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// The unit responsible for this column; the site's unit when absent.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub selectors: Option<Selectors>,
}

/// What a column publishes; decides its freshness threshold and which figures it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ColumnType {
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

impl ColumnType {
    /// The name the registry gives the type (`news`, `disclosure`, ...).
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Wechat,
    Weibo,
    Douyin,
    Toutiao,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    pub unit: String,
    pub platform: Platform,
    pub name: String,
    #[serde(default)]
    pub appid: Option<String>,
    /// The name of the environment variable that holds the secret; never the secret itself.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// A saved menu (the API's JSON); relative paths are resolved against the registry's folder.
    #[serde(default)]
    pub menu_file: Option<PathBuf>,
}

impl Account {
    /// Only WeChat accounts can be read; the others are registered but not checked.
    pub fn checkable(&self) -> bool {
        self.platform == Platform::Wechat
    }
}

impl Registry {
    /// Reads and validates a registry file; private targets are allowed only by its own
    /// `[network] allow_private`.
    pub fn load(path: &Path) -> Result<Registry, ConfigErrors> {
        Registry::load_with(path, false)
    }

    /// Like [`Registry::load`]; `allow_private` is the operator's `--allow-private`, which
    /// allows private targets whatever the registry says.
    pub fn load_with(path: &Path, allow_private: bool) -> Result<Registry, ConfigErrors> {
        crate::config_file::load(path, "registry", |text, path| {
            Registry::parse_with(text, path, allow_private)
        })
    }

    /// Parses and validates registry text; `path` names the file in errors and anchors
    /// relative `menu_file`s.
    pub fn parse(text: &str, path: &Path) -> Result<Registry, ConfigErrors> {
        Registry::parse_with(text, path, false)
    }

    /// Like [`Registry::parse`], with the operator's `--allow-private`.
    pub fn parse_with(
        text: &str,
        path: &Path,
        allow_private: bool,
    ) -> Result<Registry, ConfigErrors> {
        let source = Source::new(path, text);
        let mut reg: Registry =
            toml::from_str(text).map_err(|e| ConfigErrors(vec![source.from_toml(&e)]))?;
        let errors = reg.validate(&source);
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        for a in &mut reg.accounts {
            if let Some(f) = &a.menu_file {
                if f.is_relative() {
                    a.menu_file = Some(dir.join(f));
                }
            }
        }
        if !(allow_private || reg.network.allow_private) {
            let refused = crate::targets::check(&reg, &source);
            if !refused.is_empty() {
                return Err(ConfigErrors(refused));
            }
        }
        Ok(reg)
    }

    fn validate(&self, src: &Source) -> Vec<ConfigError> {
        let mut errs = Vec::new();
        let root = KeyPath::default();
        if self.meta.region.trim().is_empty() {
            errs.push(src.error_at(&root.key("meta").key("region"), "must not be empty"));
        }
        check_http(
            src,
            &root.key("wechat").key("api_base"),
            &self.wechat.api_base,
            &mut errs,
        );

        let units = root.key("units");
        let mut unit_ids = HashSet::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (i, u) in self.units.iter().enumerate() {
            let p = units.index(i);
            check_id(src, &p.key("id"), &u.id, &mut errs);
            if !unit_ids.insert(u.id.as_str()) {
                errs.push(src.error_at(&p.key("id"), format!("duplicate unit id `{}`", u.id)));
            }
            if u.name.trim().is_empty() {
                errs.push(src.error_at(&p.key("name"), "must not be empty"));
            }
            for (j, l) in u.leaders.iter().enumerate() {
                let lp = p.key("leaders").index(j);
                if !LEADER_NAME_CHARS.contains(&l.name.trim().chars().count()) {
                    errs.push(src.error_at(
                        &lp.key("name"),
                        format!("`{}`: a leader's name has 2 to 8 characters", l.name),
                    ));
                }
                if l.title.trim().is_empty() {
                    errs.push(src.error_at(&lp.key("title"), "must not be empty"));
                }
            }
            if let Some(e) = u.email.as_deref().filter(|e| !is_email_address(e)) {
                errs.push(src.error_at(&p.key("email"), format!("`{e}` is not an email address")));
            }
            let all = std::iter::once((&u.name, p.key("name"))).chain(
                u.aliases
                    .iter()
                    .enumerate()
                    .map(|(j, a)| (a, p.key("aliases").index(j))),
            );
            for (n, np) in all {
                match names.get(n.as_str()) {
                    Some(&other) if other != i => errs.push(src.error_at(
                        &np,
                        format!(
                            "`{n}` already names unit `{}`; names and aliases must be unique",
                            self.units[other].id
                        ),
                    )),
                    _ => {
                        names.insert(n.as_str(), i);
                    }
                }
            }
        }
        let unit_ref = |p: &KeyPath, id: &str, errs: &mut Vec<ConfigError>| {
            if !unit_ids.contains(id) {
                errs.push(src.error_at(p, format!("unit `{id}` is not defined in [[units]]")));
            }
        };

        let sites = root.key("websites");
        let mut site_ids = HashSet::new();
        for (i, w) in self.websites.iter().enumerate() {
            let p = sites.index(i);
            check_id(src, &p.key("id"), &w.id, &mut errs);
            if !site_ids.insert(w.id.as_str()) {
                errs.push(src.error_at(&p.key("id"), format!("duplicate website id `{}`", w.id)));
            }
            unit_ref(&p.key("unit"), &w.unit, &mut errs);
            check_http(src, &p.key("url"), &w.url, &mut errs);
            for (j, c) in w.columns.iter().enumerate() {
                let cp = p.key("columns").index(j);
                check_http(src, &cp.key("url"), &c.url, &mut errs);
                if let Some(u) = &c.unit {
                    unit_ref(&cp.key("unit"), u, &mut errs);
                }
            }
        }

        let accounts = root.key("accounts");
        let mut account_ids = HashSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let p = accounts.index(i);
            check_id(src, &p.key("id"), &a.id, &mut errs);
            if !account_ids.insert(a.id.as_str()) {
                errs.push(src.error_at(&p.key("id"), format!("duplicate account id `{}`", a.id)));
            }
            unit_ref(&p.key("unit"), &a.unit, &mut errs);
            if a.appid.is_some() != a.secret_env.is_some() {
                errs.push(src.error_at(
                    &p.key(if a.appid.is_some() {
                        "appid"
                    } else {
                        "secret_env"
                    }),
                    "`appid` and `secret_env` go together: give both, or neither and a `menu_file`",
                ));
            } else if a.checkable() && a.appid.is_none() && a.menu_file.is_none() {
                errs.push(src.error_at(
                    &p,
                    format!(
                        "account `{}` needs `appid` + `secret_env` or a `menu_file`",
                        a.id
                    ),
                ));
            }
            if let Some(env) = &a.secret_env {
                if !is_env_name(env) {
                    errs.push(src.error_at(
                        &p.key("secret_env"),
                        "must name an environment variable ([A-Za-z0-9_]+), not hold the secret",
                    ));
                }
            }
        }
        errs
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The report name of a unit id (the id itself if it is unknown, which validation prevents).
    pub fn unit_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.unit(id).map(|u| u.name.as_str()).unwrap_or(id)
    }

    pub fn website(&self, id: &str) -> Option<&Website> {
        self.websites.iter().find(|w| w.id == id)
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The unit id a name seen on a page refers to, by name or alias.
    pub fn unit_by_label(&self, label: &str) -> Option<&Unit> {
        let label = label.trim();
        self.units
            .iter()
            .find(|u| u.name == label || u.aliases.iter().any(|a| a == label))
    }
}

impl Column {
    /// The responsible unit: the column's own, or the site's.
    pub fn unit_or<'a>(&'a self, site: &'a Website) -> &'a str {
        self.unit.as_deref().unwrap_or(&site.unit)
    }
}

fn check_id(src: &Source, p: &KeyPath, id: &str, errs: &mut Vec<ConfigError>) {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        errs.push(src.error_at(p, format!("id `{id}` must match [a-z0-9_-]+")));
    }
}

fn check_http(src: &Source, p: &KeyPath, url: &Url, errs: &mut Vec<ConfigError>) {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        errs.push(src.error_at(p, format!("`{url}` must be an http(s) URL with a host")));
    }
}
