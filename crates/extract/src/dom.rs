//! Reading text out of a parsed page: the visible words of an element, piece by piece.
//!
//! Traversal is iterative (pages nest thousands deep when tags are never closed); script and style
//! bodies are not text; an image's `alt` counts as text (status columns often show
//! `<img alt="已回复">`).

use std::collections::HashSet;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};
use url::Url;

use crate::links;

fn hidden(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "select" | "option" | "textarea"
    )
}

/// Pages nesting deeper than this are not read as trees: real pages nest well under a hundred
/// levels, and the HTML tree builder takes quadratic time on tens of thousands of unclosed
/// elements.
pub const MAX_NESTING: usize = 3000;

/// Unclosed formatting elements (`<font color=…>` never closed) cost the tree builder far more:
/// each new block re-opens all of them. Real pages leave a few open, never hundreds.
pub const MAX_OPEN_FORMATTING: usize = 400;

/// Whether the markup leaves more elements open than a tree can be built from in reasonable time
/// (a cheap estimate from the tags alone, before any tree is built).
pub fn too_deep(html: &str) -> bool {
    // Elements that close themselves or are closed by their next sibling do not nest.
    const FLAT: &[&str] = &[
        "br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "param",
        "source", "track", "wbr", "li", "p", "td", "th", "tr", "dt", "dd", "option", "tbody",
        "thead", "tfoot", "colgroup", "frame", "keygen", "a",
    ];
    const FORMATTING: &[&str] = &[
        "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut formatting) = (0usize, 0usize);
    let mut i = 0;
    while let Some(rel) = bytes[i..].iter().position(|&b| b == b'<') {
        i += rel + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let len = bytes[start..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len == 0 {
            continue;
        }
        let name = html
            .get(start..start + len)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let counter = if FORMATTING.contains(&name.as_str()) {
            &mut formatting
        } else if matches!(name.as_str(), "td" | "th" | "caption") {
            // Table cells close the formatting elements opened inside them.
            formatting = 0;
            continue;
        } else if FLAT.contains(&name.as_str()) {
            continue;
        } else {
            &mut depth
        };
        if closing {
            *counter = counter.saturating_sub(1);
        } else {
            *counter += 1;
            if depth > MAX_NESTING || formatting > MAX_OPEN_FORMATTING {
                return true;
            }
        }
    }
    false
}

/// The non-empty text pieces of an element, in order; one piece per text node or image `alt`.
pub fn segments(el: ElementRef<'_>) -> Vec<String> {
    segments_excluding(el, &HashSet::new())
}

/// Like [`segments`], leaving out the subtrees rooted at `skip`.
pub fn segments_excluding(el: ElementRef<'_>, skip: &HashSet<NodeId>) -> Vec<String> {
    let mut out = Vec::new();
    let mut skipping: Option<NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(e) if hidden(e.name()) || skip.contains(&node.id()) => {
                        skipping = Some(node.id());
                    }
                    Node::Element(e) if e.name() == "img" => {
                        if let Some(alt) =
                            e.attr("alt").map(links::collapse).filter(|a| !a.is_empty())
                        {
                            out.push(alt);
                        }
                    }
                    Node::Element(e) if e.name() == "br" => out.push(String::new()),
                    Node::Text(t) => {
                        let t = links::collapse(t);
                        if !t.is_empty() {
                            out.push(t);
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The visible text of an element, pieces joined by single spaces.
pub fn text(el: ElementRef<'_>) -> String {
    segments(el).join(" ")
}

/// The visible text of an element without the subtrees rooted at `skip`.
pub fn text_excluding(el: ElementRef<'_>, skip: &HashSet<NodeId>) -> String {
    segments_excluding(el, skip).join(" ")
}

/// The URL relative links resolve against: the first `<base href>` if it is a usable web URL.
pub fn base_url(doc: &Html, page_url: &Url) -> Url {
    doc.root_element()
        .descendent_elements()
        .find(|e| e.value().name() == "base" && e.value().attr("href").is_some())
        .and_then(|e| e.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// The `<a>` elements under `el` (including `el` itself), in order.
pub fn anchors(el: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    el.descendent_elements()
        .filter(|e| e.value().name() == "a")
        .collect()
}

/// Counts `<a>` elements under `el`, stopping once `limit` is exceeded.
pub fn count_anchors(el: ElementRef<'_>, limit: usize) -> usize {
    el.descendent_elements()
        .filter(|e| e.value().name() == "a")
        .take(limit + 1)
        .count()
}

/// The nearest ancestor elements of `el`, closest first.
pub fn parent_element(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.parent().and_then(ElementRef::wrap)
}

#[cfg(test)]
mod tests {
    use super::too_deep;

    #[test]
    fn nesting_estimate() {
        assert!(!too_deep(&"<div>x</div>".repeat(10_000)));
        assert!(!too_deep(
            &"<tr><td><font color=red>2020-11-02</td>".repeat(2_000)
        ));
        assert!(!too_deep(&"<li><a href=x>y</a>".repeat(10_000)));
        assert!(too_deep(&"<div>".repeat(3_001)));
        assert!(too_deep(&"<font color=red>x<p>y".repeat(401)));
    }
}
