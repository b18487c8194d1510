//! What a page shows a visitor — its title, visible text and links — so that two fetches of
//! the same address (over IPv4 and over IPv6) can be compared for what matters rather than
//! byte for byte: markup, whitespace and changing numbers (a clock, a visit counter) aside.

use std::collections::BTreeSet;

use scraper::Html;
use url::Url;

use crate::{dom, links};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Face {
    /// The `<title>`, whitespace collapsed.
    pub title: String,
    /// The visible text without whitespace (markup decides where it falls), every run of digits
    /// written `#`.
    pub text: String,
    /// Every link, resolved.
    pub links: BTreeSet<Url>,
}

/// The face of an HTML page fetched from `page_url`.
pub fn face(html: &str, page_url: &Url) -> Face {
    let links = links::links(html, page_url)
        .into_iter()
        .map(|l| l.url)
        .collect();
    // A page too deep for a tree is compared by its links alone.
    if dom::too_deep(html) {
        return Face {
            title: String::new(),
            text: String::new(),
            links,
        };
    }
    let doc = Html::parse_document(html);
    let title = doc
        .root_element()
        .descendent_elements()
        .find(|e| e.value().name() == "title")
        .map(|t| links::collapse(&t.text().collect::<String>()))
        .unwrap_or_default();
    let body = doc
        .root_element()
        .descendent_elements()
        .find(|e| e.value().name() == "body")
        .unwrap_or_else(|| doc.root_element());
    Face {
        title,
        text: normalise(&dom::text(body)),
        links,
    }
}

fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(html: &str) -> Face {
        face(html, &Url::parse("http://www.a.gov.cn/").unwrap())
    }

    #[test]
    fn markup_whitespace_and_numbers_do_not_change_a_face() {
        let a = f(
            "<html><head><title>某市 人民政府</title></head><body><p>今天是2026年12月2日</p>\
             <a href=/x>新闻</a><script>var t=1;</script></body></html>",
        );
        let b = f(
            "<html><head><title> 某市  人民政府 </title></head><body>\n<div>今天是 2026年12月3日</div>\
             <a href='http://www.a.gov.cn/x'>新闻</a></body></html>",
        );
        assert_eq!(a, b);
        assert_eq!(a.title, "某市 人民政府");
        let c = f("<title>某市人民政府</title><body>建设中<a href=/y>y</a></body>");
        assert_ne!(a.title, c.title);
        assert_ne!(a.text, c.text);
        assert_ne!(a.links, c.links);
    }
}
