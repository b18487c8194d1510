//! Whether a scenario describes a possible city: every problem found, each with its key path.

use std::collections::{HashMap, HashSet};

use super::{
    API_ERRORS, Cms, Column, ColumnFault, ColumnKind, HOMEPAGE, Scenario, ScenarioError, Site,
    WordingPlant, split_menu_path,
};
use crate::wechat_layout::{API_HOST, MENU_LAYOUT, MP_HOST};

impl Scenario {
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
            for (j, w) in s.wording.iter().enumerate() {
                self.validate_plant(&format!("{p}.wording[{j}]"), s, w, &mut errs);
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

    /// A plant is on the homepage or in the newest article of a column that lists its items
    /// in both rounds (no blank or stale fault, no letters board), once in its sentence.
    fn validate_plant(&self, p: &str, site: &Site, w: &WordingPlant, errs: &mut Vec<String>) {
        if w.page != HOMEPAGE {
            match site.columns.iter().find(|c| c.name == w.page) {
                None => errs.push(format!(
                    "{p}.page: `{}` is neither `{HOMEPAGE}` nor a column of the site",
                    w.page
                )),
                Some(c) if c.fault.is_some() || c.kind == ColumnKind::Letters => errs.push(format!(
                    "{p}.page: column `{}` has a fault or is a letters board; its newest article may not be listed",
                    w.page
                )),
                Some(_) => {}
            }
        }
        if w.wrong.is_empty() || w.text.matches(&w.wrong).count() != 1 {
            errs.push(format!("{p}.text: must contain `wrong` exactly once"));
        }
        if w.wrong == w.right {
            errs.push(format!("{p}.right: the same as `wrong`"));
        }
        if !matches!(w.severity.as_str(), "veto" | "deduct") {
            errs.push(format!("{p}.severity: `veto` or `deduct`"));
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
