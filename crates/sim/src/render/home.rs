//! Homepages and platform index pages.

use super::{Reply, esc, frame, shell};
use crate::scenario::Charset;
use crate::world::World;

/// A site's homepage: navigation to its columns, a dated news list, broken links where the
/// scenario injects them, 友情链接 to other simulated sites, and a 通知公告 block with the
/// sentences the scenario plants wording errors in.
pub(crate) fn homepage(w: &World, si: usize, rectified: bool) -> Reply {
    let s = &w.sites[si];
    let mut nav = String::from("<a href=\"/\">首页</a>");
    let mut platforms: Vec<&str> = Vec::new();
    for &ci in &s.columns {
        let c = &w.columns[ci];
        if c.host == s.host {
            let href = c.url.strip_prefix(&s.base).unwrap_or(&c.url);
            nav.push_str(&format!(" <a href=\"{}\">{}</a>", esc(href), esc(&c.name)));
        } else if !platforms.contains(&c.host.as_str()) {
            platforms.push(c.host.as_str());
        }
    }
    for host in platforms {
        let name = w
            .hosts
            .get(host)
            .and_then(|h| h.platform.clone())
            .unwrap_or_else(|| host.to_string());
        nav.push_str(&format!(
            " <a href=\"{}/\">{}</a>",
            esc(&w.base(host)),
            esc(&name)
        ));
    }

    let mut news =
        String::from("<div class=\"news\"><h2>要闻动态</h2>\n<ul class=\"news-list\">\n");
    for it in &s.items {
        news.push_str(&format!(
            "<li><a href=\"{}\" title=\"{t}\" target=\"_blank\">{t}</a><span class=\"date\">{}</span></li>\n",
            esc(&it.path),
            it.date.format("%Y-%m-%d"),
            t = esc(&it.title)
        ));
    }
    news.push_str("</ul>\n<a class=\"more\" href=\"/\">更多&gt;&gt;</a></div>\n");

    let mut special = String::new();
    if !s.broken.is_empty() {
        special.push_str("<div class=\"ztzl\"><h2>专题专栏</h2>\n<ul>\n");
        for (text, fi) in &s.broken {
            let f = &w.faults[*fi];
            let href = if f.host == s.host {
                f.path.clone()
            } else {
                let base = w
                    .sites
                    .iter()
                    .find(|x| x.host == f.host)
                    .map(|x| x.base.clone())
                    .unwrap_or_else(|| w.base(&f.host));
                format!("{base}{}", f.path)
            };
            special.push_str(&format!(
                "<li><a href=\"{}\" target=\"_blank\">{}</a></li>\n",
                esc(&href),
                esc(text)
            ));
        }
        special.push_str("</ul></div>\n");
    }

    let mut links = String::new();
    if !s.links_to.is_empty() {
        links.push_str("<div class=\"yqlj\"><h2>友情链接</h2>\n");
        for &t in &s.links_to {
            let other = &w.sites[t];
            links.push_str(&format!(
                "<a href=\"{}\" target=\"_blank\">{}</a>\n",
                esc(&other.url()),
                esc(&other.name)
            ));
        }
        links.push_str("</div>\n");
    }

    let mut notice = String::new();
    let planted = w.planted(si, crate::scenario::HOMEPAGE, rectified);
    if !planted.is_empty() {
        notice.push_str("<div class=\"tzgg\"><h2>通知公告</h2>\n");
        for p in planted {
            notice.push_str(&format!("<p>{}</p>\n", esc(&p)));
        }
        notice.push_str("</div>\n");
    }

    let main = format!("{news}{notice}{special}{links}");
    let body = frame(&s.name, &nav, &main, w.unit_full_name(&s.unit));
    Reply::html(s.charset, &shell(s.charset, &s.name, &body, ""))
}

/// The index of a platform host (an information-disclosure platform): links to the
/// columns it carries, grouped by unit.
pub(crate) fn platform_index(w: &World, host: &str) -> Reply {
    let Some(h) = w.hosts.get(host) else {
        return Reply::not_found();
    };
    let name = h.platform.clone().unwrap_or_else(|| host.to_string());
    let mut main = String::from("<div class=\"dept-list\"><h2>部门信息公开</h2>\n<ul>\n");
    for &ci in &h.columns {
        let c = &w.columns[ci];
        let href = c.url.strip_prefix(&c.base).unwrap_or(&c.url);
        main.push_str(&format!(
            "<li><a href=\"{}\">{}</a><span>{}</span></li>\n",
            esc(href),
            esc(&c.name),
            esc(w.unit_name(&c.unit))
        ));
    }
    main.push_str("</ul></div>");
    let sponsor = w
        .sites
        .first()
        .map(|s| w.unit_full_name(&s.unit).to_string())
        .unwrap_or_default();
    let body = frame(&name, "<a href=\"/\">首页</a>", &main, &sponsor);
    Reply::html(Charset::Utf8, &shell(Charset::Utf8, &name, &body, ""))
}
