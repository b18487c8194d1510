//! The truth computed from the generated world, as it stands before or after rectification.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::walk::Walker;
use super::{
    AccountTruth, BrokenLink, ColumnTruth, InterviewTruth, ItemTruth, LetterTruth, LinkKind,
    MenuLink, SiteTruth, StaleColumn, Truth, UnitTarget,
};
use crate::scenario::ColumnFault;
use crate::world::{self, Button, World};

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
                cms: <&str>::from(c.cms).to_string(),
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

        let mut walker = Walker::new(self, rectified);
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
            wording_errors: self.wording_errors(rectified),
        }
    }
}
