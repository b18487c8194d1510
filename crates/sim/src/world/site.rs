//! A registered website as generated: its host, how it is reached, and its homepage news.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Days;

use super::{Item, PageRef, World, active};
use crate::generate::{self, TitleKind};
use crate::scenario::{self, Charset};

pub(crate) struct Site {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub host: String,
    /// `http://host:port`, with the port the site is reached on (a dead site's own).
    pub base: String,
    pub charset: Charset,
    pub delay: Option<Duration>,
    pub waf: Option<scenario::Waf>,
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

impl World {
    pub(super) fn build_sites(&mut self, dead_ports: &HashMap<String, u16>) {
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
}
