//! Faults: URLs that answer wrongly until rectified, and the homepage links that lead to them.

use super::{PageRef, World, active};
use crate::scenario::{Charset, LinkFault, MenuLinkFault};

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

impl World {
    pub(super) fn build_site_faults(&mut self) {
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

    pub(super) fn add_fault(&mut self, f: Fault) -> usize {
        let i = self.faults.len();
        self.pages
            .insert((f.host.clone(), f.path.clone()), PageRef::Fault(i));
        self.faults.push(f);
        i
    }
}
