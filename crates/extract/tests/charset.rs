//! GBK and GB2312 pages, declared in meta only, in the header only, or nowhere, decode right.

mod common;

use common::{day, fixture_bytes, titles_dates, url};
use encoding_rs::GB18030;
use spotcheck_extract::{CharsetSource, decode, is_html, parse_list};

const TITLES: [&str; 3] = [
    "浮梁县人民政府关于开展冬季森林防火工作的通知",
    "县长王堃主持召开县政府第十二次常务会议",
    "浮梁县2020年第三季度政府网站自查情况报告",
];

fn check_items(text: &str, titles: [&str; 3]) {
    let page = url("http://www.fuliang.gov.cn/tzgg/");
    let list = parse_list(text, &page, None);
    let got = titles_dates(&list.items);
    assert_eq!(
        got,
        [
            (titles[0], day(2020, 11, 2)),
            (titles[1], day(2020, 10, 30)),
            (titles[2], day(2020, 10, 12))
        ]
    );
}

#[test]
fn gbk_declared_in_meta_only() {
    let bytes = fixture_bytes("gbk_meta.html");
    let decoded = decode(&bytes, Some("text/html"));
    assert_eq!(decoded.source, CharsetSource::Meta);
    assert_eq!(decoded.encoding, GB18030);
    assert!(!decoded.had_errors);
    check_items(&decoded.text, TITLES);
}

#[test]
fn gb2312_declared_in_header_only() {
    let bytes = fixture_bytes("gb2312_header.html");
    let decoded = decode(&bytes, Some("text/html; charset=GB2312"));
    assert_eq!(decoded.source, CharsetSource::Header);
    assert_eq!(decoded.encoding, GB18030);
    check_items(
        &decoded.text,
        [
            TITLES[0],
            "县长王坤主持召开县政府第十二次常务会议",
            TITLES[2],
        ],
    );
}

#[test]
fn gbk_declared_nowhere_is_detected() {
    let bytes = fixture_bytes("gbk_undeclared.html");
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.source, CharsetSource::Detected);
    assert_eq!(decoded.encoding, GB18030);
    assert!(!decoded.had_errors);
    check_items(&decoded.text, TITLES);
}

#[test]
fn a_lying_header_yields_to_the_bytes() {
    // Server default UTF-8 on a GBK page whose meta says gbk.
    let bytes = fixture_bytes("gbk_meta.html");
    let decoded = decode(&bytes, Some("text/html; charset=utf-8"));
    assert_eq!(decoded.encoding, GB18030);
    assert_eq!(decoded.source, CharsetSource::Detected);
    check_items(&decoded.text, TITLES);
    // Server default Latin-1: the meta is the author's word.
    let decoded = decode(&bytes, Some("text/html; charset=ISO-8859-1"));
    assert_eq!(
        (decoded.encoding, decoded.source),
        (GB18030, CharsetSource::Meta)
    );
}

#[test]
fn bom_and_utf8() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice("<html><body>政务公开</body></html>".as_bytes());
    let decoded = decode(&bytes, Some("text/html; charset=gbk"));
    assert_eq!(decoded.source, CharsetSource::Bom);
    assert!(decoded.text.contains("政务公开"));
    assert!(!decoded.text.starts_with('\u{FEFF}'));
}

#[test]
fn binary_at_an_html_url_is_not_a_page() {
    assert!(!is_html(Some("text/html"), b"%PDF-1.7\n%\xE2\xE3\xCF\xD3"));
    assert!(!is_html(Some("text/html"), b"PK\x03\x04\x14\x00\x06\x00"));
    assert!(!is_html(
        Some("application/msword"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
    ));
    assert!(is_html(
        Some("text/html; charset=gbk"),
        &fixture_bytes("gbk_meta.html")
    ));
    assert!(is_html(None, &fixture_bytes("gbk_undeclared.html")));
    let datastore =
        b"<datastore>\n<recordset><record><![CDATA[<li><a href=/a.html>x</a></li>]]></record>";
    assert!(is_html(Some("text/xml; charset=utf-8"), datastore));
    assert!(is_html(None, datastore));
    assert!(!is_html(
        Some("application/xml"),
        b"<?xml version=\"1.0\"?><rss><channel/></rss>"
    ));
}
