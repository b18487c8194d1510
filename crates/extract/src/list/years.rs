//! The year in force at each point of a page, for lists dated `[11-02]` under a `2020年` heading.
//!
//! A piece of text that is only a year (`2020`, `2020年`, `【2020年度】`), outside links and form
//! options, sets the year for everything after it. In a heading element (`h1`–`h6`, `caption`,
//! `dt`, `th`, `legend`, `strong`, `b`) it always does. Elsewhere, several such pieces in a row
//! with nothing in between are a row of year tabs, not a heading: they set no year, since which
//! tab is showing is unknown.

use std::collections::HashMap;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use crate::dates;

/// The year in force at each element of a page.
pub struct Years {
    at: HashMap<NodeId, i32>,
    fallback: Option<i32>,
}

impl Years {
    /// Walks the page once. `fallback` is the caller's year for elements no heading covers.
    pub fn scan(root: ElementRef<'_>, fallback: Option<i32>) -> Years {
        let mut at = HashMap::new();
        let mut current: Option<i32> = None;
        let mut last_was_heading = false;
        let mut quiet: Vec<NodeId> = Vec::new(); // open a / option / script … elements
        let heading = |node: ego_tree::NodeRef<'_, Node>| {
            node.parent()
                .and_then(|p| p.value().as_element())
                .is_some_and(|e| {
                    matches!(
                        e.name(),
                        "h1" | "h2"
                            | "h3"
                            | "h4"
                            | "h5"
                            | "h6"
                            | "caption"
                            | "dt"
                            | "th"
                            | "legend"
                            | "strong"
                            | "b"
                    )
                })
        };
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        if matches!(
                            e.name(),
                            "a" | "option" | "select" | "script" | "style" | "title"
                        ) {
                            quiet.push(node.id());
                        }
                        if let Some(y) = current {
                            at.insert(node.id(), y);
                        }
                    }
                    Node::Text(t) => {
                        if t.trim().is_empty() {
                            continue;
                        }
                        match dates::year_heading(t) {
                            Some(y) if quiet.is_empty() => {
                                current = if last_was_heading && !heading(node) {
                                    None
                                } else {
                                    Some(y)
                                };
                                last_was_heading = true;
                            }
                            _ => last_was_heading = false,
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    if quiet.last() == Some(&node.id()) {
                        quiet.pop();
                    }
                }
            }
        }
        Years { at, fallback }
    }

    /// The year for month-day dates at this element.
    pub fn at(&self, el: ElementRef<'_>) -> Option<i32> {
        self.at.get(&el.id()).copied().or(self.fallback)
    }
}
