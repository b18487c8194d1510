//! The generated web: every page, item, letter, fault and menu a scenario describes, built
//! once when the simulator starts (the listener ports are part of every absolute URL).
//!
//! The server renders from this model and the ground truth is computed from it, so the two
//! can never disagree.

mod account;
mod board;
mod column;
mod fault;
mod site;

use std::collections::HashMap;
use std::net::IpAddr;

use crate::scenario::Scenario;
use crate::wechat_layout::{API_HOST, MP_HOST};

pub(crate) use account::{Account, Button, WxArticle};
pub(crate) use board::Board;
pub(crate) use column::{Column, Item, Variant};
pub(crate) use fault::{Fault, FaultKind};
pub(crate) use site::Site;

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

    /// The sentences with wording errors planted on a page of a site (`homepage`, or a
    /// column's name for its newest article), as served now: corrected after rectification
    /// unless they persist.
    pub fn planted(&self, site: usize, page: &str, rectified: bool) -> Vec<String> {
        self.scenario.sites[site]
            .wording
            .iter()
            .filter(|w| w.page == page)
            .map(|w| w.served(!active(w.persist, rectified)))
            .collect()
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

    /// Every host the simulator answers for, sorted.
    pub fn host_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.hosts.keys().cloned().collect();
        v.sort();
        v
    }
}
