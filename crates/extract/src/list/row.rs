//! Reading one list entry: its title, link, date and letters fields.
//!
//! The title is the entry's main link (the one with the longest text); the `title` attribute is
//! preferred when the visible text is cut short with `…`. The date is the one the entry shows,
//! looked for in the entry's text outside the title (a date inside a title such as
//! 关于2020年11月2日停电的通知 is not the publication date), then in a date-only element inside
//! the link (`<a><span>2017-10-14</span>标题</a>`). The date in the link's URL (`t20171013_…`) is
//! when the article was created, often days before it was published: it stands in only where the
//! entry shows no date, and gives the year where the entry shows only month and day.
//! Letters fields come from labelled table columns ([`Header`]), from labelled text
//! (`办理单位：市人社局`), or from the column's CSS selectors.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use scraper::ElementRef;
use url::Url;

use super::labels::{self, Label};
use super::{Fields, Item};
use crate::{dates, dom, links, resolve};
use spotcheck_core::registry::Selectors;

/// Everything an entry needs from its page.
pub struct Context<'a> {
    /// What relative links resolve against.
    pub base: &'a Url,
    /// The year for month-day dates, from a year heading above the entry or the caller.
    pub year: Option<i32>,
    /// Column labels when the entry is a table row under a labelled header.
    pub header: Option<&'a Header>,
    /// The column's CSS selectors.
    pub hints: Option<&'a Selectors>,
}

/// A table's header row: which column holds what.
#[derive(Debug, Default, Clone)]
pub struct Header {
    columns: HashMap<usize, Label>,
}

impl Header {
    /// Reads a header row; `None` unless at least two cells are recognised labels.
    pub fn read(row: ElementRef<'_>) -> Option<Header> {
        let mut columns = HashMap::new();
        let mut recognised = 0;
        for (index, cell) in cells(row) {
            let text = dom::text(cell);
            if dates::find_date(&text).is_some() {
                return None;
            }
            if let Some(label) = labels::classify(&text) {
                recognised += 1;
                columns.entry(index).or_insert(label);
            }
        }
        (recognised >= 2).then_some(Header { columns })
    }

    fn column(&self, label: Label) -> Option<usize> {
        let mut found: Vec<usize> = self
            .columns
            .iter()
            .filter(|(_, l)| **l == label)
            .map(|(i, _)| *i)
            .collect();
        found.sort_unstable();
        found.first().copied()
    }

    /// Whether the header names any letters column.
    pub fn is_letters(&self) -> bool {
        self.columns.values().any(|l| {
            matches!(
                l,
                Label::Unit | Label::Status | Label::Received | Label::Answered
            )
        })
    }
}

/// The cells of a table row with their column index (colspan taken into account).
pub fn cells(row: ElementRef<'_>) -> Vec<(usize, ElementRef<'_>)> {
    let mut index = 0;
    let mut out = Vec::new();
    for cell in row
        .child_elements()
        .filter(|c| matches!(c.value().name(), "td" | "th"))
    {
        out.push((index, cell));
        let span = cell
            .value()
            .attr("colspan")
            .and_then(|s| s.trim().parse::<usize>().ok());
        index += span.unwrap_or(1).clamp(1, 100);
    }
    out
}

fn cell_at<'a>(row: ElementRef<'a>, column: usize) -> Option<ElementRef<'a>> {
    cells(row)
        .into_iter()
        .find(|(i, _)| *i == column)
        .map(|(_, c)| c)
}

const ELLIPSES: &[&str] = &["…", "...", "..", "．．．", "。。。"];

/// The title an anchor shows: its text, or its `title` attribute when the text is cut or empty.
pub fn anchor_title(anchor: ElementRef<'_>, skip: &HashSet<ego_tree::NodeId>) -> String {
    let text = dom::text_excluding(anchor, skip);
    let attr = anchor
        .value()
        .attr("title")
        .map(links::collapse)
        .unwrap_or_default();
    let truncated = ELLIPSES.iter().any(|e| text.ends_with(e));
    let title = if (text.is_empty() || truncated) && !attr.is_empty() {
        attr
    } else {
        text
    };
    clean_title(&title)
}

/// Trims bullets and brackets around a title and a date written at its end.
pub fn clean_title(title: &str) -> String {
    let mut t = title
        .trim_matches(|c: char| c.is_whitespace() || "·•●■□◆◇>》".contains(c))
        .to_string();
    // "标题 2020-11-02" or "标题 [11-02]" inside one link: the date is not part of the title.
    if let Some(cut) = trailing_date_start(&t) {
        let head = t[..cut].trim_end().to_string();
        if !head.is_empty() {
            t = head;
        }
    }
    t
}

/// The date written at the end of a title, if any (`标题 2020-11-02`, `标题[11-02]`).
pub fn trailing_date(t: &str) -> Option<&str> {
    trailing_date_start(t).map(|i| &t[i..])
}

fn trailing_date_start(t: &str) -> Option<usize> {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"[\s\[【(（]*(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[\s\]】)）]*$",
        )
        .expect("static regex")
    });
    let m = RE.find(t)?;
    // Only a whole trailing date, separated from the title.
    let before = t[..m.start()].chars().next_back();
    (m.start() > 0 && !before.is_some_and(|c| c.is_ascii_digit())).then_some(m.start())
}

fn main_anchor<'a>(anchors: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    anchors
        .iter()
        .rev()
        .copied()
        .filter(|a| a.value().attr("href").is_some() || a.value().attr("onclick").is_some())
        .max_by_key(|a| {
            let text = anchor_title(*a, &HashSet::new());
            // Longest title; iterating in reverse makes the first of equals win.
            text.chars().count()
        })
}

/// Elements under `anchor` whose whole text is a date (`<a>标题<span>2020-11-02</span></a>`).
fn date_children(
    anchor: ElementRef<'_>,
    year: Option<i32>,
    url_date: Option<NaiveDate>,
) -> (HashSet<ego_tree::NodeId>, Option<NaiveDate>) {
    let mut skip = HashSet::new();
    let mut date = None;
    for child in anchor.descendent_elements().skip(1) {
        let text = dom::text(child);
        if text.chars().count() > 24 {
            continue;
        }
        if let Some(d) = dates::shown_date(&text, year, url_date) {
            skip.insert(child.id());
            date.get_or_insert(d);
        }
    }
    (skip, date)
}

/// Reads one entry; `None` when it has neither a title nor a link.
pub fn read(row: ElementRef<'_>, ctx: &Context<'_>) -> Option<Item> {
    let mut fields = Fields::default();
    let mut explicit_date: Option<NaiveDate> = None;
    let mut title_cell: Option<ElementRef<'_>> = None;

    if let Some(header) = ctx.header
        && row.value().name() == "tr"
    {
        let cell_text = |label| {
            header
                .column(label)
                .and_then(|c| cell_at(row, c))
                .map(dom::text)
        };
        fields.unit = cell_text(Label::Unit)
            .map(|t| clean_value(&t))
            .filter(|t| !t.is_empty());
        fields.received =
            cell_text(Label::Received).and_then(|t| dates::date_in_text(&t, ctx.year));
        fields.answered =
            cell_text(Label::Answered).and_then(|t| dates::date_in_text(&t, ctx.year));
        fields.status = cell_text(Label::Status).and_then(|t| labels::status(&t));
        explicit_date = cell_text(Label::Published)
            .and_then(|t| dates::date_in_text(&t, ctx.year))
            .or_else(|| cell_text(Label::Written).and_then(|t| dates::date_in_text(&t, ctx.year)));
        title_cell = header.column(Label::Title).and_then(|c| cell_at(row, c));
    } else {
        labelled(row, ctx.year, &mut fields, &mut explicit_date);
    }

    if let Some(hints) = ctx.hints {
        if let Some(css) = &hints.date
            && let Some(el) = row.select(css.selector()).next()
        {
            explicit_date = dates::date_in_text(&dom::text(el), ctx.year).or(explicit_date);
        }
        if let Some(css) = &hints.dept
            && let Some(el) = row.select(css.selector()).next()
        {
            let unit = clean_value(&strip_label(&dom::text(el)));
            if !unit.is_empty() {
                fields.unit = Some(unit);
            }
        }
        if let Some(css) = &hints.status
            && let Some(el) = row.select(css.selector()).next()
        {
            fields.status = labels::status(&dom::text(el)).or(fields.status);
        }
    }
    if fields.status.is_none() && fields.answered.is_some() {
        fields.status = Some(super::ReplyStatus::Replied);
    }

    let scope = title_cell.unwrap_or(row);
    let anchors = dom::anchors(scope);
    let anchor = main_anchor(&anchors);
    let url = anchor
        .and_then(|a| a.value().attr("href"))
        .and_then(|href| resolve::resolve(ctx.base, href));
    let url_date = url.as_ref().and_then(|u| dates::date_in_url(u.as_str()));
    let (inner_skip, inner_date) = match anchor {
        Some(a) => date_children(a, ctx.year, url_date),
        None => (HashSet::new(), None),
    };
    let title = match (anchor, title_cell) {
        (Some(a), _) => anchor_title(a, &inner_skip),
        (None, Some(cell)) => clean_title(&dom::text(cell)),
        (None, None) => String::new(),
    };

    let outside = {
        let mut skip = HashSet::new();
        if let Some(a) = anchor {
            skip.insert(a.id());
        }
        dom::text_excluding(row, &skip)
    };
    let date = explicit_date
        .or(fields.received)
        .or_else(|| dates::shown_date(&outside, ctx.year, url_date))
        .or(inner_date)
        .or(url_date);

    if title.is_empty() && url.is_none() {
        return None;
    }
    Some(Item {
        title,
        url,
        date,
        fields,
    })
}

/// Letters fields written as labelled text inside an entry: `<span>办理单位：市人社局</span>`,
/// `办理单位：<em>市人社局</em>`, or `留言时间：2020-11-02 状态：已回复` in one run of text.
fn labelled(
    row: ElementRef<'_>,
    year: Option<i32>,
    fields: &mut Fields,
    date: &mut Option<NaiveDate>,
) {
    let segments = dom::segments(row);
    let mut i = 0;
    while i < segments.len() {
        let segment = &segments[i];
        i += 1;
        for (label, value) in label_pairs(segment) {
            let value = if value.is_empty() {
                match segments.get(i) {
                    Some(next) if label_pairs(next).is_empty() => {
                        i += 1;
                        next.clone()
                    }
                    _ => String::new(),
                }
            } else {
                value
            };
            match label {
                Label::Unit => {
                    let v = clean_value(&value);
                    if !v.is_empty() {
                        fields.unit.get_or_insert(v);
                    }
                }
                Label::Received => {
                    if let Some(d) = dates::date_in_text(&value, year) {
                        fields.received.get_or_insert(d);
                    }
                }
                Label::Answered => {
                    if let Some(d) = dates::date_in_text(&value, year) {
                        fields.answered.get_or_insert(d);
                    }
                }
                Label::Status => {
                    if let Some(s) = labels::status(&value) {
                        fields.status.get_or_insert(s);
                    }
                }
                Label::Published | Label::Written => {
                    if let Some(d) = dates::date_in_text(&value, year) {
                        date.get_or_insert(d);
                    }
                }
                Label::Title => {}
            }
        }
    }
}

/// `label：value` pairs in one piece of text; a value runs to the next label.
fn label_pairs(segment: &str) -> Vec<(Label, String)> {
    let mut pairs: Vec<(Label, usize, usize)> = Vec::new(); // label, value start, label start
    let mut search = 0;
    while let Some(rel) = segment[search..].find(['：', ':']) {
        let colon = search + rel;
        let colon_len = segment[colon..].chars().next().map_or(1, char::len_utf8);
        search = colon + colon_len;
        // The label is the run of Chinese characters just before the colon (at most 8).
        let head = &segment[..colon];
        let start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .take(8)
            .last()
            .map_or(colon, |(i, _)| i);
        let label_text = &segment[start..colon];
        if let Some(label) = labels::classify(label_text)
            && label != Label::Title
        {
            pairs.push((label, search, start));
        }
    }
    let mut out = Vec::new();
    for (n, (label, value_start, _)) in pairs.iter().enumerate() {
        let end = pairs
            .get(n + 1)
            .map_or(segment.len(), |(_, _, next_label)| *next_label);
        let value = if *value_start <= end {
            segment[*value_start..end].trim()
        } else {
            ""
        };
        out.push((*label, value.to_string()));
    }
    out
}

/// Removes a leading `label：` from a value picked by a CSS selector.
fn strip_label(text: &str) -> String {
    match text.split_once(['：', ':']) {
        Some((label, value)) if labels::classify(label).is_some() => value.trim().to_string(),
        _ => text.trim().to_string(),
    }
}

fn clean_value(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || "[]【】()（）|｜,，;；".contains(c))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_pairs_split_runs() {
        let got = label_pairs("办理单位：市人社局 留言时间：2020-11-02 状态：已回复");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (Label::Unit, "市人社局".to_string()));
        assert_eq!(got[1], (Label::Received, "2020-11-02".to_string()));
        assert_eq!(got[2], (Label::Status, "已回复".to_string()));
        assert_eq!(
            label_pairs("办理单位："),
            vec![(Label::Unit, String::new())]
        );
        assert!(label_pairs("时间:17:00").len() == 1);
    }

    #[test]
    fn titles() {
        assert_eq!(
            clean_title("· 关于开展抽查的通知 2020-11-02"),
            "关于开展抽查的通知"
        );
        assert_eq!(
            clean_title("关于开展抽查的通知[11-02]"),
            "关于开展抽查的通知"
        );
        assert_eq!(clean_title("2020-11-02"), "2020-11-02");
        assert_eq!(
            clean_title("关于2020年11月2日停电的通知"),
            "关于2020年11月2日停电的通知"
        );
    }
}
