//! Which links are broken, found by following them through the server's own routing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regex::Regex;
use url::Url;

use super::LinkKind;
use crate::render::{Tag, decode};
use crate::world::World;

/// Follows links the way a depth-1 crawl does, asking the router what each target answers.
pub(super) struct Walker<'a> {
    w: &'a World,
    rectified: bool,
    judged: HashMap<String, Option<LinkKind>>,
    href: Regex,
}

impl<'a> Walker<'a> {
    /// A walker over the web as it is served before (or after) rectification.
    pub(super) fn new(w: &'a World, rectified: bool) -> Walker<'a> {
        Walker {
            w,
            rectified,
            judged: HashMap::new(),
            href: Regex::new(r#"(?i)\bhref\s*=\s*"([^"]*)""#).expect("constant regex"),
        }
    }

    /// The homepage's links and those of the same-host pages it links.
    pub(super) fn walk(
        &mut self,
        home: &str,
        found: &mut BTreeMap<String, (LinkKind, BTreeSet<String>)>,
    ) {
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
    pub(super) fn judge(&mut self, url: &str) -> Option<LinkKind> {
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
