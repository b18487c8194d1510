//! The real government pages, mangled the ways fetched pages get mangled — cut off at any byte,
//! re-encoded as GBK, their list written twice or more — never make a reader panic or hang.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{realpage_bytes, realpage_names, url};
use proptest::prelude::*;
use spotcheck_extract::{dated_items, decode, links, parse_dataproxy, parse_list, stated_pages};

/// Far above what one page takes (tens of milliseconds), far below a hang.
const BOUND: Duration = Duration::from_secs(20);

/// Every real page, decoded once.
fn pages() -> &'static [String] {
    static PAGES: OnceLock<Vec<String>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let names = realpage_names();
        assert!(names.len() >= 15, "the real pages are all there: {names:?}");
        names
            .iter()
            .map(|n| decode(&realpage_bytes(n), None).text)
            .collect()
    })
}

/// Every reader on the text, within the bound.
fn read_all(text: &str) {
    let page = url("http://www.example.gov.cn/zwgk/list/index.html");
    let started = Instant::now();
    let _ = links(text, &page);
    let _ = parse_list(text, &page, None);
    let _ = dated_items(text, &page);
    let _ = parse_dataproxy(text, &page);
    let _ = stated_pages(text);
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
}

fn char_floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn truncated_at_any_byte(which in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let names = realpage_names();
        let bytes = realpage_bytes(&names[which.index(names.len())]);
        let cut = cut.index(bytes.len() + 1);
        let text = decode(&bytes[..cut], None).text;
        read_all(&text);
    }

    #[test]
    fn re_encoded_as_gbk(which in any::<prop::sample::Index>(), declared in prop::sample::select(vec![None, Some("text/html; charset=utf-8"), Some("text/html; charset=gbk")])) {
        let pages = pages();
        let text = &pages[which.index(pages.len())];
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let decoded = decode(&gbk, declared);
        read_all(&decoded.text);
    }

    #[test]
    fn list_block_duplicated(which in any::<prop::sample::Index>(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), times in 1usize..=6) {
        let pages = pages();
        let text = &pages[which.index(pages.len())];
        let (a, b) = (char_floor(text, a.index(text.len())), char_floor(text, b.index(text.len())));
        let (start, end) = (a.min(b), a.max(b));
        let block = &text[start..end];
        let mut doubled = String::with_capacity(text.len() + block.len() * times);
        doubled.push_str(&text[..end]);
        for _ in 0..times {
            doubled.push_str(block);
        }
        doubled.push_str(&text[end..]);
        read_all(&doubled);
    }
}

/// Each page with its whole body, list and all, written twice.
#[test]
fn every_page_with_its_whole_body_repeated() {
    for text in pages() {
        let body = text.find("<body").unwrap_or(0);
        let doubled = format!("{}{}", text, &text[body..]);
        read_all(&doubled);
    }
}
