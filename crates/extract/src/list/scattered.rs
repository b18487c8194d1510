//! Dated links wherever they sit on a page: the reading of a page with no single list.
//!
//! A homepage mixes menus, banners and several short news lists, so no single list is "the" list,
//! and some columns write their entries as bare links without a repeated structure: every link
//! whose own text, whose entry around it, or whose URL carries a date counts. The entry around a
//! link is its largest ancestor (up to a few levels) holding no other link; when the link shares
//! its parent with others (`<a>…</a><span>11-02</span><br><a>…`), the text between it and the next
//! link is read instead, then the text just before it.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Node};
use url::Url;

use super::row::{anchor_title, trailing_date};
use super::years::Years;
use super::{Fields, Item};
use crate::resolve::Resolver;
use crate::{dates, dom, links};

const MAX_CLIMB: usize = 4;

/// Every dated link under `root`, in page order, one per URL.
pub(crate) fn dated_links(root: ElementRef<'_>, base: &Url, years: &Years) -> Vec<Item> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut resolver = Resolver::new(base.clone());
    for anchor in dom::anchors(root) {
        let Some(url) = anchor
            .value()
            .attr("href")
            .and_then(|h| resolver.resolve(h))
        else {
            continue;
        };
        if seen.contains(&url) {
            continue;
        }
        let year = years.at(anchor);
        // A date inside a title (关于2020年11月2日停电的通知) is not a publication date: the
        // anchor's own text counts only for a date written at its end.
        let entry = own_entry(anchor);
        let date = neighbourhood_date(entry, anchor, year)
            .or_else(|| {
                trailing_date(&dom::text(anchor)).and_then(|t| dates::date_in_text(t, year))
            })
            .or_else(|| dates::date_in_url(url.as_str()))
            .or_else(|| preceding_date(entry, year));
        let Some(date) = date else { continue };
        let title = anchor_title(anchor, &HashSet::new());
        if title.is_empty() {
            continue;
        }
        seen.insert(url.clone());
        out.push(Item {
            title,
            url: Some(url),
            date: Some(date),
            fields: Fields::default(),
        });
    }
    out
}

/// The largest element around the link that holds no other link: its entry on the page.
fn own_entry(anchor: ElementRef<'_>) -> ElementRef<'_> {
    let mut entry = anchor;
    for _ in 0..MAX_CLIMB {
        match dom::parent_element(entry) {
            Some(parent)
                if dom::count_anchors(parent, 1) == 1 && parent.value().name() != "body" =>
            {
                entry = parent
            }
            _ => break,
        }
    }
    entry
}

/// A date in the link's entry outside the link, or just after the entry.
fn neighbourhood_date(
    entry: ElementRef<'_>,
    anchor: ElementRef<'_>,
    year: Option<i32>,
) -> Option<chrono::NaiveDate> {
    let skip: HashSet<NodeId> = [anchor.id()].into();
    if entry.id() != anchor.id()
        && let Some(d) = dates::date_in_text(&dom::text_excluding(entry, &skip), year)
    {
        return Some(d);
    }
    sibling_text(entry, true).and_then(|t| dates::date_in_text(&t, year))
}

/// A date written just before the link (`<span>[11-02]</span><a>…</a>`). A line break in between
/// means the date closes the previous line's entry instead.
fn preceding_date(entry: ElementRef<'_>, year: Option<i32>) -> Option<chrono::NaiveDate> {
    sibling_text(entry, false).and_then(|t| dates::date_in_text(&t, year))
}

/// The text of the siblings after (or before) `el`, up to the next one holding a link or a line
/// break: beyond either starts another entry.
fn sibling_text(el: ElementRef<'_>, after: bool) -> Option<String> {
    let mut pieces = Vec::new();
    let mut node = if after {
        el.next_sibling()
    } else {
        el.prev_sibling()
    };
    while let Some(n) = node {
        match n.value() {
            Node::Text(t) => pieces.push(t.to_string()),
            Node::Element(el) => {
                let e = ElementRef::wrap(n)?;
                if dom::count_anchors(e, 0) > 0 || matches!(el.name(), "br" | "p" | "li" | "tr") {
                    break;
                }
                pieces.push(dom::text(e));
            }
            _ => {}
        }
        if pieces.iter().map(|p| p.len()).sum::<usize>() > 200 {
            break;
        }
        node = if after {
            n.next_sibling()
        } else {
            n.prev_sibling()
        };
    }
    if !after {
        pieces.reverse();
    }
    let text = links::collapse(&pieces.join(" "));
    (!text.is_empty()).then_some(text)
}
