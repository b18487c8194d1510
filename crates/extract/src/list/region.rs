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
use super::selectors::Compiled;
use super::years::Years;
use crate::dom;

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
    hints: Option<&Compiled>,
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

struct Score {
    dated: usize,
    linked: usize,
}

/// Finds the list on a page; `None` when no repeated structure carries a dated entry.
pub fn best(
    root: ElementRef<'_>,
    base: &Url,
    years: &Years,
    hints: Option<&Compiled>,
) -> Option<Region> {
    let mut best: Option<(Score, Region)> = None;
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
        let rows: Vec<ElementRef<'_>> = container
            .child_elements()
            .filter(|c| c.value().name() == tag)
            .filter(|c| dom::count_anchors(*c, MAX_ANCHORS_PER_ENTRY) <= MAX_ANCHORS_PER_ENTRY)
            .collect();
        // A lone entry is a list only inside a list element (a column holding one item);
        // elsewhere it is a chain of wrappers.
        let list_element = matches!(
            container.value().name(),
            "ul" | "ol" | "tbody" | "table" | "dl"
        );
        if rows.len() < 2 && !list_element {
            continue;
        }
        if !rows.iter().any(|r| dom::count_anchors(*r, 1) > 0) {
            continue;
        }
        let region = read_rows(rows.into_iter(), base, years, hints);
        let score = Score {
            dated: region
                .items
                .iter()
                .filter(|i| i.date.is_some() && i.url.is_some())
                .count(),
            linked: region.items.iter().filter(|i| i.url.is_some()).count(),
        };
        if score.dated == 0 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((b, _)) => (score.dated, score.linked) > (b.dated, b.linked),
        };
        if better {
            best = Some((score, region));
        }
    }
    best.map(|(_, region)| region)
}
