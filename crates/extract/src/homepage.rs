//! Dated links anywhere on a page, for the newest item on a homepage.
//!
//! A homepage has no single list: every dated link counts, read as
//! the list reader's `scattered` module describes (the same reading serves columns written
//! as bare links).

use scraper::Html;
use url::Url;

use crate::dom;
use crate::list::Item;
use crate::list::scattered::dated_links;
use crate::list::years::Years;

/// Every dated link on the page, in page order, one per URL. A page nesting elements thousands
/// deep is not read (see [`crate::list::parse_list`]).
pub fn dated_items(html: &str, page_url: &Url) -> Vec<Item> {
    dated_items_in_year(html, page_url, None)
}

/// Like [`dated_items`], reading month-day dates (`11-02`) in `year` where no year heading says.
pub fn dated_items_in_year(html: &str, page_url: &Url, year: Option<i32>) -> Vec<Item> {
    if dom::too_deep(html) {
        return Vec::new();
    }
    let doc = Html::parse_document(html);
    let base = dom::base_url(&doc, page_url);
    let years = Years::scan(doc.root_element(), year);
    dated_links(doc.root_element(), &base, &years)
}
