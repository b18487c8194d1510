//! No input makes a reader panic: truncated, mangled and random pages.

mod common;

use common::{fixture, fixture_bytes, url};
use proptest::prelude::*;
use spotcheck_extract::{dated_items, decode, is_html, links, parse_dataproxy, parse_list};

const FIXTURES: &[&str] = &[
    "trs_list_0.html",
    "trs_list_3.html",
    "hanweb_column.html",
    "hanweb_proxy_16_60.xml",
    "plain_list.html",
    "table_list.html",
    "letters_table.html",
    "letters_spans.html",
    "blank_column.html",
    "homepage.html",
    "year_headings.html",
];

fn read_all(text: &str) {
    let page = url("http://www.jdz.gov.cn/zwdt/index.html");
    let _ = links(text, &page);
    let _ = parse_list(text, &page, None);
    let _ = dated_items(text, &page);
    let _ = parse_dataproxy(text, &page);
}

/// Every fixture cut at many points (mid-tag, mid-CDATA, mid-character for the byte readers).
#[test]
fn truncated_fixtures() {
    for name in FIXTURES {
        let text = fixture(name);
        let bytes = text.as_bytes();
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = decode(&bytes[..cut], Some("text/html; charset=gbk"));
            let _ = is_html(None, &bytes[..cut]);
            let mut at = cut;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            read_all(&text[..at]);
        }
    }
    for name in ["gbk_meta.html", "gb2312_header.html", "gbk_undeclared.html"] {
        let bytes = fixture_bytes(name);
        for cut in (0..bytes.len()).step_by(37) {
            let decoded = decode(&bytes[..cut], None);
            read_all(&decoded.text);
        }
    }
}

#[test]
fn pathological_markup() {
    let deep = "<div>".repeat(20_000) + "<a href=/x>2020-11-02</a>";
    read_all(&deep);
    let unclosed = "<font color=red><b class=x><a href=/y>标题</a>".repeat(2_000);
    read_all(&unclosed);
    read_all("<script type=\"text/xml\"><datastore><recordset><record><![CDATA[<li><a href=");
    read_all("createPageHTML(99999999999999999999, -1, '', '')");
    read_all("createPageHTML('div', 4294967295, 0, '../../../', 'html', 1)");
    read_all(&"<a href=\"javascript:".repeat(1000));
    read_all("<base href=\"javascript:alert(1)\"><a href=x>x</a><a href=\"http://[::1\">y</a>");
    read_all(
        "<table><tr><td colspan=999999999>办理单位</td><td>状态</td></tr><tr><td>x</td></tr></table>",
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), ct in "[a-z/;= -]{0,30}") {
        let decoded = decode(&bytes, Some(&ct));
        let _ = is_html(Some(&ct), &bytes);
        read_all(&decoded.text);
    }

    #[test]
    fn mangled_fixture_never_panics(seed in any::<u64>(), which in 0..FIXTURES.len()) {
        let mut bytes = fixture(FIXTURES[which]).into_bytes();
        // Seeded, so a failing case proptest reports is replayed byte for byte.
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..40 {
            let at = rng.usize(..bytes.len().max(1));
            if let Some(b) = bytes.get_mut(at) {
                *b = b"<>/\"'=&;[]!-x0 \n"[rng.usize(..16)];
            }
        }
        read_all(&String::from_utf8_lossy(&bytes));
    }
}
