//! The next page of a plain HTML list.
//!
//! A link named 下一页 / 下页 / 后页 / next / `>` / `›` wins. Without one, page-number links are
//! read: `index_2.html` / `list_3.shtml` style names and `?page=` / `pageNo=` / `pageIndex=` …
//! parameters; the next page is the lowest-numbered link of the same kind above the current page.
//! A next link that leads back to the current page, or only runs script, is no next page.

use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use url::Url;

use crate::{dom, links, resolve};

const NEXT_WORDS: &[&str] = &[
    "下一页",
    "下页",
    "后页",
    "下一頁",
    "next",
    "nextpage",
    ">",
    "›",
    "〉",
    "＞",
];

static NUMBERED_NAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*/)([A-Za-z]+)_(\d{1,6})\.([A-Za-z]{2,6})$").expect("static regex")
});
static PLAIN_NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*/)([A-Za-z]+)\.([A-Za-z]{2,6})$").expect("static regex"));

/// Names a list page has when its own URL is a directory (`/zwdt/` → `/zwdt/index_1.html`).
const LIST_PREFIXES: &[&str] = &["index", "list", "default"];

const PAGE_PARAMS: &[&str] = &[
    "page",
    "pageno",
    "pageindex",
    "pagenum",
    "page_no",
    "pn",
    "p",
    "curpage",
    "currentpage",
    "cpage",
    "pagenumber",
];

/// The family of numbered pages a URL belongs to and its number in it.
#[derive(Debug, PartialEq, Eq)]
enum Numbered {
    /// `dir/prefix_n.ext`; `dir/prefix.ext` and `dir/` are page 0.
    Name {
        dir: String,
        prefix: Option<String>,
        number: u32,
    },
    /// `path?…&param=n`; a missing parameter is the first page.
    Query {
        path: String,
        param: String,
        number: Option<u32>,
    },
}

fn numbered_name(url: &Url) -> Option<Numbered> {
    let head = format!("{}://{}{}", url.scheme(), url.host_str()?, url.path());
    if let Some(c) = NUMBERED_NAME_RE.captures(&head) {
        return Some(Numbered::Name {
            dir: c[1].to_string(),
            prefix: Some(c[2].to_ascii_lowercase()),
            number: c[3].parse().ok()?,
        });
    }
    if let Some(c) = PLAIN_NAME_RE.captures(&head) {
        return Some(Numbered::Name {
            dir: c[1].to_string(),
            prefix: Some(c[2].to_ascii_lowercase()),
            number: 0,
        });
    }
    head.ends_with('/').then(|| Numbered::Name {
        dir: head.clone(),
        prefix: None,
        number: 0,
    })
}

fn numbered_query(url: &Url, param: Option<&str>) -> Option<Numbered> {
    let path = format!("{}://{}{}", url.scheme(), url.host_str()?, url.path());
    for (k, v) in url.query_pairs() {
        let key = k.to_ascii_lowercase();
        let wanted = match param {
            Some(p) => key == p,
            None => PAGE_PARAMS.contains(&key.as_str()),
        };
        if wanted {
            return Some(Numbered::Query {
                path,
                param: key,
                number: v.trim().parse().ok(),
            });
        }
    }
    param.map(|p| Numbered::Query {
        path,
        param: p.to_string(),
        number: None,
    })
}

/// The next page of the list on this page, if there is one.
pub fn next_page(doc: &Html, base: &Url, page_url: &Url) -> Option<Url> {
    let anchors: Vec<(Url, String)> = dom::anchors(doc.root_element())
        .into_iter()
        .filter_map(|a| {
            let url = resolve::resolve(base, a.value().attr("href")?)?;
            let text = dom::text(a);
            let text = if text.is_empty() {
                a.value()
                    .attr("title")
                    .map(links::collapse)
                    .unwrap_or_default()
            } else {
                text
            };
            Some((url, text))
        })
        .collect();
    let same_page =
        |u: &Url| u == page_url || (u.path() == page_url.path() && u.query() == page_url.query());

    for (url, text) in &anchors {
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        if NEXT_WORDS
            .iter()
            .any(|w| t == *w || (w.chars().count() > 1 && !w.is_ascii() && t.contains(w)))
            && !same_page(url)
        {
            return Some(url.clone());
        }
    }

    // Page-number links: `index_N.html` family.
    if let Some(Numbered::Name {
        dir,
        prefix,
        number: current,
    }) = numbered_name(page_url)
    {
        let next = anchors
            .iter()
            .filter_map(|(url, _)| match numbered_name(url)? {
                Numbered::Name {
                    dir: d,
                    prefix: Some(p),
                    number,
                } if d == dir
                    && prefix
                        .as_ref()
                        .map_or(LIST_PREFIXES.contains(&p.as_str()), |x| *x == p) =>
                {
                    (number > current).then_some((number, url))
                }
                _ => None,
            })
            .min_by_key(|(n, _)| *n);
        if let Some((_, url)) = next {
            return Some(url.clone());
        }
    }

    // `?page=N` family: the parameter as named on this page, else any known page parameter.
    let here = numbered_query(page_url, None);
    let param = match &here {
        Some(Numbered::Query { param, .. }) => Some(param.clone()),
        _ => None,
    };
    let candidates: Vec<(u32, &Url, String)> = anchors
        .iter()
        .filter_map(|(url, _)| match numbered_query(url, param.as_deref())? {
            Numbered::Query {
                path,
                param,
                number: Some(n),
            } if path_matches(&path, page_url) => Some((n, url, param)),
            _ => None,
        })
        .collect();
    let current = match &here {
        Some(Numbered::Query {
            number: Some(n), ..
        }) => *n,
        _ if candidates.iter().any(|(n, _, _)| *n == 0) => 0,
        _ => 1,
    };
    candidates
        .into_iter()
        .filter(|(n, url, _)| *n > current && !same_page(url))
        .min_by_key(|(n, _, _)| *n)
        .map(|(_, url, _)| url.clone())
}

fn path_matches(path: &str, page_url: &Url) -> bool {
    page_url
        .host_str()
        .is_some_and(|host| path == format!("{}://{}{}", page_url.scheme(), host, page_url.path()))
}
