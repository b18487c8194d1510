//! How many pages a column list says it has, and how many entries one page shows.
//!
//! Lists state their size in many ways, read here in order of trust:
//! - the TRS pager call or its variables (`createPageHTML(21, 0, …)`, `var countPage=11`);
//! - the pager's own words: `共120页`, `共&nbsp;1367页`, `1/30页`, `总页数:199`;
//! - a page-count variable of the pager script, with the script's later changes to it
//!   (`var maxPageNum=0; … maxPageNum = 199;`, `var maxpage = 304; maxpage = maxpage+1;`);
//! - the pager's record count and page size (`recordCount:'107'`, `prepage:15` → 8 pages).
//!
//! Scripts are read as text, so a pager script fetched on its own (`count_page_list_….js`) is
//! read the same way as the page that loads it.

use std::sync::LazyLock;

use regex::Regex;

use super::trs;

static TEXT_RES: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    const GAP: &str = r"(?:\s|&nbsp;?|&#160;|　)*";
    [
        Regex::new(&format!(r"共{GAP}(\d{{1,6}}){GAP}页")),
        Regex::new(&format!(r"\d{{1,6}}{GAP}/{GAP}(\d{{1,6}}){GAP}页")),
        Regex::new(&format!(r"总页数{GAP}[:：]?{GAP}(\d{{1,6}})")),
    ]
    .map(|r| r.expect("static regex"))
});

/// Names pager scripts give the page count.
static COUNT_VAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[^\w$.])(count_?pages?|page_?count|max_?page(?:_?num)?|total_?pages?|page_?total|all_?pages?)\s*(=|\+=|\+\+)\s*([^;\n]*)",
    )
    .expect("static regex")
});
static RECORDS_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^|[^\w$.])(?:record_?count|total_?records?)\s*[:=]\s*['"]?(\d{1,9})\b"#)
        .expect("static regex")
});
static PER_PAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^|[^\w$.])(?:pre_?page|per_?page|page_?size)\s*[:=]\s*['"]?(\d{1,5})\b"#)
        .expect("static regex")
});

/// The number of pages the list on this page (or its pager script) says it has.
pub fn stated_pages(page: &str) -> Option<u32> {
    if let Some(script) = trs::page_script(page) {
        return Some(script.count);
    }
    TEXT_RES
        .iter()
        .find_map(|re| re.captures(page).and_then(|c| c[1].parse().ok()))
        .or_else(|| count_variable(page))
        .or_else(|| {
            let (records, per_page) = pager_size(page)?;
            Some(records.div_ceil(per_page))
        })
        .filter(|n| *n > 0)
}

/// The record count and page size a pager is configured with, when the page states both.
pub(crate) fn pager_size(page: &str) -> Option<(u32, u32)> {
    let number = |re: &Regex| re.captures(page).and_then(|c| c[1].parse::<u32>().ok());
    let records = number(&RECORDS_RE)?;
    let per_page = number(&PER_PAGE_RE).filter(|n| *n > 0)?;
    Some((records, per_page))
}

/// The value a pager script leaves in its page-count variable: the assignments in order, each
/// a number or the variable plus a number.
fn count_variable(page: &str) -> Option<u32> {
    let mut name: Option<String> = None;
    let mut value: Option<u32> = None;
    for caps in COUNT_VAR_RE.captures_iter(page) {
        let var = caps[1].to_ascii_lowercase();
        if name.as_ref().is_some_and(|n| *n != var) {
            continue;
        }
        let rhs = caps[3].trim();
        let next = match &caps[2] {
            "++" => value.map(|v| v.saturating_add(1)),
            "+=" => value
                .zip(leading_number(rhs))
                .map(|(v, n)| v.saturating_add(n)),
            _ => match leading_number(rhs) {
                Some(n)
                    if rhs
                        .trim_matches(|c: char| c.is_ascii_digit() || "'\" ".contains(c))
                        .is_empty() =>
                {
                    Some(n)
                }
                _ => increment(rhs, &var).and_then(|n| value.map(|v| v.saturating_add(n))),
            },
        };
        if let Some(v) = next {
            name.get_or_insert(var);
            value = Some(v);
        }
    }
    value
}

fn leading_number(s: &str) -> Option<u32> {
    let s = s.trim().trim_start_matches(['\'', '"']);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `name + n` (`maxpage+1`) as `n`.
fn increment(rhs: &str, name: &str) -> Option<u32> {
    let (var, n) = rhs.split_once('+')?;
    (var.trim().to_ascii_lowercase() == name)
        .then(|| leading_number(n))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(stated_pages("<span>共2397篇文章/共120页</span>"), Some(120));
        assert_eq!(
            stated_pages("共&nbsp;1367页&nbsp;&nbsp;20493&nbsp;条记录"),
            Some(1367)
        );
        assert_eq!(stated_pages("<div>共595条记录 1/30页</div>"), Some(30));
        assert_eq!(
            stated_pages("var maxPageNum=0;\n document.cookie='x';\n maxPageNum = 199;"),
            Some(199)
        );
        assert_eq!(
            stated_pages("var maxpage = 304;\nmaxpage = maxpage+1;"),
            Some(305)
        );
        assert_eq!(stated_pages("{recordCount:'107',\n prepage:15}"), Some(8));
        assert_eq!(
            stated_pages("createPageHTML(21, 0, \"index\", \"html\");"),
            Some(21)
        );
        assert_eq!(stated_pages("<option>1/1367</option>"), None);
        assert_eq!(stated_pages("if (pageName<maxPageNum){"), None);
    }
}
