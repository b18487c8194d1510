//! Hanweb JCMS (大汉) columns: records in a `<datastore>`, the rest from `dataproxy.jsp`.
//!
//! A Hanweb column page carries its first records only inside
//! `<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>…</li>]]></record>…`,
//! which an HTML parser sees as script text, so the records are cut out of the raw page and each
//! one is read as its own fragment. The browser then fetches the other records from
//! `/module/web/jpage/dataproxy.jsp` with `startrecord`, `endrecord` and `perpage`, plus the
//! column's ids (`columnid`, `unitid`, `webid`, `appid`, `path`, `webname`, `permissiontype` …),
//! which the page holds in the `<nextgroup>` link or in the script that calls the proxy
//! (`{col:1,appid:1,webid:1,path:'/',columnid:123,unitid:'456',…}`). The proxy answers with the
//! same `<datastore>`, plus `<totalrecord>`.

use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use serde::{Deserialize, Serialize};
use url::Url;

use super::Item;
use super::region;
use super::row::Header;
use super::years::Years;
use spotcheck_core::registry::Selectors;

/// Records asked for when the page does not say: Hanweb shows three pages per request.
const DEFAULT_PER_PAGE: u32 = 15;
const PAGES_PER_REQUEST: u32 = 3;
/// No column is walked past this many records: a hostile or broken proxy could count forever.
pub const MAX_RECORDS: u32 = 20_000;

/// How to ask a Hanweb data proxy for the rest of a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProxyRequest {
    /// The proxy (`…/module/web/jpage/dataproxy.jsp`), without query.
    pub url: Url,
    /// The column's ids, as the page passes them (`columnid`, `unitid`, `webid` …).
    pub params: Vec<(String, String)>,
    /// Records in the column, when the page or the proxy said.
    pub total: Option<u32>,
    /// Records per displayed page (`perpage`).
    pub per_page: u32,
    /// Records already read; the next request starts after them.
    pub already: u32,
    /// Records asked for per request (`endrecord - startrecord + 1`).
    pub batch: u32,
}

/// One answer of the data proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyPage {
    /// The entries read from the records.
    pub items: Vec<Item>,
    /// `<totalrecord>`, when present.
    pub total: Option<u32>,
    /// How many `<record>`s the answer held (an entry may fail to read; the count still moves on).
    pub records: u32,
}

/// Why a data proxy answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// The answer holds no `<datastore>`: an error page, a firewall's block page, a login page.
    #[error(
        "the data proxy answer is not a Hanweb datastore (no <datastore> element); the proxy may refuse the request or the column ids may be wrong"
    )]
    NotDatastore,
}

impl DataProxyRequest {
    /// The next record range to ask for, `(startrecord, endrecord)`, or `None` when done.
    pub fn next_range(&self) -> Option<(u32, u32)> {
        let limit = self.total.unwrap_or(MAX_RECORDS).min(MAX_RECORDS);
        if self.already >= limit {
            return None;
        }
        let start = self.already + 1;
        let end = self.already.saturating_add(self.batch.max(1)).min(limit);
        Some((start, end))
    }

    /// The next request as one GET URL with every parameter in the query (Hanweb accepts both
    /// methods), or `None` when the column has been read.
    pub fn next_url(&self) -> Option<Url> {
        let (url, form) = self.next_form()?;
        let mut url = url;
        url.query_pairs_mut()
            .extend_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Some(url)
    }

    /// The next request as the browser sends it: `startrecord`, `endrecord` and `perpage` in the
    /// URL's query, the column's ids as a form body to POST.
    pub fn next_form(&self) -> Option<(Url, Vec<(String, String)>)> {
        let (start, end) = self.next_range()?;
        let mut url = self.url.clone();
        url.set_query(None);
        url.query_pairs_mut()
            .append_pair("startrecord", &start.to_string())
            .append_pair("endrecord", &end.to_string())
            .append_pair("perpage", &self.per_page.to_string());
        Some((url, self.params.clone()))
    }

    /// The request after `page` was read, or `None` when the column has been read (the total
    /// reached, or an answer without records).
    pub fn advance(&self, page: &ProxyPage) -> Option<DataProxyRequest> {
        if page.records == 0 {
            return None;
        }
        let next = DataProxyRequest {
            already: self.already.saturating_add(page.records),
            total: page.total.or(self.total),
            ..self.clone()
        };
        next.next_range().is_some().then_some(next)
    }
}

/// A `<datastore>` cut out of a page or a proxy answer.
pub(crate) struct Datastore {
    pub(crate) records: Vec<String>,
    pub(crate) total: Option<u32>,
}

static DATASTORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<datastore\b[^>]*>(.*?)(?:</datastore\s*>|\z)").expect("static regex")
});
static RECORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record\s*>")
        .expect("static regex")
});
static TOTAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<totalrecord>\s*(\d{1,9})\s*</totalrecord>").expect("static regex")
});
static JS_TOTAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\btotal_?record\s*[:=]\s*['"]?(\d{1,9})"#).expect("static regex")
});
static JS_PER_PAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bper_?page\s*[:=]\s*['"]?(\d{1,5})"#).expect("static regex")
});
static PROXY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)([^"'<>\s()=]*dataproxy\.jsp)(?:\?([^"'<>\s]*))?"#).expect("static regex")
});
static OBJECT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)\{([^{}]*?\bcolumnid\b[^{}]*)\}").expect("static regex"));
static PAIR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|([^,\s}]+))"#)
        .expect("static regex")
});

/// The datastore with the most records, if the text holds one.
pub(crate) fn datastore(text: &str) -> Option<Datastore> {
    DATASTORE_RE
        .captures_iter(text)
        .filter_map(|caps| caps.get(1))
        .map(|body| {
            let body = body.as_str();
            let records = RECORD_RE
                .captures_iter(body)
                .filter_map(|c| match (c.get(1), c.get(2)) {
                    (Some(cdata), _) => Some(cdata.as_str().to_string()),
                    (None, Some(raw)) => Some(htmlize::unescape(raw.as_str()).into_owned()),
                    _ => None,
                })
                .collect::<Vec<_>>();
            let total = TOTAL_RE.captures(body).and_then(|c| c[1].parse().ok());
            Datastore { records, total }
        })
        .max_by_key(|d| d.records.len())
}

/// Reads the entries of the records. `header` is a labelled header row from the page, for boards
/// whose records are bare table rows; `hints` are the column's selectors (`date`, `dept` and
/// `status` apply inside each record).
pub(crate) fn items(
    records: &[String],
    base: &Url,
    year: Option<i32>,
    header: Option<&Header>,
    hints: Option<&Selectors>,
) -> Vec<Item> {
    let mut items = Vec::new();
    for record in records {
        let trimmed = record.trim_start();
        let lower: String = trimmed
            .chars()
            .take(4)
            .collect::<String>()
            .to_ascii_lowercase();
        let wrapped = if lower.starts_with("<tr") {
            format!("<table>{record}</table>")
        } else if lower.starts_with("<td") || lower.starts_with("<th") {
            format!("<table><tr>{record}</tr></table>")
        } else {
            record.clone()
        };
        let fragment = Html::parse_fragment(&wrapped);
        let root = fragment.root_element();
        let years = Years::scan(root, year);
        // A record normally holds one entry; some hold a whole list.
        if let Some(region) = region::best(root, base, &years, hints)
            && region.items.len() > 1
        {
            items.extend(region.items);
            continue;
        }
        let row = root
            .descendent_elements()
            .find(|e| e.value().name() == "tr")
            .filter(|_| header.is_some())
            .unwrap_or(root);
        let ctx = super::row::Context {
            base,
            year,
            header,
            hints,
        };
        if let Some(item) = super::row::read(row, &ctx) {
            items.push(item);
        }
    }
    items
}

/// How to fetch the rest of a Hanweb column, from the page's scripts and `<nextgroup>` link.
pub(crate) fn request(
    page: &str,
    page_url: &Url,
    already: u32,
    total: Option<u32>,
) -> Option<DataProxyRequest> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut range: Option<(u32, u32)> = None;
    let mut per_page: Option<u32> = None;
    let mut proxy_path: Option<String> = None;

    // The parameter object (`{col:1,appid:1,…,columnid:123,…}`) first: it is what the page sends.
    if let Some(object) = OBJECT_RE.captures(page).and_then(|c| c.get(1)) {
        let pairs: Vec<(String, String)> = PAIR_RE
            .captures_iter(object.as_str())
            .map(|pair| {
                let value = pair
                    .get(2)
                    .or(pair.get(3))
                    .or(pair.get(4))
                    .map_or("", |m| m.as_str());
                (pair[1].to_string(), value.to_string())
            })
            .collect();
        note_range(&pairs, &mut range, &mut per_page);
        add_params(&pairs, &mut params);
    }
    // Then every proxy URL on the page (the `<nextgroup>` link, the script's `url:`).
    for caps in PROXY_RE.captures_iter(page) {
        proxy_path.get_or_insert_with(|| caps[1].to_string());
        let Some(query) = caps.get(2) else { continue };
        let query = htmlize::unescape_attribute(query.as_str()).into_owned();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        note_range(&pairs, &mut range, &mut per_page);
        add_params(&pairs, &mut params);
    }
    if !params
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("columnid"))
    {
        return None;
    }
    let per_page = per_page
        .or_else(|| {
            JS_PER_PAGE_RE
                .captures(page)
                .and_then(|c| c[1].parse().ok())
                .filter(|p: &u32| *p > 0)
        })
        .unwrap_or(DEFAULT_PER_PAGE);
    let batch = range
        .map_or(per_page.saturating_mul(PAGES_PER_REQUEST), |(s, e)| {
            e - s + 1
        })
        .clamp(1, 1000);
    let total = total.or_else(|| JS_TOTAL_RE.captures(page).and_then(|c| c[1].parse().ok()));
    let path = proxy_path.unwrap_or_else(|| "/module/web/jpage/dataproxy.jsp".to_string());
    let mut url = page_url
        .join(&path)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))?;
    url.set_query(None);
    url.set_fragment(None);
    let request = DataProxyRequest {
        url,
        params,
        total,
        per_page,
        already,
        batch,
    };
    request.next_range().is_some().then_some(request)
}

fn unquote(v: &str) -> &str {
    v.trim().trim_matches(|c| c == '\'' || c == '"')
}

/// Keeps the column's ids; the record range is the request's own business.
fn add_params(pairs: &[(String, String)], params: &mut Vec<(String, String)>) {
    for (k, v) in pairs {
        let control = matches!(
            k.to_ascii_lowercase().as_str(),
            "startrecord" | "endrecord" | "perpage" | "page"
        );
        if !control
            && !params
                .iter()
                .any(|(existing, _)| existing.eq_ignore_ascii_case(k))
        {
            params.push((k.clone(), unquote(v).to_string()));
        }
    }
}

/// The record range the page asks for (`startrecord=1&endrecord=45&perpage=15`).
fn note_range(
    pairs: &[(String, String)],
    range: &mut Option<(u32, u32)>,
    per_page: &mut Option<u32>,
) {
    let number = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| unquote(v).parse::<u32>().ok())
    };
    if let (Some(s), Some(e)) = (number("startrecord"), number("endrecord"))
        && e >= s
        && s > 0
    {
        range.get_or_insert((s, e));
    }
    if let Some(p) = number("perpage").filter(|p| *p > 0) {
        per_page.get_or_insert(p);
    }
}

/// The labelled header row of the page's letters table, for records that are bare table rows.
pub(crate) fn page_header(doc: &Html) -> Option<Header> {
    doc.root_element()
        .descendent_elements()
        .filter(|e| e.value().name() == "tr")
        .find_map(Header::read)
}
