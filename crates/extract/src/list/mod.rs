//! Reading one page of a column (栏目) list: its entries, and how to reach its other pages.
//!
//! The CMS family is recognised from the page itself, so the same code reads every city:
//! - Hanweb JCMS: entries from the `<datastore>` records ([`hanweb`]), more pages from the data
//!   proxy ([`Pagination::DataProxy`]).
//! - TRS WCM: entries from the page, every other page from `createPageHTML(…)`
//!   ([`Pagination::Pages`]).
//! - Plain HTML lists and tables: the repeated structure with the most dated links,
//!   the next page from a 下一页 or page-number link ([`Pagination::Next`]).
//!
//! Letters boards are read the same way; their handling unit, dates and reply status land in
//! [`Fields`], found by the labels the board itself prints. A column is [`ListPage::blank_marker`]
//! only when it has no entries and says so (暂无信息) or shows an empty list container.

pub mod hanweb;
pub mod labels;
pub mod pages;
pub(crate) mod paging;
pub(crate) mod region;
pub(crate) mod row;
pub(crate) mod scattered;
pub(crate) mod trs;
pub(crate) mod years;

use chrono::NaiveDate;
use scraper::Html;
use serde::{Deserialize, Serialize};
use url::Url;

pub use hanweb::{DataProxyRequest, ProxyError, ProxyPage};
pub use labels::ReplyStatus;
pub use pages::stated_pages;
pub use spotcheck_core::selectors::{Css, Selectors};

use crate::{blank, dom};
use years::Years;

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The title as shown (the link's `title` attribute when the text is cut short).
    pub title: String,
    /// The entry's page; `None` when the entry links nowhere usable (script-only links).
    pub url: Option<Url>,
    /// The publication date (for letters: the date received); `None` when the entry is undated.
    pub date: Option<NaiveDate>,
    /// Letters-board fields; empty for ordinary entries.
    pub fields: Fields,
}

/// What a letters board says about one letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    /// The handling unit as printed (full name or short form; matching to units is the caller's).
    pub unit: Option<String>,
    /// When the letter was received.
    pub received: Option<NaiveDate>,
    /// Whether it was answered; a letter with an answer date and no status counts as replied.
    pub status: Option<ReplyStatus>,
    /// When it was answered.
    pub answered: Option<NaiveDate>,
}

/// How to reach the other pages of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pagination {
    /// This is the only page, or no way on was found.
    None,
    /// Every other page, known at once (TRS `createPageHTML`), in page order.
    Pages(Vec<Url>),
    /// The next page's URL; read it to learn the one after.
    Next(Url),
    /// The rest comes from a Hanweb data proxy; see [`DataProxyRequest::next_url`].
    DataProxy(DataProxyRequest),
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    /// The entries, in page order.
    pub items: Vec<Item>,
    /// How to reach the other pages.
    pub more: Pagination,
    /// No entries, and the page says it is empty (暂无信息 …) or shows an empty list container.
    pub blank_marker: bool,
    /// How many pages the list says it has, when it says ([`stated_pages`]).
    pub pages: Option<u32>,
}

/// Reads one page of a column list. Month-day dates (`[11-02]`) are read only under a year
/// heading; see [`parse_list_in_year`] to supply the year.
///
/// `hints` are the column's selectors from the registry, parsed (and so valid) when it was
/// loaded. A page nesting elements thousands deep (broken or hostile markup) yields no entries
/// and no blank marker: it was not read.
pub fn parse_list(html: &str, page_url: &Url, hints: Option<&Selectors>) -> ListPage {
    parse_list_in_year(html, page_url, hints, None)
}

/// Like [`parse_list`], reading month-day dates in `year` where no year heading on the page says
/// otherwise. Only pass a year known to hold (e.g. from the column's archive path): a guessed one
/// can make an old column look fresh.
pub fn parse_list_in_year(
    html: &str,
    page_url: &Url,
    hints: Option<&Selectors>,
    year: Option<i32>,
) -> ListPage {
    if dom::too_deep(html) {
        return ListPage {
            items: Vec::new(),
            more: Pagination::None,
            blank_marker: false,
            pages: None,
        };
    }
    let doc = Html::parse_document(html);
    let base = dom::base_url(&doc, page_url);
    let years = Years::scan(doc.root_element(), year);

    if let Some(store) = hanweb::datastore(html) {
        let header = hanweb::page_header(&doc);
        let items = hanweb::items(&store.records, &base, year, header.as_ref(), hints);
        let more = hanweb::request(html, page_url, store.records.len() as u32, store.total)
            .map_or(Pagination::None, Pagination::DataProxy);
        let blank_marker = items.is_empty()
            && (store.records.is_empty() || blank::is_blank_text(&dom::text(doc.root_element())));
        return ListPage {
            items,
            more,
            blank_marker,
            pages: stated_pages(html),
        };
    }

    let hinted_rows = hints.and_then(|h| h.item.as_ref());
    let mut items = match hinted_rows {
        Some(css) => region::read_rows(doc.select(css.selector()), &base, &years, hints).items,
        None => match region::best(doc.root_element(), &base, &years, hints) {
            Some(region) => region.items,
            None => scattered::dated_links(doc.root_element(), &base, &years),
        },
    };

    // Later pages rendered into this one for script to show (动静结合 templates): a page shows
    // as many entries as its pager's page size.
    if let Some((_, per_page)) = pages::pager_size(html) {
        items.truncate(per_page as usize);
    }

    let more = match trs::page_script(html) {
        Some(script) => {
            let pages = script.other_pages(page_url);
            if pages.is_empty() {
                Pagination::None
            } else {
                Pagination::Pages(pages)
            }
        }
        None => paging::next_page(&doc, &base, page_url).map_or(Pagination::None, Pagination::Next),
    };
    let blank_marker = items.is_empty()
        && (blank::is_blank_text(&dom::text(doc.root_element())) || blank::has_empty_list(&doc));
    ListPage {
        items,
        more,
        blank_marker,
        pages: stated_pages(html),
    }
}

/// Reads a Hanweb data proxy answer. `page_url` is the column page the records belong to: their
/// relative links resolve against it, as in the browser that inserts them there.
pub fn parse_dataproxy(xml: &str, page_url: &Url) -> Result<ProxyPage, ProxyError> {
    let store = hanweb::datastore(xml).ok_or(ProxyError::NotDatastore)?;
    let items = hanweb::items(&store.records, page_url, None, None, None);
    Ok(ProxyPage {
        items,
        total: store.total,
        records: store.records.len() as u32,
    })
}
