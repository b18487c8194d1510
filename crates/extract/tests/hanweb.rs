//! A Hanweb JCMS column walked end to end: the page's datastore, then the data proxy.

mod common;

use std::collections::HashSet;

use common::{day, fixture, url};
use spotcheck_extract::{Pagination, parse_dataproxy, parse_list};

#[test]
fn whole_column_through_the_data_proxy() {
    let column = url("http://www.jdz.gov.cn/col/col5678/index.html");
    let first = parse_list(&fixture("hanweb_column.html"), &column, None);
    assert_eq!(first.items.len(), 15);
    assert!(!first.blank_marker);
    // The first title was cut short on the page; the title attribute has it whole.
    assert_eq!(
        first.items[0].title,
        "景德镇市人民政府关于2020年第四季度政府网站抽查情况的通报"
    );
    assert_eq!(
        first.items[0].url.as_ref().unwrap().as_str(),
        "http://www.jdz.gov.cn/art/2020/11/20/art_5678_300001.html"
    );
    assert_eq!(first.items[0].date, day(2020, 11, 20));
    assert_eq!(first.items[14].title, "景德镇市政务公开信息第15号");
    assert_eq!(first.items[14].date, day(2020, 11, 6));

    let Pagination::DataProxy(mut request) = first.more else {
        panic!("expected a data proxy, got {:?}", first.more)
    };
    assert_eq!(request.total, Some(97));
    assert_eq!(
        (request.per_page, request.already, request.batch),
        (15, 15, 45)
    );
    let keys: Vec<&str> = request.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "col",
            "appid",
            "webid",
            "path",
            "columnid",
            "sourceContentType",
            "unitid",
            "webname",
            "permissiontype"
        ]
    );
    assert!(
        request
            .params
            .contains(&("webname".to_string(), "景德镇市人民政府".to_string()))
    );

    let answers = [
        (
            "startrecord=16&endrecord=60&perpage=15",
            "hanweb_proxy_16_60.xml",
        ),
        (
            "startrecord=61&endrecord=97&perpage=15",
            "hanweb_proxy_61_97.xml",
        ),
    ];
    let mut items = first.items;
    let mut asked = Vec::new();
    while let Some(next) = request.next_url() {
        assert_eq!(next.path(), "/module/web/jpage/dataproxy.jsp");
        let query = next.query().unwrap().to_string();
        let (_, file) = answers
            .iter()
            .find(|(q, _)| query.starts_with(q))
            .unwrap_or_else(|| panic!("unexpected request {next}"));
        assert!(query.contains("&columnid=5678&"), "{query}");
        assert!(query.contains("&unitid=45321&"), "{query}");
        asked.push(query.split("&col=").next().unwrap().to_string());
        let page = parse_dataproxy(&fixture(file), &column).unwrap();
        assert_eq!(page.total, Some(97));
        let advanced = request.advance(&page);
        items.extend(page.items);
        match advanced {
            Some(r) => request = r,
            None => break,
        }
    }
    assert_eq!(
        asked,
        [
            "startrecord=16&endrecord=60&perpage=15",
            "startrecord=61&endrecord=97&perpage=15"
        ]
    );
    assert_eq!(items.len(), 97);
    let unique: HashSet<_> = items.iter().map(|i| i.url.clone()).collect();
    assert_eq!(unique.len(), 97);
    assert!(items.iter().all(|i| i.date.is_some()));
    assert_eq!(items[96].title, "景德镇市政务公开信息第97号");
    assert_eq!(items[96].date, day(2020, 8, 16));
    assert_eq!(
        items[96].url.as_ref().unwrap().as_str(),
        "http://www.jdz.gov.cn/art/2020/8/16/art_5678_300097.html"
    );
}

#[test]
fn post_form_carries_the_column_ids() {
    let column = url("http://www.jdz.gov.cn/col/col5678/index.html");
    let Pagination::DataProxy(request) =
        parse_list(&fixture("hanweb_column.html"), &column, None).more
    else {
        panic!("expected a data proxy");
    };
    let (post, form) = request.next_form().unwrap();
    assert_eq!(
        post.as_str(),
        "http://www.jdz.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=60&perpage=15"
    );
    assert!(form.contains(&("columnid".to_string(), "5678".to_string())));
    assert!(form.contains(&("path".to_string(), "/".to_string())));
}

#[test]
fn nextgroup_link_alone_is_enough() {
    let html = r#"<div id="1"><script type="text/xml"><datastore>
        <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=3&path=/&columnid=77&unitid=88&webname=%E5%B8%82&permissiontype=0"></a>]]></nextgroup>
        <recordset><record><![CDATA[<tr><td><a href="/art/2020/11/2/art_77_1.html">甲</a></td><td>2020-11-02</td></tr>]]></record></recordset>
        </datastore></script></div>"#;
    let list = parse_list(
        html,
        &url("http://www.fl.gov.cn/col/col77/index.html"),
        None,
    );
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].title, "甲");
    assert_eq!(list.items[0].date, day(2020, 11, 2));
    let Pagination::DataProxy(request) = list.more else {
        panic!("expected a data proxy")
    };
    assert_eq!(request.total, None);
    assert_eq!(
        request.next_url().unwrap().as_str(),
        "http://www.fl.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=2&endrecord=46&perpage=15&webid=3&path=%2F&columnid=77&unitid=88&webname=%E5%B8%82&permissiontype=0"
    );
    // An answer with no records ends the walk even when the total is unknown.
    let empty = parse_dataproxy(
        "<datastore><recordset></recordset></datastore>",
        &url("http://www.fl.gov.cn/"),
    )
    .unwrap();
    assert!(request.advance(&empty).is_none());
}

#[test]
fn empty_datastore_is_a_blank_column_and_junk_is_no_datastore() {
    let html = r#"<script type="text/xml"><datastore><recordset></recordset></datastore></script>"#;
    let list = parse_list(html, &url("http://www.fl.gov.cn/col/col1/index.html"), None);
    assert!(list.items.is_empty() && list.blank_marker);
    assert!(
        parse_dataproxy(
            "<html><body>访问被拒绝</body></html>",
            &url("http://www.fl.gov.cn/")
        )
        .is_err()
    );
}

#[test]
fn parameter_object_with_record_range() {
    // jpage's ajaxParam carries the range and the ids together.
    let html = r#"<div id="801" class="default_pgContainer"><script type="text/xml"><datastore>
        <recordset><record><![CDATA[<li><a href="/art/2020/11/2/art_801_1.html" title="甲">甲</a><span>2020-11-02</span></li>]]></record>
        <record><![CDATA[<li><a href="/art/2020/11/1/art_801_2.html" title="乙">乙</a><span>2020-11-01</span></li>]]></record></recordset>
        </datastore></script></div>
        <script>$('#801').jpage({ perPage: 2, totalRecord: 9, groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp',
          ajaxParam: { startrecord: 3, endrecord: 8, perpage: 2, col: 1, appid: 1, webid: 1, path: '/', columnid: 801, sourceContentType: 1, unitid: 1201, webname: '浮梁县人民政府', permissiontype: 0 },
          barPosition: 'bottom' });</script>"#;
    let column = url("http://www.fuliang.gov.cn/col/col801/index.html");
    let list = parse_list(html, &column, None);
    assert_eq!(list.items.len(), 2);
    let Pagination::DataProxy(request) = list.more else {
        panic!("expected a data proxy")
    };
    assert_eq!(
        (
            request.total,
            request.per_page,
            request.already,
            request.batch
        ),
        (Some(9), 2, 2, 6)
    );
    assert_eq!(request.next_range(), Some((3, 8)));
    assert!(
        !request
            .params
            .iter()
            .any(|(k, _)| k == "startrecord" || k == "perpage")
    );
    let page = spotcheck_extract::ProxyPage {
        items: Vec::new(),
        total: Some(9),
        records: 6,
    };
    let next = request.advance(&page).unwrap();
    assert_eq!(next.next_range(), Some((9, 9)));
    let last = spotcheck_extract::ProxyPage {
        items: Vec::new(),
        total: Some(9),
        records: 1,
    };
    assert!(next.advance(&last).is_none());
}
