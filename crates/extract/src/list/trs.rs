//! TRS WCM (拓尔思) pagination, which only JavaScript writes.
//!
//! A TRS list page calls `createPageHTML(pageCount, currentIndex, "index", "html")`, or the
//! six-argument form `createPageHTML('page_div', 5, 1, 'index', 'html', 97)` (div, page count,
//! current index, prefix, extension, record count), often with variables
//! (`var countPage = 5; var currentPage = 0; … createPageHTML(countPage, currentPage, "index", "htm")`).
//! Some templates write the pager inline instead, from the same two variables
//! (`var currentPage=0; var countPage=11; … document.write("<a href=\"index_"+nextPage+".shtml\">")`):
//! the variables give the count and the current page, the first page name written gives prefix
//! and extension.
//! Page 0 is `index.html` (the column URL ending in `/` serves it too), page n is `index_n.html`,
//! all in the directory of the current page, so every other page is known at once.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// No column is listed past this many pages: a broken or hostile page may claim millions.
pub const MAX_PAGES: u32 = 1000;

static PAGE_NAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(index|default|list)(?:_\d+)?\.(s?html?)\b").expect("static regex")
});

static CALL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"createPageHTML\s*\(([^()]*)\)").expect("static regex"));

/// A `createPageHTML` call, its arguments resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageScript {
    pub count: u32,
    pub current: u32,
    pub prefix: String,
    pub ext: String,
    pub records: Option<u32>,
}

enum Arg {
    Str(String),
    Num(u32),
    Other,
}

fn js_var(page: &str, name: &str) -> Option<String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let re = Regex::new(&format!(
        r#"(?:^|[^\w$.]){}\s*=\s*(?:"([^"]*)"|'([^']*)'|(\d+))"#,
        regex::escape(name)
    ))
    .ok()?;
    let caps = re.captures(page)?;
    caps.get(1)
        .or(caps.get(2))
        .or(caps.get(3))
        .map(|m| m.as_str().to_string())
}

fn arg(page: &str, raw: &str) -> Arg {
    let raw = raw.trim();
    let value = if let Some(s) = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
    {
        s.to_string()
    } else if raw.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        raw.to_string()
    } else {
        match js_var(page, raw) {
            Some(v) => v,
            None => return Arg::Other,
        }
    };
    match value.trim().parse::<u32>() {
        Ok(n) => Arg::Num(n),
        Err(_) => Arg::Str(value),
    }
}

fn name_part(s: &str, default: &str) -> String {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        s.to_string()
    } else {
        default.to_string()
    }
}

/// The first `createPageHTML` call on the page (function definitions are skipped).
pub fn page_script(page: &str) -> Option<PageScript> {
    for caps in CALL_RE.captures_iter(page) {
        let whole = caps.get(0)?;
        if page[..whole.start()].trim_end().ends_with("function") {
            continue;
        }
        let args: Vec<Arg> = caps[1].split(',').map(|a| arg(page, a)).collect();
        // With a leading div name, everything shifts by one.
        let args = match args.first() {
            Some(Arg::Str(_)) => &args[1..],
            _ => &args[..],
        };
        let (Some(Arg::Num(count)), Some(Arg::Num(current))) = (args.first(), args.get(1)) else {
            continue;
        };
        let text = |i: usize, default: &str| match args.get(i) {
            Some(Arg::Str(s)) => name_part(s, default),
            _ => default.to_string(),
        };
        let records = match args.get(4) {
            Some(Arg::Num(n)) => Some(*n),
            _ => None,
        };
        return Some(PageScript {
            count: *count,
            current: *current,
            prefix: text(2, "index"),
            ext: text(3, "html"),
            records,
        });
    }
    inline_pager(page)
}

/// The inline pager that `countPage` and `currentPage` drive, without a `createPageHTML` call.
fn inline_pager(page: &str) -> Option<PageScript> {
    let count = js_var(page, "countPage")?.trim().parse().ok()?;
    let current = js_var(page, "currentPage")?.trim().parse().ok()?;
    let from = page.find("countPage").unwrap_or(0);
    let (prefix, ext) = PAGE_NAME_RE
        .captures(&page[from..])
        .map_or(("index".into(), "html".into()), |c| {
            (c[1].to_string(), c[2].to_string())
        });
    Some(PageScript {
        count,
        current,
        prefix,
        ext,
        records: None,
    })
}

impl PageScript {
    /// The URLs of every page but the current one, in page order.
    pub fn other_pages(&self, page_url: &Url) -> Vec<Url> {
        (0..self.count.min(MAX_PAGES))
            .filter(|i| *i != self.current)
            .filter_map(|i| {
                let name = if i == 0 {
                    format!("{}.{}", self.prefix, self.ext)
                } else {
                    format!("{}_{}.{}", self.prefix, i, self.ext)
                };
                page_url.join(&name).ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_forms() {
        let four = page_script(r#"createPageHTML(5, 0, "index", "html");"#).unwrap();
        assert_eq!(
            (
                four.count,
                four.current,
                four.prefix.as_str(),
                four.ext.as_str()
            ),
            (5, 0, "index", "html")
        );
        let six = page_script("createPageHTML('page_div', 5, 3, 'index', 'shtml', 97);").unwrap();
        assert_eq!(
            (six.count, six.current, six.ext.as_str(), six.records),
            (5, 3, "shtml", Some(97))
        );
        let vars = page_script(
            "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\n\
             var countPage = 7//共多少页\n var currentPage = 2;\n createPageHTML(countPage, currentPage, \"index\", \"htm\");",
        )
        .unwrap();
        assert_eq!((vars.count, vars.current, vars.ext.as_str()), (7, 2, "htm"));
        assert!(page_script("createPageHTML(x, y)").is_none());
        let inline = page_script(
            "var currentPage=0;\n var countPage=11;\n document.write(\"<a href=\\\"index.shtml\\\">首页</a>\");",
        )
        .unwrap();
        assert_eq!(
            (
                inline.count,
                inline.current,
                inline.prefix.as_str(),
                inline.ext.as_str()
            ),
            (11, 0, "index", "shtml")
        );
        let huge = page_script("createPageHTML(4000000000, 0, 'index', 'html')").unwrap();
        let url = Url::parse("http://a.gov.cn/zwdt/").unwrap();
        assert_eq!(huge.other_pages(&url).len(), MAX_PAGES as usize - 1);
    }
}
