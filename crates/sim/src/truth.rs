//! The ground truth: what the simulated web serves right now, computed from the generated
//! content and from the same routing the server uses (never a second, hand-typed copy).
//!
//! Tests compare a round's report against it: registered sites and accounts, every column's
//! items, every letter, the interviews, and the faults in force (unreachable sites, broken
//! links with the pages that link them, blank and stale columns, broken menu buttons).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use regex::Regex;
use url::Url;

use crate::render::{Tag, decode};
use crate::scenario::ColumnFault;
use crate::world::{self, Button, World};

/// Everything served, in scenario order.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub window: (NaiveDate, NaiveDate),
    pub as_of: NaiveDate,
    /// Whether [`crate::Sim::rectify`] has been called.
    pub rectified: bool,
    pub websites: Vec<SiteTruth>,
    pub accounts: Vec<AccountTruth>,
    pub columns: Vec<ColumnTruth>,
    /// Every letter of every letters board, newest first per board.
    pub letters: Vec<LetterTruth>,
    /// One entry per interview column.
    pub interviews: Vec<InterviewTruth>,
    pub unreachable: Vec<UnitTarget>,
    /// Links on homepages and on the same-host pages they link (depth 1) whose target does
    /// not work, each with every page that links it.
    pub broken_links: Vec<BrokenLink>,
    /// Links whose target cannot be judged (WeChat's captcha): not broken.
    pub unjudgeable_links: Vec<BrokenLink>,
    pub blank_columns: Vec<UnitTarget>,
    pub stale_columns: Vec<StaleColumn>,
    /// Broken link-carrying buttons of the menus the API lets a client read.
    pub broken_menu_links: Vec<MenuLink>,
    pub unjudgeable_menu_links: Vec<MenuLink>,
    /// Accounts whose menu cannot be read through the API, with the error code.
    pub unavailable_accounts: Vec<(AccountTruth, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteTruth {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub unit_name: String,
    /// The homepage as registered.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountTruth {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub unit_name: String,
    pub appid: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnTruth {
    /// The website the column is registered under.
    pub site: String,
    pub name: String,
    pub url: String,
    /// The registry type: `news`, `disclosure`, `interview`, `letters` ...
    pub kind: String,
    pub unit: String,
    pub unit_name: String,
    /// `trs`, `hanweb` or `plain`.
    pub cms: String,
    /// `utf-8`, `gbk-meta` or `gbk-header`.
    pub charset: String,
    /// The items listed now, newest first (none for letters boards: see `letters`).
    pub items: Vec<ItemTruth>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemTruth {
    pub title: String,
    pub date: NaiveDate,
    /// Absolute URL of the article.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetterTruth {
    /// The board's URL.
    pub board: String,
    pub title: String,
    pub url: String,
    /// The handling unit as the board shows it (a name or an alias).
    pub label: String,
    pub unit: String,
    pub unit_name: String,
    pub received: NaiveDate,
    pub replied: bool,
    pub answered: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InterviewTruth {
    pub unit: String,
    pub unit_name: String,
    pub column: String,
    /// Dates of the interviews listed, newest first.
    pub dates: Vec<NaiveDate>,
    /// How many fall inside the window.
    pub in_window: usize,
}

/// A site or column at fault, with its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTarget {
    pub name: String,
    pub unit: String,
    pub unit_name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaleColumn {
    pub column: UnitTarget,
    /// The newest item listed.
    pub newest: Option<NaiveDate>,
}

/// What is wrong with a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    /// HTTP 404.
    NotFound,
    /// HTTP 5xx.
    ServerError,
    /// HTTP 200 saying the page does not exist.
    Soft404,
    /// A deep link redirected to the homepage.
    RedirectHome,
    /// Connection refused (or an unknown host).
    Unreachable,
    /// A WeChat article deleted by its publisher.
    Deleted,
    /// A WeChat article blocked for a violation.
    Violation,
    /// WeChat's captcha: unjudgeable.
    Captcha,
}

impl LinkKind {
    /// The scenario's name of the kind (`404`, `500`, `soft404`, `redirect-home`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::NotFound => "404",
            LinkKind::ServerError => "500",
            LinkKind::Soft404 => "soft404",
            LinkKind::RedirectHome => "redirect-home",
            LinkKind::Unreachable => "unreachable",
            LinkKind::Deleted => "deleted",
            LinkKind::Violation => "violation",
            LinkKind::Captcha => "captcha",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLink {
    pub url: String,
    /// The pages that link it, sorted.
    pub pages: Vec<String>,
    pub kind: LinkKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuLink {
    pub account: String,
    pub account_name: String,
    pub unit: String,
    pub unit_name: String,
    /// `一级菜单 > 子菜单`.
    pub menu_path: String,
    pub url: String,
    pub kind: LinkKind,
}

/// Received and replied letters of one handling unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCount {
    pub unit: String,
    pub unit_name: String,
    pub received: usize,
    pub replied: usize,
}

impl Truth {
    /// Items dated inside the window on each unit's disclosure columns, for every unit that
    /// owns one; count descending, then by first appearance.
    pub fn updates_in_window(&self) -> Vec<(String, usize)> {
        let mut order: Vec<String> = Vec::new();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for c in self.columns.iter().filter(|c| c.kind == "disclosure") {
            if !counts.contains_key(&c.unit_name) {
                order.push(c.unit_name.clone());
            }
            let n = c.items.iter().filter(|i| self.in_window(i.date)).count();
            *counts.entry(c.unit_name.clone()).or_insert(0) += n;
        }
        let mut v: Vec<(String, usize)> = order
            .into_iter()
            .map(|u| {
                let n = counts.get(&u).copied().unwrap_or(0);
                (u, n)
            })
            .collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        v
    }

    /// Letters received inside the window per handling unit; received descending, then by
    /// first appearance.
    pub fn letters_in_window(&self) -> Vec<LetterCount> {
        let mut v: Vec<LetterCount> = Vec::new();
        for l in self.letters.iter().filter(|l| self.in_window(l.received)) {
            let i = match v.iter().position(|c| c.unit == l.unit) {
                Some(i) => i,
                None => {
                    v.push(LetterCount {
                        unit: l.unit.clone(),
                        unit_name: l.unit_name.clone(),
                        received: 0,
                        replied: 0,
                    });
                    v.len() - 1
                }
            };
            v[i].received += 1;
            if l.replied {
                v[i].replied += 1;
            }
        }
        v.sort_by_key(|x| std::cmp::Reverse(x.received));
        v
    }

    /// Interviews held inside the window per unit that owns an interview column.
    pub fn interviews_in_window(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = Vec::new();
        for i in &self.interviews {
            match v.iter_mut().find(|(u, _)| *u == i.unit_name) {
                Some((_, n)) => *n += i.in_window,
                None => v.push((i.unit_name.clone(), i.in_window)),
            }
        }
        v
    }

    pub fn in_window(&self, d: NaiveDate) -> bool {
        self.window.0 <= d && d <= self.window.1
    }
}

impl World {
    pub(crate) fn truth(&self, rectified: bool) -> Truth {
        let window = self.scenario.meta.window;
        let in_window = |d: NaiveDate| window.0 <= d && d <= window.1;
        let unit_name = |id: &str| self.unit_name(id).to_string();
        let websites = self
            .sites
            .iter()
            .map(|s| SiteTruth {
                id: s.id.clone(),
                name: s.name.clone(),
                unit: s.unit.clone(),
                unit_name: unit_name(&s.unit),
                url: s.url(),
            })
            .collect();
        let account = |a: &world::Account| AccountTruth {
            id: a.id.clone(),
            name: a.name.clone(),
            unit: a.unit.clone(),
            unit_name: unit_name(&a.unit),
            appid: a.appid.clone(),
        };
        let accounts = self.accounts.iter().map(account).collect();

        let mut columns = Vec::new();
        let mut letters = Vec::new();
        let mut interviews = Vec::new();
        let mut blank_columns = Vec::new();
        let mut stale_columns = Vec::new();
        for c in &self.columns {
            let items: Vec<ItemTruth> = c
                .visible(rectified)
                .iter()
                .map(|it| ItemTruth {
                    title: it.title.clone(),
                    date: it.date,
                    url: c.item_url(it),
                })
                .collect();
            let target = UnitTarget {
                name: c.name.clone(),
                unit: c.unit.clone(),
                unit_name: unit_name(&c.unit),
                url: c.url.clone(),
            };
            match c.fault_active(rectified) {
                Some(ColumnFault::Blank) => blank_columns.push(target),
                Some(ColumnFault::Stale) => stale_columns.push(StaleColumn {
                    column: target,
                    newest: items.first().map(|i| i.date),
                }),
                None => {}
            }
            if c.kind == crate::scenario::ColumnKind::Interview {
                let dates: Vec<NaiveDate> = items.iter().map(|i| i.date).collect();
                interviews.push(InterviewTruth {
                    unit: c.unit.clone(),
                    unit_name: unit_name(&c.unit),
                    column: c.url.clone(),
                    in_window: dates.iter().filter(|d| in_window(**d)).count(),
                    dates,
                });
            }
            if let Some(b) = &c.board {
                for l in &b.letters {
                    letters.push(LetterTruth {
                        board: c.url.clone(),
                        title: l.title.clone(),
                        url: format!("{}{}", c.base, l.path),
                        label: l.label.clone(),
                        unit: l.unit.clone(),
                        unit_name: unit_name(&l.unit),
                        received: l.received,
                        replied: l.answered.is_some(),
                        answered: l.answered,
                    });
                }
            }
            columns.push(ColumnTruth {
                site: self.sites[c.site].id.clone(),
                name: c.name.clone(),
                url: c.url.clone(),
                kind: c.kind.as_str().to_string(),
                unit: c.unit.clone(),
                unit_name: unit_name(&c.unit),
                cms: match c.cms {
                    crate::scenario::Cms::Trs => "trs",
                    crate::scenario::Cms::Hanweb => "hanweb",
                    crate::scenario::Cms::Plain => "plain",
                }
                .to_string(),
                charset: c.charset.to_string(),
                items,
            });
        }

        let unreachable = self
            .sites
            .iter()
            .filter(|s| s.is_down(rectified))
            .map(|s| UnitTarget {
                name: s.name.clone(),
                unit: s.unit.clone(),
                unit_name: unit_name(&s.unit),
                url: s.url(),
            })
            .collect();

        let mut walker = Walker {
            w: self,
            rectified,
            judged: HashMap::new(),
            href: Regex::new(r#"(?i)\bhref\s*=\s*"([^"]*)""#).expect("constant regex"),
        };
        let mut found: BTreeMap<String, (LinkKind, BTreeSet<String>)> = BTreeMap::new();
        for s in self.sites.iter().filter(|s| !s.is_down(rectified)) {
            walker.walk(&s.url(), &mut found);
        }
        let (mut broken_links, mut unjudgeable_links) = (Vec::new(), Vec::new());
        for (url, (kind, pages)) in found {
            let l = BrokenLink {
                url,
                pages: pages.into_iter().collect(),
                kind,
            };
            if kind == LinkKind::Captcha {
                unjudgeable_links.push(l);
            } else {
                broken_links.push(l);
            }
        }

        let (mut broken_menu_links, mut unjudgeable_menu_links, mut unavailable_accounts) =
            (Vec::new(), Vec::new(), Vec::new());
        for a in &self.accounts {
            if let Some(code) = a.api_error {
                unavailable_accounts.push((account(a), code));
                continue;
            }
            for top in &a.menu {
                for b in &top.subs {
                    let urls: Vec<String> = match b {
                        Button::View { url, .. } | Button::Mini { url, .. } => vec![url.clone()],
                        Button::News { articles, .. } => articles
                            .iter()
                            .filter_map(|i| self.wx_articles.get(*i))
                            .map(|x| self.wx_url(x))
                            .collect(),
                        Button::Click { .. } => Vec::new(),
                    };
                    for url in urls {
                        let Some(kind) = walker.judge(&url) else {
                            continue;
                        };
                        let link = MenuLink {
                            account: a.id.clone(),
                            account_name: a.name.clone(),
                            unit: a.unit.clone(),
                            unit_name: unit_name(&a.unit),
                            menu_path: format!("{} > {}", top.name, b.name()),
                            url,
                            kind,
                        };
                        if kind == LinkKind::Captcha {
                            unjudgeable_menu_links.push(link);
                        } else {
                            broken_menu_links.push(link);
                        }
                    }
                }
            }
        }

        Truth {
            window,
            as_of: self.scenario.meta.as_of,
            rectified,
            websites,
            accounts,
            columns,
            letters,
            interviews,
            unreachable,
            broken_links,
            unjudgeable_links,
            blank_columns,
            stale_columns,
            broken_menu_links,
            unjudgeable_menu_links,
            unavailable_accounts,
        }
    }
}

/// Follows links the way a depth-1 crawl does, asking the router what each target answers.
struct Walker<'a> {
    w: &'a World,
    rectified: bool,
    judged: HashMap<String, Option<LinkKind>>,
    href: Regex,
}

impl Walker<'_> {
    /// The homepage's links and those of the same-host pages it links.
    fn walk(&mut self, home: &str, found: &mut BTreeMap<String, (LinkKind, BTreeSet<String>)>) {
        let Ok(home_url) = Url::parse(home) else {
            return;
        };
        let links = self.links_of(&home_url);
        let mut next = Vec::new();
        for l in links {
            match self.judge(l.as_str()) {
                Some(kind) => {
                    found
                        .entry(l.to_string())
                        .or_insert_with(|| (kind, BTreeSet::new()))
                        .1
                        .insert(home.to_string());
                }
                None if l.host_str() == home_url.host_str()
                    && l.port() == home_url.port()
                    && l != home_url
                    && !next.contains(&l) =>
                {
                    next.push(l);
                }
                None => {}
            }
        }
        for page in next {
            for l in self.links_of(&page) {
                if let Some(kind) = self.judge(l.as_str()) {
                    found
                        .entry(l.to_string())
                        .or_insert_with(|| (kind, BTreeSet::new()))
                        .1
                        .insert(page.to_string());
                }
            }
        }
    }

    /// The absolute http(s) links of a page that answers 200 with HTML.
    fn links_of(&self, page: &Url) -> Vec<Url> {
        let host = page.host_str().unwrap_or("").to_ascii_lowercase();
        let r = self
            .w
            .respond(&host, page.path(), page.query(), &[], self.rectified);
        if r.status != 200 || r.tag != Tag::Page {
            return Vec::new();
        }
        let text = decode(r.charset, &r.body);
        let mut out: Vec<Url> = Vec::new();
        for cap in self.href.captures_iter(&text) {
            let raw = cap[1].replace("&amp;", "&");
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') || raw.starts_with("javascript:") {
                continue;
            }
            if let Ok(mut u) = page.join(raw) {
                u.set_fragment(None);
                if matches!(u.scheme(), "http" | "https") && !out.contains(&u) {
                    out.push(u);
                }
            }
        }
        out
    }

    /// What is wrong with a link's target, if anything.
    fn judge(&mut self, url: &str) -> Option<LinkKind> {
        if let Some(k) = self.judged.get(url) {
            return *k;
        }
        let k = self.judge_uncached(url);
        self.judged.insert(url.to_string(), k);
        k
    }

    fn judge_uncached(&self, url: &str) -> Option<LinkKind> {
        let Ok(mut u) = Url::parse(url) else {
            return Some(LinkKind::NotFound);
        };
        let first_path = u.path().to_string();
        for _ in 0..5 {
            let host = u.host_str().unwrap_or("").to_ascii_lowercase();
            if !self.reachable(&host, u.port_or_known_default()) {
                return Some(LinkKind::Unreachable);
            }
            let r = self
                .w
                .respond(&host, u.path(), u.query(), &[], self.rectified);
            match r.status {
                200 => {
                    return match r.tag {
                        Tag::Soft404 => Some(LinkKind::Soft404),
                        Tag::Deleted => Some(LinkKind::Deleted),
                        Tag::Violation => Some(LinkKind::Violation),
                        Tag::Captcha => Some(LinkKind::Captcha),
                        _ => None,
                    };
                }
                301 | 302 | 303 | 307 | 308 => {
                    let Some(next) = r.location.as_deref().and_then(|l| u.join(l).ok()) else {
                        return Some(LinkKind::NotFound);
                    };
                    if next.path() == "/" && first_path != "/" && next.query().is_none() {
                        return Some(LinkKind::RedirectHome);
                    }
                    u = next;
                }
                404 => return Some(LinkKind::NotFound),
                _ => return Some(LinkKind::ServerError),
            }
        }
        Some(LinkKind::ServerError)
    }

    /// Whether something listens for this host on this port.
    fn reachable(&self, host: &str, port: Option<u16>) -> bool {
        let Some(h) = self.w.hosts.get(host) else {
            return false;
        };
        if let Some(si) = h.site {
            let s = &self.w.sites[si];
            if s.is_down(self.rectified) {
                return false;
            }
            if s.dead {
                // A rectified dead site answers on its own port (and on the main one).
                return port
                    .is_some_and(|p| s.base.ends_with(&format!(":{p}")) || p == self.w.port);
            }
        }
        port == Some(self.w.port)
    }
}
