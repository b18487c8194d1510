//! Real government pages (`../shared/realpages`, described in its `SOURCES.md`), read as a column
//! would be: the entries the page shows, their newest and oldest shown dates, and the number of
//! pages where the page states it. The expected figures were counted from the pages themselves.

mod common;

use chrono::NaiveDate;
use common::{day, realpage_bytes, url};
use spotcheck_extract::{ListPage, Pagination, decode, parse_list, stated_pages};
use url::Url;

/// Reads a real page as the column at `page_url`.
fn read(name: &str, page_url: &str) -> ListPage {
    let text = decode(&realpage_bytes(name), None).text;
    parse_list(&text, &url(page_url), None)
}

/// What a reader of the page counts on it.
struct Shown {
    entries: usize,
    newest: Option<NaiveDate>,
    oldest: Option<NaiveDate>,
    pages: Option<u32>,
}

fn assert_shown(list: &ListPage, want: Shown) {
    let dates: Vec<NaiveDate> = list.items.iter().filter_map(|i| i.date).collect();
    let titles: Vec<&str> = list.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(list.items.len(), want.entries, "entries: {titles:#?}");
    assert_eq!(
        dates.len(),
        want.entries,
        "every entry is dated: {titles:#?}"
    );
    assert_eq!(dates.iter().max().copied(), want.newest, "newest");
    assert_eq!(dates.iter().min().copied(), want.oldest, "oldest");
    assert_eq!(list.pages, want.pages, "stated pages");
    assert!(!list.blank_marker);
    assert!(
        list.items
            .iter()
            .all(|i| i.url.is_some() && !i.title.is_empty())
    );
}

fn item_dated(list: &ListPage, url_part: &str) -> Option<NaiveDate> {
    list.items
        .iter()
        .find(|i| {
            i.url
                .as_ref()
                .is_some_and(|u| u.as_str().contains(url_part))
        })
        .and_then(|i| i.date)
}

#[test]
fn xinxiang_gbk_nested_tables_unsorted() {
    let list = read(
        "plain-table-gbk-xinxiang-xxgk-zxgk1.html",
        "http://125.42.176.131/xxgk/xxgk/zxgk1.jsp",
    );
    assert_shown(
        &list,
        Shown {
            entries: 20,
            newest: day(2017, 12, 20),
            oldest: day(2017, 9, 25),
            pages: None,
        },
    );
    // Decoded as GBK: the district prefixes read as written.
    assert!(list.items.iter().any(|i| i.title.contains("[卫滨区]")));
    assert!(list.items.iter().any(|i| i.title.contains("[卫辉市]")));
    // The list's own order (by id), not sorted by date.
    assert_eq!(
        list.items[..3].iter().map(|i| i.date).collect::<Vec<_>>(),
        [day(2017, 12, 20), day(2017, 9, 25), day(2017, 11, 15)]
    );
}

#[test]
fn nantong_hanweb_records_are_table_rows() {
    let list = read(
        "hanweb-datastore-nantong-zfcg-col31685-fragment.xml",
        "http://zfcg.nantong.gov.cn/col/col31685/index.html",
    );
    assert_shown(
        &list,
        Shown {
            entries: 25,
            newest: day(2017, 4, 24),
            oldest: day(2017, 2, 27),
            pages: None,
        },
    );
    // Titles cut with `...` come whole from the `title` attribute.
    assert!(list.items.iter().all(|i| !i.title.ends_with("...")));
}

#[test]
fn dingxi_hanweb_list_items_with_a_link_into_another_column() {
    let list = read(
        "hanweb-datastore-dingxi-zwgk-col12377-fragment.xml",
        "http://zwgk.dingxi.gov.cn/col/col12377/index.html",
    );
    assert_shown(
        &list,
        Shown {
            entries: 45,
            newest: day(2022, 1, 20),
            oldest: day(2021, 9, 30),
            pages: None,
        },
    );
    assert!(matches!(list.more, Pagination::DataProxy(_)));
    assert!(list.items.iter().any(|i| {
        i.url
            .as_ref()
            .is_some_and(|u| u.path().contains("art_12480_"))
    }));
}

#[test]
fn zhangshu_month_day_dates_take_the_year_from_the_url_and_the_ticker_is_ignored() {
    let list = read(
        "trs-list-zhangshu-zhxx-mmdd.html",
        "http://www.zhangshu.gov.cn/zwgk/zhxx/",
    );
    assert_shown(
        &list,
        Shown {
            entries: 24,
            newest: day(2017, 10, 19),
            oldest: day(2017, 9, 22),
            pages: Some(21),
        },
    );
    match &list.more {
        Pagination::Pages(pages) => assert_eq!(pages.len(), 20),
        other => panic!("TRS pages expected, got {other:?}"),
    }
}

#[test]
fn yuanzhou_nested_table_shows_its_own_dates() {
    let list = read(
        "trs-list-yuanzhou-zwyw-nested-table.html",
        "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/",
    );
    assert_shown(
        &list,
        Shown {
            entries: 25,
            newest: day(2017, 10, 20),
            oldest: day(2017, 10, 10),
            pages: Some(120),
        },
    );
    // The URL says the 19th; the page shows the 18th.
    assert_eq!(item_dated(&list, "t20171019_398220"), day(2017, 10, 18));
}

#[test]
fn yuanzhou_earlier_snapshot_shares_thirteen_entries_with_the_later_one() {
    let column = "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/";
    let earlier = read("trs-list-yuanzhou-zwyw-earlier-snapshot.html", column);
    assert_shown(
        &earlier,
        Shown {
            entries: 25,
            newest: day(2017, 10, 13),
            oldest: day(2017, 9, 28),
            pages: Some(120),
        },
    );
    let later = read("trs-list-yuanzhou-zwyw-nested-table.html", column);
    let common = later
        .items
        .iter()
        .filter(|i| earlier.items.iter().any(|e| e.url == i.url))
        .count();
    assert_eq!(common, 13);
    let new: Vec<_> = later
        .items
        .iter()
        .filter(|i| earlier.items.iter().all(|e| e.url != i.url))
        .filter_map(|i| i.date)
        .collect();
    assert_eq!(new.len(), 12);
    assert!(
        new.iter()
            .all(|d| (day(2017, 10, 16)..=day(2017, 10, 20)).contains(&Some(*d)))
    );
}

#[test]
fn yichun_shown_date_wins_over_a_later_url_date() {
    let list = read(
        "trs-list-yichun-zwyw-urldate-mismatch.html",
        "http://www.yichun.gov.cn/gk/zwdt/zwyw/",
    );
    assert_shown(
        &list,
        Shown {
            entries: 20,
            newest: day(2017, 10, 14),
            oldest: day(2017, 10, 10),
            pages: Some(50),
        },
    );
}

#[test]
fn cnta_date_inside_the_link_and_inline_pager() {
    let list = read(
        "trs-list-cnta-sctg-countpage-var-shtml.html",
        "http://www.cnta.gov.cn/zdgz/sctg/",
    );
    assert_shown(
        &list,
        Shown {
            entries: 20,
            newest: day(2017, 10, 15),
            oldest: day(2017, 8, 24),
            pages: Some(11),
        },
    );
    assert_eq!(item_dated(&list, "t20171013_842368"), day(2017, 10, 15));
    // The date written inside the link is not part of the title.
    assert!(list.items.iter().all(|i| !i.title.starts_with("2017-")));
    assert!(
        list.items
            .iter()
            .any(|i| i.title == "2017慈溪养生旅游节隆重开幕")
    );
    let pages: Vec<Url> = (1..=10)
        .map(|n| url(&format!("http://www.cnta.gov.cn/zdgz/sctg/index_{n}.shtml")))
        .collect();
    assert_eq!(list.more, Pagination::Pages(pages));
}

#[test]
fn jingan_main_list_not_the_header_tabs_or_letters() {
    let list = read(
        "plain-list-jingan-zwyw-powereasy-with-letters-widget.html",
        "http://www.jxjaxzf.gov.cn/Category_133/Index.aspx",
    );
    assert_shown(
        &list,
        Shown {
            entries: 20,
            newest: day(2017, 10, 20),
            oldest: day(2017, 9, 25),
            pages: Some(120),
        },
    );
    assert_eq!(
        list.more,
        Pagination::Next(url("http://www.jxjaxzf.gov.cn/Category_133/Index_2.aspx"))
    );
}

#[test]
fn wanzai_div_rows() {
    let list = read(
        "plain-list-wanzai-wzyw-div-p.html",
        "http://www.wanzai.gov.cn/news-list-wanzaiyaowen.html",
    );
    assert_shown(
        &list,
        Shown {
            entries: 20,
            newest: day(2017, 10, 13),
            oldest: day(2017, 9, 27),
            pages: Some(30),
        },
    );
    assert_eq!(
        list.more,
        Pagination::Next(url(
            "http://www.wanzai.gov.cn/news-list-wanzaiyaowen-2.html"
        ))
    );
}

#[test]
fn fengcheng_bracketed_dates_and_script_page_count() {
    let list = read(
        "plain-list-fengcheng-news-bracket-dates-reverse-paging.html",
        "http://www.jxfc.gov.cn/n3/n13/index.html",
    );
    assert_shown(
        &list,
        Shown {
            entries: 21,
            newest: day(2017, 10, 13),
            oldest: day(2017, 10, 9),
            pages: Some(199),
        },
    );
}

#[test]
fn gaoan_gbk_dl_entries_and_the_external_pager_script() {
    let list = read(
        "plain-list-gaoan-hot-dl-gbk.html",
        "http://www.gaxww.com/hot/index.shtml",
    );
    // The page count lives in the script the page loads, not in the page.
    assert_shown(
        &list,
        Shown {
            entries: 12,
            newest: day(2017, 10, 19),
            oldest: day(2017, 10, 12),
            pages: None,
        },
    );
    assert!(list.items.iter().all(|i| !i.title.contains('\u{FFFD}')));
    let script = decode(
        &realpage_bytes("plain-list-gaoan-hot-paging-script-gbk.js"),
        None,
    )
    .text;
    assert_eq!(stated_pages(&script), Some(305));
}

#[test]
fn jxta_table_rows_without_url_dates_and_the_pager_row() {
    let list = read(
        "plain-list-jxta-dsdt-querystring-urls-huge-select.html",
        "http://www.jxta.gov.cn/Column.shtml?p5=28",
    );
    assert_shown(
        &list,
        Shown {
            entries: 15,
            newest: day(2017, 10, 5),
            oldest: day(2017, 9, 30),
            pages: Some(1367),
        },
    );
}

#[test]
fn pingtan_list_in_blocks_shows_one_page_of_them() {
    let list = read(
        "trs-list-pingtan-gzjzqk-static-chunks-fragment.html",
        "https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/",
    );
    assert_shown(
        &list,
        Shown {
            entries: 15,
            newest: day(2025, 11, 11),
            oldest: day(2023, 12, 21),
            pages: Some(8),
        },
    );
    // Shown dates, not URL dates.
    assert_eq!(item_dated(&list, "t20250408_98328"), day(2025, 4, 3));
}
