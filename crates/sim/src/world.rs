//! The generated web: every page, item, letter, fault and menu a scenario describes, built
//! once when the simulator starts (the listener ports are part of every absolute URL).
//!
//! The server renders from this model and the ground truth is computed from it, so the two
//! can never disagree.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate};

use crate::generate::{self, TitleKind};
use crate::scenario::{
    Charset, Cms, ColumnFault, ColumnKind, LetterField, LetterLabels, LinkFault, MenuLinkFault,
    Scenario, split_menu_path,
};
use crate::wechat_layout::{API_HOST, MP_HOST};

pub(crate) struct World {
    pub scenario: Scenario,
    pub ip: IpAddr,
    pub port: u16,
    pub sites: Vec<Site>,
    pub columns: Vec<Column>,
    pub accounts: Vec<Account>,
    pub faults: Vec<Fault>,
    pub wx_articles: Vec<WxArticle>,
    /// Host name → what it serves.
    pub hosts: HashMap<String, Host>,
    /// (host, path) → the page served there, besides homepages and list pages.
    pub pages: HashMap<(String, String), PageRef>,
}

#[derive(Default)]
pub(crate) struct Host {
    pub site: Option<usize>,
    /// A platform's display name (a host with columns but no registered homepage).
    pub platform: Option<String>,
    pub columns: Vec<usize>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum PageRef {
    HomeItem { site: usize, item: usize },
    ColumnItem { column: usize, item: usize },
    Letter { column: usize, letter: usize },
    Fault(usize),
    WxArticle(usize),
}

pub(crate) struct Site {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub host: String,
    /// `http://host:port`, with the port the site is reached on (a dead site's own).
    pub base: String,
    pub charset: Charset,
    pub delay: Option<Duration>,
    pub waf: Option<crate::scenario::Waf>,
    pub dead: bool,
    pub persist: bool,
    /// Homepage news, newest first.
    pub items: Vec<Item>,
    pub links_to: Vec<usize>,
    /// (link text, fault index) of the homepage's broken links.
    pub broken: Vec<(String, usize)>,
    pub columns: Vec<usize>,
}

impl Site {
    pub fn url(&self) -> String {
        format!("{}/", self.base)
    }

    /// Unreachable now.
    pub fn is_down(&self, rectified: bool) -> bool {
        self.dead && active(self.persist, rectified)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Variant {
    Js4,
    Js6,
    Ul,
    Table,
    Hanweb,
}

pub(crate) struct Column {
    pub site: usize,
    pub name: String,
    pub kind: ColumnKind,
    pub unit: String,
    pub host: String,
    pub base: String,
    /// The list's directory, ending in `/`.
    pub dir: String,
    /// The column's URL as registered.
    pub url: String,
    pub cms: Cms,
    pub variant: Variant,
    pub charset: Charset,
    pub per_page: usize,
    /// Newest first.
    pub items: Vec<Item>,
    pub fault: Option<ColumnFault>,
    pub persist: bool,
    /// For a stale fault: items after this date are not published yet.
    pub hide_after: Option<NaiveDate>,
    /// Hanweb column id.
    pub cid: u32,
    /// Hanweb unit id.
    pub hanweb_unit: u32,
    pub board: Option<Board>,
}

impl Column {
    pub fn fault_active(&self, rectified: bool) -> Option<ColumnFault> {
        self.fault.filter(|_| active(self.persist, rectified))
    }

    /// The items published now, newest first.
    pub fn visible(&self, rectified: bool) -> &[Item] {
        match self.fault_active(rectified) {
            Some(ColumnFault::Blank) => &[],
            Some(ColumnFault::Stale) => {
                let cut = self.hide_after.unwrap_or(NaiveDate::MAX);
                let skip = self.items.iter().take_while(|i| i.date > cut).count();
                &self.items[skip..]
            }
            None => &self.items,
        }
    }

    pub fn is_visible(&self, item: usize, rectified: bool) -> bool {
        let shown = self.visible(rectified).len();
        item >= self.items.len() - shown && item < self.items.len()
    }

    pub fn item_url(&self, item: &Item) -> String {
        format!("{}{}", self.base, item.path)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub title: String,
    pub date: NaiveDate,
    /// Absolute path on the column's host.
    pub path: String,
}

pub(crate) struct Board {
    pub labels: LetterLabels,
    pub order: Vec<LetterField>,
    /// Newest first.
    pub letters: Vec<Letter>,
}

pub(crate) struct Letter {
    pub title: String,
    pub unit: String,
    /// The unit as the board shows it: its name or an alias.
    pub label: String,
    pub received: NaiveDate,
    pub answered: Option<NaiveDate>,
    pub status: String,
    pub path: String,
    pub sender: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FaultKind {
    NotFound,
    ServerError,
    Soft404,
    RedirectHome,
    Deleted,
    Violation,
    Captcha,
}

impl From<LinkFault> for FaultKind {
    fn from(k: LinkFault) -> Self {
        match k {
            LinkFault::NotFound => FaultKind::NotFound,
            LinkFault::ServerError => FaultKind::ServerError,
            LinkFault::Soft404 => FaultKind::Soft404,
            LinkFault::RedirectHome => FaultKind::RedirectHome,
        }
    }
}

impl From<MenuLinkFault> for FaultKind {
    fn from(k: MenuLinkFault) -> Self {
        match k {
            MenuLinkFault::NotFound => FaultKind::NotFound,
            MenuLinkFault::ServerError => FaultKind::ServerError,
            MenuLinkFault::Soft404 => FaultKind::Soft404,
            MenuLinkFault::RedirectHome => FaultKind::RedirectHome,
            MenuLinkFault::Deleted => FaultKind::Deleted,
            MenuLinkFault::Violation => FaultKind::Violation,
            MenuLinkFault::Captcha => FaultKind::Captcha,
        }
    }
}

/// A URL that answers with a fault while the fault is active, and with an ordinary page
/// (titled `title`) once rectified.
pub(crate) struct Fault {
    pub host: String,
    pub path: String,
    pub kind: FaultKind,
    pub persist: bool,
    pub title: String,
    /// The homepage a redirect-home fault sends to.
    pub home: String,
    pub charset: Charset,
    /// The WeChat article shown once rectified (for faults on the article host).
    pub article: Option<usize>,
}

impl Fault {
    pub fn is_active(&self, rectified: bool) -> bool {
        active(self.persist, rectified)
    }
}

pub(crate) struct WxArticle {
    pub title: String,
    pub account: usize,
    pub date: NaiveDate,
    pub path: String,
}

pub(crate) struct Account {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub appid: String,
    pub secret: String,
    pub secret_env: String,
    pub api_error: Option<i64>,
    pub token_invalid_once: bool,
    pub menu: Vec<TopButton>,
}

pub(crate) struct TopButton {
    pub name: String,
    pub subs: Vec<Button>,
}

pub(crate) enum Button {
    View {
        name: String,
        url: String,
    },
    News {
        name: String,
        media_id: String,
        articles: Vec<usize>,
    },
    Mini {
        name: String,
        url: String,
        appid: String,
        pagepath: String,
    },
    Click {
        name: String,
        key: String,
    },
}

impl Button {
    pub fn name(&self) -> &str {
        match self {
            Button::View { name, .. }
            | Button::News { name, .. }
            | Button::Mini { name, .. }
            | Button::Click { name, .. } => name,
        }
    }
}

/// A fault is in force before rectification, and after it when it persists.
pub(crate) fn active(persist: bool, rectified: bool) -> bool {
    !rectified || persist
}

impl World {
    /// Generates the web. `dead_ports` gives each dead site's reserved port.
    pub fn build(
        scenario: Scenario,
        ip: IpAddr,
        port: u16,
        dead_ports: &HashMap<String, u16>,
    ) -> World {
        let mut w = World {
            scenario,
            ip,
            port,
            sites: Vec::new(),
            columns: Vec::new(),
            accounts: Vec::new(),
            faults: Vec::new(),
            wx_articles: Vec::new(),
            hosts: HashMap::new(),
            pages: HashMap::new(),
        };
        w.hosts.insert(API_HOST.to_string(), Host::default());
        w.hosts.insert(MP_HOST.to_string(), Host::default());
        for p in &w.scenario.platforms {
            w.hosts.insert(
                p.host.clone(),
                Host {
                    platform: Some(p.name.clone()),
                    ..Host::default()
                },
            );
        }
        w.build_sites(dead_ports);
        w.build_columns();
        w.build_site_faults();
        w.build_accounts();
        w
    }

    fn seed(&self) -> u64 {
        self.scenario.meta.seed
    }

    pub fn unit_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.scenario
            .unit(id)
            .map(|u| u.name.as_str())
            .unwrap_or(id)
    }

    /// The unit's full name as its pages sign it (its first alias, else its name).
    pub fn unit_full_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.scenario
            .unit(id)
            .map(|u| u.aliases.first().unwrap_or(&u.name).as_str())
            .unwrap_or(id)
    }

    /// `http://host:port` of a host on the main listener.
    pub fn base(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }

    fn build_sites(&mut self, dead_ports: &HashMap<String, u16>) {
        let as_of = self.scenario.meta.as_of;
        let specs = self.scenario.sites.clone();
        for (si, s) in specs.iter().enumerate() {
            let port = dead_ports.get(&s.id).copied().unwrap_or(self.port);
            let base = format!("http://{}:{port}", s.host);
            let unit_name = self.unit_name(&s.unit).to_string();
            let n = s.homepage_items as usize;
            let titles = generate::titles(
                TitleKind::Homepage,
                &unit_name,
                generate::hash(&[self.seed(), 1, si as u64]),
                n,
            );
            let items: Vec<Item> = titles
                .into_iter()
                .enumerate()
                .map(|(k, title)| {
                    let date = as_of - Days::new(u64::from(s.homepage_newest) + 3 * k as u64);
                    let id = 3_000_000 + si as u64 * 1000 + (n - k) as u64;
                    let path = format!(
                        "/xwzx/{}/t{}_{id}.html",
                        date.format("%Y%m"),
                        date.format("%Y%m%d")
                    );
                    Item { title, date, path }
                })
                .collect();
            for (k, it) in items.iter().enumerate() {
                self.pages.insert(
                    (s.host.clone(), it.path.clone()),
                    PageRef::HomeItem { site: si, item: k },
                );
            }
            let links_to = match &s.links_to {
                Some(ids) => ids
                    .iter()
                    .filter_map(|id| specs.iter().position(|x| x.id == *id))
                    .collect(),
                None if si > 0 => vec![0],
                None => Vec::new(),
            };
            self.hosts.entry(s.host.clone()).or_default().site = Some(si);
            self.sites.push(Site {
                id: s.id.clone(),
                name: s.name.clone(),
                unit: s.unit.clone(),
                host: s.host.clone(),
                base,
                charset: s.charset,
                delay: s.delay,
                waf: s.waf.clone(),
                dead: s.dead,
                persist: s.persist,
                items,
                links_to,
                broken: Vec::new(),
                columns: Vec::new(),
            });
        }
    }

    fn build_columns(&mut self) {
        let (from, to) = self.scenario.meta.window;
        let as_of = self.scenario.meta.as_of;
        let specs = self.scenario.sites.clone();
        let mut ci = 0usize;
        for (si, s) in specs.iter().enumerate() {
            for c in &s.columns {
                let unit = c.unit.clone().unwrap_or_else(|| s.unit.clone());
                let unit_name = self.unit_name(&unit).to_string();
                let host = c.host.clone().unwrap_or_else(|| s.host.clone());
                // Columns on the site's own host are reached like the site (a dead site's
                // columns are dead too); platform hosts are always on the main listener.
                let base = if host == s.host {
                    self.sites[si].base.clone()
                } else {
                    self.base(&host)
                };
                let cid = 4000 + ci as u32 * 3;
                let variant = match (c.cms, c.variant.as_deref()) {
                    (Cms::Hanweb, _) => Variant::Hanweb,
                    (Cms::Trs, Some("js6")) => Variant::Js6,
                    (Cms::Trs, Some(_)) => Variant::Js4,
                    (Cms::Trs, None) if ci % 2 == 1 => Variant::Js6,
                    (Cms::Trs, None) => Variant::Js4,
                    (Cms::Plain, Some("table")) => Variant::Table,
                    (Cms::Plain, Some(_)) => Variant::Ul,
                    (Cms::Plain, None) if ci % 2 == 1 && c.kind != ColumnKind::Letters => {
                        Variant::Table
                    }
                    (Cms::Plain, None) => Variant::Ul,
                };
                let dir = match (c.cms, &c.path) {
                    (Cms::Hanweb, _) => format!("/col/col{cid}/"),
                    (_, Some(p)) => p.clone(),
                    (_, None) => format!("/lm{ci}/"),
                };
                let url = match c.cms {
                    Cms::Hanweb => format!("{base}{dir}index.html"),
                    _ => format!("{base}{dir}"),
                };
                let per_page = c
                    .per_page
                    .unwrap_or(if c.cms == Cms::Hanweb { 15 } else { 20 })
                    as usize;

                let mut dates =
                    generate::spread(c.before, from - Days::new(365), from - Days::new(1));
                dates.extend(generate::spread(c.in_window, from, to));
                if c.after > 0 {
                    dates.extend(generate::spread_to_end(
                        c.after,
                        to + Days::new(1),
                        as_of - Days::new(u64::from(c.newest)),
                    ));
                }
                let tk = match c.kind {
                    ColumnKind::Disclosure => TitleKind::Disclosure,
                    ColumnKind::News => TitleKind::News,
                    ColumnKind::Interview => TitleKind::Interview,
                    ColumnKind::Policy => TitleKind::Policy,
                    _ => TitleKind::Notice,
                };
                let mut items = Vec::new();
                if c.kind != ColumnKind::Letters {
                    let salt = generate::hash(&[self.seed(), 2, ci as u64]);
                    let titles = generate::titles(tk, &unit_name, salt, dates.len());
                    let id0 = 1_000_000 + generate::hash(&[salt]) % 8_000_000;
                    for (k, (date, title)) in dates.iter().zip(titles).enumerate() {
                        let id = id0 + k as u64;
                        let path = match c.cms {
                            Cms::Trs => format!(
                                "{dir}{}/t{}_{id}.html",
                                date.format("%Y%m"),
                                date.format("%Y%m%d")
                            ),
                            Cms::Hanweb => format!(
                                "/art/{}/{}/{}/art_{cid}_{}.html",
                                date.year(),
                                date.month(),
                                date.day(),
                                id % 1_000_000
                            ),
                            Cms::Plain => format!("{dir}content_{id}.html"),
                        };
                        items.push(Item {
                            title,
                            date: *date,
                            path,
                        });
                    }
                    items.reverse();
                    for (k, it) in items.iter().enumerate() {
                        self.pages.insert(
                            (host.clone(), it.path.clone()),
                            PageRef::ColumnItem {
                                column: ci,
                                item: k,
                            },
                        );
                    }
                }
                let board = (c.kind == ColumnKind::Letters).then(|| self.board(ci, c, &dir));
                if let Some(b) = &board {
                    for (k, l) in b.letters.iter().enumerate() {
                        self.pages.insert(
                            (host.clone(), l.path.clone()),
                            PageRef::Letter {
                                column: ci,
                                letter: k,
                            },
                        );
                    }
                }
                let hide_after = (c.fault == Some(ColumnFault::Stale)).then(|| {
                    as_of
                        - Days::new(u64::from(
                            c.stale_days.unwrap_or(c.kind.default_stale_days()),
                        ))
                });
                let charset = c.charset.unwrap_or(s.charset);
                self.hosts.entry(host.clone()).or_default().columns.push(ci);
                self.sites[si].columns.push(ci);
                self.columns.push(Column {
                    site: si,
                    name: c.name.clone(),
                    kind: c.kind,
                    unit,
                    host,
                    base,
                    dir,
                    url,
                    cms: c.cms,
                    variant,
                    charset,
                    per_page,
                    items,
                    fault: c.fault,
                    persist: c.persist,
                    hide_after,
                    cid,
                    hanweb_unit: 50_000 + generate::hash_str(&c.name) as u32 % 10_000,
                    board,
                });
                ci += 1;
            }
        }
    }

    fn board(&self, ci: usize, c: &crate::scenario::Column, dir: &str) -> Board {
        let (from, to) = self.scenario.meta.window;
        let as_of = self.scenario.meta.as_of;
        let replied_words = c
            .replied_status
            .clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["已回复".into(), "已办结".into()]);
        let pending_words = c
            .pending_status
            .clone()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["办理中".into(), "未回复".into()]);
        let mut letters = Vec::new();
        for (k, spec) in c.letters.iter().enumerate() {
            let unit = self.scenario.unit(&spec.unit);
            let name = unit.map(|u| u.name.clone()).unwrap_or_default();
            let alias = unit.and_then(|u| u.aliases.first().cloned());
            // (received, answered?) in ascending order of receipt.
            let mut dated: Vec<(NaiveDate, bool)> = Vec::new();
            let salt = generate::hash(&[self.seed(), 3, ci as u64, k as u64]);
            let (b0, b1) = (from - Days::new(182), from - Days::new(1));
            dated.extend(
                generate::jitter(generate::spread(spec.before, b0, b1), b0, b1, salt ^ 1)
                    .into_iter()
                    .map(|d| (d, true)),
            );
            let replied = spec.replied.unwrap_or(spec.in_window);
            dated.extend(
                generate::jitter(
                    generate::spread(spec.in_window, from, to),
                    from,
                    to,
                    salt ^ 2,
                )
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, (i as u32) < replied)),
            );
            if spec.after > 0 {
                let answered_after = spec.after - spec.pending;
                let (a0, a1) = (to + Days::new(1), as_of - Days::new(1));
                dated.extend(
                    generate::jitter(generate::spread(spec.after, a0, a1), a0, a1, salt ^ 3)
                        .into_iter()
                        .enumerate()
                        .map(|(i, d)| (d, (i as u32) < answered_after)),
                );
            }
            let titles = generate::titles(TitleKind::Letter, "", salt, dated.len());
            for (n, ((received, answered), title)) in dated.into_iter().zip(titles).enumerate() {
                let h = generate::hash(&[salt, n as u64]);
                let answered = answered.then(|| (received + Days::new(1 + h % 7)).min(as_of));
                let label = match &alias {
                    Some(a)
                        if spec.alias_every > 0
                            && n as u32 % spec.alias_every == spec.alias_every - 1 =>
                    {
                        a.clone()
                    }
                    _ => name.clone(),
                };
                let status = if answered.is_some() {
                    replied_words[n % replied_words.len()].clone()
                } else {
                    pending_words[n % pending_words.len()].clone()
                };
                letters.push((
                    h,
                    Letter {
                        title,
                        unit: spec.unit.clone(),
                        label,
                        received,
                        answered,
                        status,
                        path: String::new(),
                        sender: generate::sender(h),
                    },
                ));
            }
        }
        // Newest first; letters of one day in a fixed but mixed order, as boards list them.
        letters.sort_by(|a, b| b.1.received.cmp(&a.1.received).then(a.0.cmp(&b.0)));
        let total = letters.len();
        let letters = letters
            .into_iter()
            .enumerate()
            .map(|(i, (_, mut l))| {
                l.path = format!("{dir}letter_{}.html", 20_000 + total - i);
                l
            })
            .collect();
        Board {
            labels: c.labels.clone().unwrap_or_default(),
            order: c.order.clone().unwrap_or_else(|| {
                vec![
                    LetterField::Title,
                    LetterField::Unit,
                    LetterField::Received,
                    LetterField::Status,
                    LetterField::Replied,
                ]
            }),
            letters,
        }
    }

    fn build_site_faults(&mut self) {
        let specs = self.scenario.sites.clone();
        for (si, s) in specs.iter().enumerate() {
            for b in &s.broken_links {
                let target = b
                    .site
                    .as_ref()
                    .and_then(|id| self.sites.iter().position(|x| x.id == *id))
                    .unwrap_or(si);
                let n = self.faults.len() + 1;
                let (default_text, default_path) = match b.kind {
                    LinkFault::NotFound => ("专题专栏", format!("/ztzl/zt{n}/index.html")),
                    LinkFault::ServerError => ("办事指南", format!("/cms/web/info_{n}.jsp")),
                    LinkFault::Soft404 => ("政策解读", format!("/zcjd/{n}/index.html")),
                    LinkFault::RedirectHome => ("往期回顾", format!("/art/2019/{n}/art_{n}.html")),
                };
                let text = b.text.clone().unwrap_or_else(|| default_text.to_string());
                let path = b.path.clone().unwrap_or(default_path);
                let fi = self.add_fault(Fault {
                    host: self.sites[target].host.clone(),
                    path,
                    kind: b.kind.into(),
                    persist: b.persist,
                    title: text.clone(),
                    home: self.sites[target].url(),
                    charset: self.sites[target].charset,
                    article: None,
                });
                self.sites[si].broken.push((text, fi));
            }
        }
    }

    fn add_fault(&mut self, f: Fault) -> usize {
        let i = self.faults.len();
        self.pages
            .insert((f.host.clone(), f.path.clone()), PageRef::Fault(i));
        self.faults.push(f);
        i
    }

    fn add_wx_article(&mut self, account: usize, title: String, date: NaiveDate) -> usize {
        let i = self.wx_articles.len();
        let path = format!("/s/{}", generate::wx_id(&[self.seed(), 5, i as u64]));
        self.pages
            .insert((MP_HOST.to_string(), path.clone()), PageRef::WxArticle(i));
        self.wx_articles.push(WxArticle {
            title,
            account,
            date,
            path,
        });
        i
    }

    pub fn wx_url(&self, article: &WxArticle) -> String {
        format!("{}{}", self.base(MP_HOST), article.path)
    }

    /// The unit's first site that answers during the spot round, for menu links that must
    /// work.
    fn live_site_of(&self, unit: &str) -> Option<usize> {
        self.sites.iter().position(|s| s.unit == unit && !s.dead)
    }

    fn build_accounts(&mut self) {
        let as_of = self.scenario.meta.as_of;
        let specs = self.scenario.accounts.clone();
        let portal_url = self.sites.first().map(|s| s.url());
        let letters_url = self
            .columns
            .iter()
            .find(|c| c.kind == ColumnKind::Letters && !self.sites[c.site].dead)
            .map(|c| c.url.clone());
        for (ai, a) in specs.iter().enumerate() {
            let seed = generate::hash(&[self.seed(), 4, generate::hash_str(&a.id)]);
            let appid = a
                .appid
                .clone()
                .unwrap_or_else(|| format!("wx{}", generate::hex(&[seed, 1], 16)));
            let secret = a
                .secret
                .clone()
                .unwrap_or_else(|| generate::hex(&[seed, 2], 32));
            let secret_env = a.secret_env.clone().unwrap_or_else(|| {
                format!("WX_SECRET_{}", a.id.to_ascii_uppercase().replace('-', "_"))
            });
            let home = self
                .live_site_of(&a.unit)
                .map(|i| self.sites[i].url())
                .or_else(|| portal_url.clone());
            let disclosure = self
                .columns
                .iter()
                .find(|c| {
                    c.unit == a.unit
                        && c.kind == ColumnKind::Disclosure
                        && c.fault.is_none()
                        && !self.sites[c.site].dead
                })
                .map(|c| c.url.clone())
                .or_else(|| home.clone());
            let service = self
                .live_site_of(&a.unit)
                .and_then(|i| self.sites[i].columns.first().copied())
                .map(|c| self.columns[c].url.clone())
                .or_else(|| home.clone());

            let unit_name = self.unit_name(&a.unit).to_string();
            let titles = generate::titles(TitleKind::News, &unit_name, seed, 2);
            let news: Vec<usize> = titles
                .into_iter()
                .enumerate()
                .map(|(k, t)| self.add_wx_article(ai, t, as_of - Days::new(2 + 5 * k as u64)))
                .collect();

            let mut menu = Vec::new();
            let mut first = Vec::new();
            if let Some(u) = &home {
                first.push(Button::View {
                    name: "工作动态".into(),
                    url: u.clone(),
                });
            }
            if let Some(u) = &disclosure {
                first.push(Button::View {
                    name: "信息公开".into(),
                    url: u.clone(),
                });
            }
            first.push(Button::News {
                name: "权威发布".into(),
                media_id: generate::wx_id(&[seed, 3]),
                articles: news,
            });
            menu.push(TopButton {
                name: "政务公开".into(),
                subs: first,
            });
            let mut second = Vec::new();
            if let Some(u) = &service {
                second.push(Button::View {
                    name: "办事指南".into(),
                    url: u.clone(),
                });
            }
            if let Some(u) = &portal_url {
                second.push(Button::Mini {
                    name: "掌上办事".into(),
                    url: u.clone(),
                    appid: format!("wx{}", generate::hex(&[seed, 4], 16)),
                    pagepath: "pages/index/index".into(),
                });
            }
            menu.push(TopButton {
                name: "办事服务".into(),
                subs: second,
            });
            let mut third = Vec::new();
            if let Some(u) = &letters_url {
                third.push(Button::View {
                    name: "咨询投诉".into(),
                    url: u.clone(),
                });
            }
            third.push(Button::Click {
                name: "联系我们".into(),
                key: format!("CONTACT_{}", a.id.to_ascii_uppercase().replace('-', "_")),
            });
            menu.push(TopButton {
                name: "互动交流".into(),
                subs: third,
            });

            for b in &a.broken {
                let Some((top, sub)) = split_menu_path(&b.menu) else {
                    continue;
                };
                let kind: FaultKind = b.kind.into();
                let n = self.faults.len() + 1;
                let url = match kind {
                    FaultKind::Deleted | FaultKind::Violation | FaultKind::Captcha => {
                        let art = self.add_wx_article(ai, sub.to_string(), as_of - Days::new(40));
                        let path = self.wx_articles[art].path.clone();
                        self.add_fault(Fault {
                            host: MP_HOST.into(),
                            path,
                            kind,
                            persist: b.persist,
                            title: sub.to_string(),
                            home: format!("{}/", self.base(MP_HOST)),
                            charset: Charset::Utf8,
                            article: Some(art),
                        });
                        self.wx_url(&self.wx_articles[art])
                    }
                    _ => {
                        let site = b
                            .site
                            .as_ref()
                            .and_then(|id| self.sites.iter().position(|s| s.id == *id))
                            .or_else(|| self.live_site_of(&a.unit))
                            .unwrap_or(0);
                        let Some(s) = self.sites.get(site) else {
                            continue;
                        };
                        let (host, home, base, charset) =
                            (s.host.clone(), s.url(), s.base.clone(), s.charset);
                        let path = b
                            .path
                            .clone()
                            .unwrap_or_else(|| format!("/bsfw/fw{n}/index.html"));
                        self.add_fault(Fault {
                            host,
                            path: path.clone(),
                            kind,
                            persist: b.persist,
                            title: sub.to_string(),
                            home,
                            charset,
                            article: None,
                        });
                        format!("{base}{path}")
                    }
                };
                let ti = match menu.iter().position(|t| t.name == top) {
                    Some(i) => i,
                    None => {
                        menu.push(TopButton {
                            name: top.to_string(),
                            subs: Vec::new(),
                        });
                        menu.len() - 1
                    }
                };
                let button = Button::View {
                    name: sub.to_string(),
                    url,
                };
                match menu[ti].subs.iter().position(|s| s.name() == sub) {
                    Some(i) => menu[ti].subs[i] = button,
                    None => menu[ti].subs.push(button),
                }
            }

            self.accounts.push(Account {
                id: a.id.clone(),
                name: a.name.clone(),
                unit: a.unit.clone(),
                appid,
                secret,
                secret_env,
                api_error: a.api_error,
                token_invalid_once: a.token_invalid_once,
                menu,
            });
        }
    }

    /// Every host the simulator answers for, sorted.
    pub fn host_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.hosts.keys().cloned().collect();
        v.sort();
        v
    }
}
