//! Routing of the simulated web (everything but the WeChat API): a pure function of the
//! generated world, the request and whether the web has been rectified.
//!
//! Being pure, it serves two masters: the HTTP server, and the ground truth, which asks it
//! what a link's target answers instead of keeping a second description of the faults.

use crate::render::{Reply, Tag, article, home, letters, list, pct};
use crate::wechat_layout::MP_HOST;
use crate::world::{self, FaultKind, PageRef, Variant, World};

/// Paths a CMS answers for a directory's index.
const INDEX_NAMES: [&str; 4] = ["index.html", "index.htm", "index.shtml", "index.jsp"];

pub(crate) const DATAPROXY: &str = "/module/web/jpage/dataproxy.jsp";
const JPAGE_JS: &str = "/module/web/jpage/jpage.js";
const CAPTCHA_PATH: &str = "/mp/wappoc_appmsgcaptcha";

impl World {
    /// The answer to one request. `host` is lowercase without a port; `body` is the request
    /// body (Hanweb's data proxy accepts a form).
    pub(crate) fn respond(
        &self,
        host: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
        rectified: bool,
    ) -> Reply {
        let Some(h) = self.hosts.get(host) else {
            return Reply::not_found();
        };
        if host == MP_HOST {
            return self.respond_mp(path, rectified);
        }
        let key = (host.to_string(), path.to_string());
        if let Some(PageRef::Fault(fi)) = self.pages.get(&key) {
            return self.fault_reply(&self.faults[*fi], rectified);
        }
        if path == "/"
            || INDEX_NAMES
                .iter()
                .any(|n| path.strip_prefix('/') == Some(*n))
        {
            return match (h.site, &h.platform) {
                (Some(si), _) => home::homepage(self, si, rectified),
                (None, Some(_)) => home::platform_index(self, host),
                (None, None) => Reply::not_found(),
            };
        }
        if path == DATAPROXY {
            let mut params = parse_query(query.unwrap_or(""));
            params.extend(parse_query(&String::from_utf8_lossy(body)));
            return list::hanweb_proxy(self, host, &params, rectified);
        }
        if path == JPAGE_JS {
            return Reply::data(
                "application/javascript",
                "/* jpage: Hanweb list pager */\n(function($){ $.fn.jpage = function(o){ return this; }; })(window.jQuery || {fn:{}});\n".into(),
            );
        }
        for &ci in &h.columns {
            let c = &self.columns[ci];
            if path.len() + 1 == c.dir.len() && c.dir.starts_with(path) {
                return Reply::redirect(format!("{}{}", c.base, c.dir));
            }
            let Some(rest) = path.strip_prefix(c.dir.as_str()) else {
                continue;
            };
            let is_index = rest.is_empty() || INDEX_NAMES.contains(&rest);
            match c.variant {
                Variant::Hanweb if is_index => return list::hanweb(self, ci, rectified),
                Variant::Js4 | Variant::Js6 => {
                    if is_index {
                        return list::trs(self, ci, 0, rectified);
                    }
                    if let Some(n) = rest
                        .strip_prefix("index_")
                        .and_then(|r| r.strip_suffix(".html"))
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|n| *n > 0)
                    {
                        return list::trs(self, ci, n, rectified);
                    }
                }
                Variant::Ul | Variant::Table if is_index => {
                    let page = parse_query(query.unwrap_or(""))
                        .into_iter()
                        .find(|(k, _)| k == "page")
                        .map(|(_, v)| v.trim().parse::<usize>().unwrap_or(0))
                        .unwrap_or(1);
                    return if c.board.is_some() {
                        letters::board(self, ci, page)
                    } else {
                        list::plain(self, ci, page, rectified)
                    };
                }
                _ => {}
            }
        }
        match self.pages.get(&key) {
            Some(PageRef::HomeItem { site, item }) => {
                let s = &self.sites[*site];
                match s.items.get(*item) {
                    Some(it) => article::gov(
                        s.charset,
                        &s.name,
                        self.unit_full_name(&s.unit),
                        &it.title,
                        Some(it.date),
                        &[],
                    ),
                    None => Reply::not_found(),
                }
            }
            Some(PageRef::ColumnItem { column, item }) => {
                let c = &self.columns[*column];
                match c.items.get(*item) {
                    Some(it) if c.is_visible(*item, rectified) => article::gov(
                        c.charset,
                        &list::page_title(self, c),
                        self.unit_full_name(&c.unit),
                        &it.title,
                        Some(it.date),
                        // Plants are in the newest article (validation keeps every item listed).
                        &if *item == 0 {
                            self.planted(c.site, &c.name, rectified)
                        } else {
                            Vec::new()
                        },
                    ),
                    _ => Reply::not_found(),
                }
            }
            Some(PageRef::Letter { column, letter }) => letters::detail(self, *column, *letter),
            _ => Reply::not_found(),
        }
    }

    fn respond_mp(&self, path: &str, rectified: bool) -> Reply {
        if path == CAPTCHA_PATH {
            return article::wx_captcha();
        }
        match self.pages.get(&(MP_HOST.to_string(), path.to_string())) {
            Some(PageRef::Fault(fi)) => self.fault_reply(&self.faults[*fi], rectified),
            Some(PageRef::WxArticle(a)) => article::wx(self, *a),
            _ => article::wx_message("参数错误", Tag::Soft404),
        }
    }

    fn fault_reply(&self, f: &world::Fault, rectified: bool) -> Reply {
        if !f.is_active(rectified) {
            if let Some(a) = f.article {
                return article::wx(self, a);
            }
            let (name, source) = self.host_owner(&f.host);
            return article::gov(f.charset, &name, &source, &f.title, None, &[]);
        }
        match f.kind {
            FaultKind::NotFound => Reply::not_found(),
            FaultKind::ServerError => Reply::server_error(),
            FaultKind::Soft404 => Reply::soft404(f.charset, &self.host_owner(&f.host).0),
            FaultKind::RedirectHome => Reply::redirect(f.home.clone()),
            FaultKind::Deleted => article::wx_message("该内容已被发布者删除", Tag::Deleted),
            FaultKind::Violation => article::wx_message("此内容因违规无法查看", Tag::Violation),
            FaultKind::Captcha => {
                let target = format!("{}{}", self.base(MP_HOST), f.path);
                let token = crate::generate::hex(&[crate::generate::hash_str(&f.path)], 12);
                Reply::redirect(format!(
                    "{}{CAPTCHA_PATH}?poc_token={token}&target_url={}",
                    self.base(MP_HOST),
                    pct(&target)
                ))
            }
        }
    }

    /// (site or platform name, owning unit's name) of a host.
    fn host_owner(&self, host: &str) -> (String, String) {
        let h = self.hosts.get(host);
        if let Some(si) = h.and_then(|h| h.site) {
            let s = &self.sites[si];
            return (s.name.clone(), self.unit_full_name(&s.unit).to_string());
        }
        let name = h
            .and_then(|h| h.platform.clone())
            .unwrap_or_else(|| host.to_string());
        let unit = self
            .sites
            .first()
            .map(|s| self.unit_full_name(&s.unit).to_string())
            .unwrap_or_default();
        (name, unit)
    }

    /// The firewall in front of a host.
    pub(crate) fn waf(&self, host: &str) -> Option<&crate::scenario::Waf> {
        let si = self.hosts.get(host)?.site?;
        self.sites[si].waf.as_ref()
    }

    /// The delay of a slow host.
    pub(crate) fn delay(&self, host: &str) -> Option<std::time::Duration> {
        let si = self.hosts.get(host)?.site?;
        self.sites[si].delay
    }
}

pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
