//! Finding the part of a page that is the list: the repeated structure carrying dated links.
//!
//! Every element whose children repeat one tag (`ul > li`, `tbody > tr`, `div > div`, `dl > dd`)
//! is a candidate; each child is read as an entry, and the candidate with the most dated entries
//! wins (then the most linked entries). Navigation menus repeat links too, but carry no dates, so
//! they lose. A child holding more than [`MAX_ANCHORS_PER_ENTRY`] links is a block of the page
//! layout, not an entry. Tables get their header row read so that letters columns are found by
//! label.

use std::collections::HashMap;

use scraper::ElementRef;
use url::Url;

use super::Item;
use super::row::{self, Context, Header};
use super::years::Years;
use crate::dom;
use spotcheck_core::registry::Selectors;

/// An entry with more links than this is a layout block holding a list, not one entry.
pub const MAX_ANCHORS_PER_ENTRY: usize = 4;

/// The tags a list entry is written in.
fn entry_tag(name: &str) -> bool {
    matches!(
        name,
        "li" | "tr"
            | "dd"
            | "dt"
            | "div"
            | "p"
            | "article"
            | "section"
            | "h3"
            | "h4"
            | "h5"
            | "span"
            | "td"
    )
}

/// The list found on a page.
pub struct Region {
    pub items: Vec<Item>,
    /// Whether the list is a letters board (its entries carry letters fields).
    pub letters: bool,
}

/// The header row of the table that `row` belongs to, if the table has a labelled one.
pub fn table_header(row: ElementRef<'_>) -> Option<Header> {
    let table = std::iter::successors(dom::parent_element(row), |e| dom::parent_element(*e))
        .find(|e| e.value().name() == "table")?;
    // Rows of this table only (not of tables nested in it), up to the first few.
    table
        .descendent_elements()
        .filter(|e| e.value().name() == "tr")
        .filter(|tr| {
            std::iter::successors(dom::parent_element(*tr), |e| dom::parent_element(*e))
                .find(|e| e.value().name() == "table")
                .is_some_and(|t| t.id() == table.id())
        })
        .take(3)
        .find_map(Header::read)
}

/// Reads entries from explicit rows (the column's `item` selector).
pub fn read_rows<'a>(
    rows: impl Iterator<Item = ElementRef<'a>>,
    base: &Url,
    years: &Years,
    hints: Option<&Selectors>,
) -> Region {
    let mut headers: HashMap<ego_tree::NodeId, Option<Header>> = HashMap::new();
    let mut items = Vec::new();
    let mut letters = false;
    for row_el in rows {
        let header = if row_el.value().name() == "tr" {
            let table =
                std::iter::successors(dom::parent_element(row_el), |e| dom::parent_element(*e))
                    .find(|e| e.value().name() == "table");
            match table {
                Some(t) => headers
                    .entry(t.id())
                    .or_insert_with(|| table_header(row_el))
                    .as_ref(),
                None => None,
            }
        } else {
            None
        };
        if header.is_some_and(|h| is_header_row(row_el, h)) {
            continue;
        }
        letters |= header.is_some_and(Header::is_letters);
        let ctx = Context {
            base,
            year: years.at(row_el),
            header,
            hints,
        };
        if let Some(item) = row::read(row_el, &ctx) {
            letters |= item.fields.unit.is_some() || item.fields.status.is_some();
            items.push(item);
        }
    }
    Region { items, letters }
}

fn is_header_row(row: ElementRef<'_>, _header: &Header) -> bool {
    Header::read(row).is_some()
}

/// Containers in one group share parent, tag and class: one list split into blocks, or one list
/// per year under year headings.
type GroupKey = (Option<ego_tree::NodeId>, String);

/// A block wrapper is climbed through at most this many levels.
const MAX_BLOCK_DEPTH: usize = 2;

/// Tag and class: what makes elements alike.
fn signature(el: ElementRef<'_>) -> String {
    format!(
        "{}.{}",
        el.value().name(),
        el.value().attr("class").unwrap_or_default()
    )
}

/// The group a list container belongs to. Like containers under one parent are one list. So are
/// containers that each sit alone in a block of a run of like sibling blocks holding nothing else
/// (`<div><ul>5 rows</ul><div class=line></div></div><div><ul>5 more</ul>…`): a CMS that writes
/// its list in chunks still shows one list. A block with a heading or links of its own is a box of
/// another list (a sidebar), so it ends the climb.
fn group_key(container: ElementRef<'_>) -> GroupKey {
    let own = (
        dom::parent_element(container).map(|p| p.id()),
        signature(container),
    );
    let mut node = container;
    let mut path = signature(container);
    for _ in 0..MAX_BLOCK_DEPTH {
        let Some(parent) = dom::parent_element(node) else {
            break;
        };
        if like_siblings(node) > 0 {
            return (Some(parent.id()), path);
        }
        // Stops at the first link or word outside `node`: a sidebar box is left at its heading.
        let wraps_only =
            parent
                .children()
                .filter(|c| c.id() != node.id())
                .all(|c| match ElementRef::wrap(c) {
                    Some(e) => {
                        dom::count_anchors(e, 0) == 0 && e.text().all(|t| t.trim().is_empty())
                    }
                    None => c.value().as_text().is_none_or(|t| t.trim().is_empty()),
                });
        if !wraps_only {
            break;
        }
        path = format!("{}>{path}", signature(parent));
        node = parent;
    }
    own
}

/// How many siblings of `el` share its tag and class.
fn like_siblings(el: ElementRef<'_>) -> usize {
    let Some(parent) = dom::parent_element(el) else {
        return 0;
    };
    let sig = signature(el);
    parent
        .child_elements()
        .filter(|c| c.id() != el.id() && signature(*c) == sig)
        .count()
}

struct Group<'a> {
    key: &'a GroupKey,
    dated: usize,
    linked: usize,
    anchors: usize,
}

struct Candidate {
    group: GroupKey,
    dated: usize,
    linked: usize,
    anchors: usize,
    region: Region,
}

/// Finds the list on a page; `None` when no repeated structure carries a dated entry.
pub fn best(
    root: ElementRef<'_>,
    base: &Url,
    years: &Years,
    hints: Option<&Selectors>,
) -> Option<Region> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for container in root.descendent_elements() {
        let mut by_tag: HashMap<&str, usize> = HashMap::new();
        for child in container.child_elements() {
            if entry_tag(child.value().name()) {
                *by_tag.entry(child.value().name()).or_default() += 1;
            }
        }
        let Some((&tag, _)) = by_tag.iter().max_by_key(|(tag, n)| (**n, **tag)) else {
            continue;
        };
        // A lone entry is a list only inside a list element (a column holding one item);
        // elsewhere it is a chain of wrappers.
        let list_element = matches!(
            container.value().name(),
            "ul" | "ol" | "tbody" | "table" | "dl"
        );
        if by_tag[tag] < 2 && !list_element {
            continue;
        }
        let rows: Vec<ElementRef<'_>> = container
            .child_elements()
            .filter(|c| c.value().name() == tag)
            .filter(|c| dom::count_anchors(*c, MAX_ANCHORS_PER_ENTRY) <= MAX_ANCHORS_PER_ENTRY)
            .collect();
        let anchors: usize = rows
            .iter()
            .map(|r| dom::count_anchors(*r, MAX_ANCHORS_PER_ENTRY))
            .sum();
        if anchors == 0 {
            continue;
        }
        let mut region = read_rows(rows.into_iter(), base, years, hints);
        // A row with neither a link nor a date is the list's pager or a spacer, not an entry.
        region.items.retain(|i| i.url.is_some() || i.date.is_some());
        let dated = region
            .items
            .iter()
            .filter(|i| i.date.is_some() && i.url.is_some())
            .count();
        if dated == 0 {
            continue;
        }
        let linked = region.items.iter().filter(|i| i.url.is_some()).count();
        let group = group_key(container);
        candidates.push(Candidate {
            group,
            dated,
            linked,
            anchors,
            region,
        });
    }

    // Score groups: most dated entries, then most links per entry that are entries (a layout
    // block holding two short lists has more links per "entry" than either list), then most
    // linked entries, then the first on the page.
    let mut groups: Vec<Group<'_>> = Vec::new();
    for c in &candidates {
        match groups.iter_mut().find(|g| *g.key == c.group) {
            Some(g) => {
                g.dated += c.dated;
                g.linked += c.linked;
                g.anchors += c.anchors;
            }
            None => groups.push(Group {
                key: &c.group,
                dated: c.dated,
                linked: c.linked,
                anchors: c.anchors,
            }),
        }
    }
    let best = groups
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| {
            a.dated
                .cmp(&b.dated)
                .then((a.linked * b.anchors).cmp(&(b.linked * a.anchors)))
                .then(a.linked.cmp(&b.linked))
                .then(ib.cmp(ia))
        })
        .map(|(_, g)| g.key.clone())?;
    let mut merged = Region {
        items: Vec::new(),
        letters: false,
    };
    for c in candidates.into_iter().filter(|c| c.group == best) {
        merged.letters |= c.region.letters;
        merged.items.extend(c.region.items);
    }
    Some(merged)
}
