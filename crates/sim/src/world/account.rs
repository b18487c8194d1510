//! WeChat accounts as generated: credentials, articles and the menu with its broken buttons.

use chrono::{Days, NaiveDate};

use super::{Fault, FaultKind, PageRef, World};
use crate::generate::{self, TitleKind};
use crate::scenario::{Charset, ColumnKind, split_menu_path};
use crate::wechat_layout::MP_HOST;

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

impl World {
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

    pub(super) fn build_accounts(&mut self) {
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
}
