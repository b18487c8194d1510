//! The ground truth: what the simulated web serves right now, computed from the generated
//! content and from the same routing the server uses (never a second, hand-typed copy).
//!
//! Tests compare a round's report against it: registered sites and accounts, every column's
//! items, every letter, the interviews, and the faults in force (unreachable sites, broken
//! links with the pages that link them, blank and stale columns, broken menu buttons, wording
//! errors).
mod compute;
mod walk;
mod wording;

use std::collections::HashMap;

use chrono::NaiveDate;

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
    /// Planted wording errors on pages that answer, not yet corrected.
    pub wording_errors: Vec<WordingError>,
}

/// A wrong phrase on a page, as the scenario planted it.
#[derive(Debug, Clone, PartialEq)]
pub struct WordingError {
    /// The unit whose text it is: the site's for its homepage, the column's for an article.
    pub unit: String,
    pub unit_name: String,
    /// The page it is on.
    pub url: String,
    pub wrong: String,
    pub right: String,
    /// `veto` or `deduct`.
    pub severity: String,
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
