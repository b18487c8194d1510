//! Reading government web pages: pure, synchronous functions from bytes or text to facts.
//!
//! Workers fetch; this crate reads what they fetched. Nothing here touches the network, the clock
//! or a runtime, so every reader can be tested on saved pages and run on any thread (parse inside
//! the job; scraper's document type is not `Send`). Input is hostile: no input makes a function
//! panic, and an undated entry stays undated (`None`), never "today".
//!
//! | module | reads | main API |
//! | --- | --- | --- |
//! | [`charset`] | page bytes → text, GBK-safe | [`decode`]`(bytes, content_type) -> Decoded`, [`is_html`]`(content_type, bytes) -> bool` |
//! | [`dates`] | dates in text and article URLs | [`dates::find_date`], [`dates::date_in_text`]`(text, year)`, [`dates::date_in_url`], [`dates::year_heading`] |
//! | [`mod@links`] | every link of a page | [`links()`]`(html, page_url) -> Vec<Link>`, [`link_urls`] (without their text) |
//! | [`mod@resolve`] | a link's `href` → the web page it points to | [`resolve()`]`(base, href) -> Option<Url>`, [`Resolver`] for a page's many |
//! | [`list`] | one page of a column list, letters boards, pagination | [`parse_list`]`(html, page_url, hints) -> ListPage`, [`stated_pages`]`(page) -> Option<u32>`, [`parse_dataproxy`]`(xml, page_url) -> Result<ProxyPage, ProxyError>`, [`DataProxyRequest::next_url`] / [`DataProxyRequest::advance`] |
//! | [`blank`] | "nothing here" columns | [`is_blank_text`]`(text) -> bool` |
//! | [`homepage`] | dated links anywhere on a page | [`dated_items`]`(html, page_url) -> Vec<Item>` |
//! | [`mod@face`] | what a page shows: title, visible text, links | [`face()`]`(html, page_url) -> Face` |
//!
//! Choices a caller should know:
//! - Charset order is BOM, header, `<meta>`, detection: a BOM is in the bytes and outranks any
//!   label; a declared charset the bytes contradict yields to detection (see [`charset`]).
//! - [`Selectors`] is the registry's `[websites.columns.selectors]` table, parsed when the
//!   registry is loaded: a typo is an error there, and reading a list cannot fail.
//! - Links are read by a streaming tokenizer (linear on any markup); lists by a tree, which is
//!   refused for markup nesting thousands deep (such a page yields no entries, not a blank column).
//! - Speed: `cargo bench -p spotcheck-extract` (10,000 links on a 1.9 MB page ≈ 20 ms).
//!
//! Walking a Hanweb column:
//! ```no_run
//! # use spotcheck_extract::*;
//! # fn fetch(_: &url::Url) -> String { String::new() }
//! let column = url::Url::parse("http://www.example.gov.cn/col/col123/index.html").unwrap();
//! let first = parse_list(&fetch(&column), &column, None);
//! let mut items = first.items;
//! if let Pagination::DataProxy(mut request) = first.more {
//!     while let Some(next) = request.next_url() {
//!         let Ok(page) = parse_dataproxy(&fetch(&next), &column) else { break };
//!         let advanced = request.advance(&page);
//!         items.extend(page.items);
//!         match advanced { Some(r) => request = r, None => break }
//!     }
//! }
//! ```

pub mod blank;
pub mod charset;
pub mod dates;
mod dom;
pub mod face;
pub mod homepage;
pub mod links;
pub mod list;
pub mod resolve;

pub use blank::is_blank_text;
pub use charset::{CharsetSource, Decoded, decode, is_html};
pub use face::{Face, face};
pub use homepage::{dated_items, dated_items_in_year};
pub use links::{Link, link_urls, links};
pub use list::{
    DataProxyRequest, Fields, Item, ListPage, Pagination, ProxyError, ProxyPage, ReplyStatus,
    Selectors, parse_dataproxy, parse_list, parse_list_in_year, stated_pages,
};
pub use resolve::{Resolver, resolve};
