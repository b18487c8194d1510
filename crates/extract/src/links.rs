//! Every link a page carries, resolved to absolute http(s) URLs.
//!
//! Link checks visit each URL a page links to, so this must read pages of any size and any
//! markup quickly: it runs on a streaming tokenizer (lol_html), linear in the page size, with no
//! tree to build, so a page with ten thousand links or mis-nested tags costs milliseconds.
//! `<a href>`, `<area href>`, `<iframe src>` and `<frame src>` count; `<base href>` is honoured
//! wherever it appears (the first one wins, as in browsers); fragments are stripped; each URL is
//! listed once, with the first text seen for it. `javascript:`, `mailto:`, `tel:`, `data:`,
//! fragment-only links and every other non-http(s) target are skipped. The tokenizer hands over
//! attribute values and text as written, so character references are decoded here (htmlize,
//! by the spec's rules: `&copy=2` in a query string stays as written, as in browsers).

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk, TextType};
use lol_html::{HtmlRewriter, Settings, doc_text, element};
use url::Url;

use crate::resolve::Resolver;

/// Link text beyond this many characters is cut: a stray unclosed `<a>` must not swallow a page.
const MAX_TEXT_CHARS: usize = 300;

/// A link found on a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// Absolute http(s) URL without fragment.
    pub url: Url,
    /// Visible text with whitespace collapsed; else the `title` attribute or an image's `alt`.
    pub text: String,
}

#[derive(Default)]
struct Raw {
    href: String,
    text: String,
    title: Option<String>,
    alt: Option<String>,
}

#[derive(Default)]
struct State {
    base: Option<String>,
    found: Vec<Raw>,
    open: Option<usize>,
}

/// Every http(s) link of the page, in order of first appearance, deduplicated by URL.
pub fn links(html: &str, page_url: &Url) -> Vec<Link> {
    read(html, page_url, true)
}

/// The URLs of [`links`], without reading the links' text: what checking a page's links
/// needs, for less work on a page of thousands.
pub fn link_urls(html: &str, page_url: &Url) -> Vec<Url> {
    read(html, page_url, false)
        .into_iter()
        .map(|l| l.url)
        .collect()
}

fn read(html: &str, page_url: &Url, with_text: bool) -> Vec<Link> {
    let state = Rc::new(RefCell::new(State::default()));
    scan(html, &state, with_text);
    let state = state.take();

    let base = state
        .base
        .as_deref()
        .and_then(|b| page_url.join(htmlize::unescape_attribute(b).trim()).ok())
        .filter(|b| matches!(b.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone());

    let mut resolver = Resolver::new(base);
    // Each URL's place in `out`, so a repeat finds its first mention at once.
    let mut seen: HashMap<Url, usize> = HashMap::new();
    let mut out: Vec<Link> = Vec::new();
    for raw in state.found {
        let Some(url) = resolver.resolve(&raw.href) else {
            continue;
        };
        let text = if with_text {
            let text = collapse(&htmlize::unescape(raw.text.as_str()));
            if text.is_empty() {
                raw.title
                    .or(raw.alt)
                    .map(|t| collapse(&htmlize::unescape_attribute(t)))
                    .unwrap_or_default()
            } else {
                text
            }
        } else {
            String::new()
        };
        match seen.entry(url) {
            Entry::Vacant(e) => {
                out.push(Link {
                    url: e.key().clone(),
                    text,
                });
                e.insert(out.len() - 1);
            }
            Entry::Occupied(e) => {
                let first = &mut out[*e.get()];
                if first.text.is_empty() {
                    first.text = text;
                }
            }
        }
    }
    out
}

/// Collects every link's raw attributes, and with `with_text` its text, title and image `alt`.
fn scan(html: &str, state: &Rc<RefCell<State>>, with_text: bool) {
    let on_base = {
        let state = Rc::clone(state);
        move |el: &mut Element| {
            let mut s = state.borrow_mut();
            if s.base.is_none() {
                s.base = el.get_attribute("href");
            }
            Ok(())
        }
    };
    let on_link = {
        let state = Rc::clone(state);
        move |el: &mut Element| {
            let attr = if matches!(el.tag_name().as_str(), "iframe" | "frame") {
                "src"
            } else {
                "href"
            };
            let Some(href) = el.get_attribute(attr) else {
                return Ok(());
            };
            let title = with_text
                .then(|| el.get_attribute("title").filter(|t| !t.trim().is_empty()))
                .flatten();
            let mut s = state.borrow_mut();
            let index = s.found.len();
            s.found.push(Raw {
                href,
                title,
                ..Raw::default()
            });
            if !with_text {
                return Ok(());
            }
            s.open = (el.tag_name() == "a").then_some(index);
            drop(s);
            if el.tag_name() == "a"
                && let Some(handlers) = el.end_tag_handlers()
            {
                let state = Rc::clone(&state);
                handlers.push(Box::new(move |_end| {
                    let mut s = state.borrow_mut();
                    if s.open == Some(index) {
                        s.open = None;
                    }
                    Ok(())
                }));
            }
            Ok(())
        }
    };
    let on_img = {
        let state = Rc::clone(state);
        move |el: &mut Element| {
            let mut s = state.borrow_mut();
            if let Some(i) = s.open
                && s.found[i].alt.is_none()
            {
                s.found[i].alt = el.get_attribute("alt").filter(|a| !a.trim().is_empty());
            }
            Ok(())
        }
    };
    let on_text = {
        let state = Rc::clone(state);
        move |t: &mut TextChunk| {
            if t.text_type() != TextType::Data {
                return Ok(());
            }
            let mut s = state.borrow_mut();
            if let Some(i) = s.open {
                let text = &mut s.found[i].text;
                let room = MAX_TEXT_CHARS.saturating_sub(text.chars().count());
                text.extend(t.as_str().chars().take(room));
                if room == 0 {
                    s.open = None;
                }
            }
            Ok(())
        }
    };

    let mut settings = Settings::new()
        .append_element_content_handler(element!("base[href]", on_base))
        .append_element_content_handler(element!(
            "a[href], area[href], iframe[src], frame[src]",
            on_link
        ));
    if with_text {
        settings = settings
            .append_element_content_handler(element!("img[alt]", on_img))
            .append_document_content_handler(doc_text!(on_text));
    }
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // A tokenizer error (e.g. a memory limit on a giant tag) ends the scan; what was found stays.
    if rewriter.write(html.as_bytes()).is_ok() {
        let _ = rewriter.end();
    }
}

/// Collapses runs of whitespace (including no-break spaces) into one space and trims.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\u{3000}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("http://www.jdz.gov.cn/zwdt/index.html").unwrap()
    }

    #[test]
    fn resolves_filters_and_dedups() {
        let html = r##"<html><head><base href="/base/"></head><body>
            <a href="a.html">第一 <b>条</b></a>
            <a href="a.html#x">again</a>
            <a href="javascript:void(0)">js</a><a href=" JavaScript:go()">js</a>
            <a href="mailto:x@y.cn">m</a><a href="tel:123">t</a><a href="#">top</a>
            <a href="data:text/html,hi">d</a><a href="ftp://x/y">f</a>
            <a href="list.jsp?a=1&amp;b=2">&nbsp;列表&amp;更多</a>
            <a href=https://other.gov.cn/x title="图片链接"><img src=x.png></a>
            <area href="/map.html"><iframe src="//v.gov.cn/player"></iframe>
            </body></html>"##;
        let got = links(html, &page());
        let urls: Vec<&str> = got.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://www.jdz.gov.cn/base/a.html",
                "http://www.jdz.gov.cn/base/list.jsp?a=1&b=2",
                "https://other.gov.cn/x",
                "http://www.jdz.gov.cn/map.html",
                "http://v.gov.cn/player",
            ]
        );
        assert_eq!(got[0].text, "第一 条");
        assert_eq!(got[1].text, "列表&更多");
        assert_eq!(got[2].text, "图片链接");
        let bare: Vec<Url> = got.into_iter().map(|l| l.url).collect();
        assert_eq!(
            link_urls(html, &page()),
            bare,
            "the same URLs without their text"
        );
    }

    #[test]
    fn a_repeated_link_keeps_its_place_and_takes_the_first_text_it_gets() {
        let html = r#"<a href="/a.html"><img src=x.png></a><a href="/b.html">乙</a>
            <a href="/a.html#2">甲</a><a href="/a.html">又一个</a><a href="/b.html">丙</a>"#;
        let got = links(html, &page());
        let read: Vec<(&str, &str)> = got
            .iter()
            .map(|l| (l.url.as_str(), l.text.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                ("http://www.jdz.gov.cn/a.html", "甲"),
                ("http://www.jdz.gov.cn/b.html", "乙"),
            ]
        );
    }

    #[test]
    fn character_references_as_browsers_read_them() {
        let html = r#"<a href="list.jsp?id=1&copy=2&amp;x=&#51;" title="a&rarr;b"></a>
            <a href="/c&#x2F;d.html">&ldquo;通知&rdquo;&hellip;&#20013;&NotARealName;</a>"#;
        let got = links(html, &page());
        assert_eq!(
            got[0].url.as_str(),
            "http://www.jdz.gov.cn/zwdt/list.jsp?id=1&copy=2&x=3"
        );
        assert_eq!(got[0].text, "a→b");
        assert_eq!(got[1].url.as_str(), "http://www.jdz.gov.cn/c/d.html");
        assert_eq!(got[1].text, "“通知”…中&NotARealName;");
    }

    #[test]
    fn unclosed_anchor_text_is_bounded() {
        let html = format!("<a href=x>{}", "字".repeat(10_000));
        let got = links(&html, &page());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text.chars().count(), MAX_TEXT_CHARS);
    }
}
