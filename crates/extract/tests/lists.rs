//! Column lists from the CMS families, read from pages shaped like real ones.

mod common;

use common::{day, fixture, titles_dates, titles_urls_dates, url};
use spotcheck_extract::list::Css;
use spotcheck_extract::{Pagination, Selectors, parse_list, parse_list_in_year};

#[test]
fn trs_page_zero_lists_its_items_and_every_other_page() {
    let page = url("http://www.jdz.gov.cn/zwdt/");
    let list = parse_list(&fixture("trs_list_0.html"), &page, None);
    let got = titles_urls_dates(&list.items);
    assert_eq!(
        got,
        [
            (
                "市政府办公室召开2020年第四季度政府网站与政务新媒体抽查工作部署会",
                Some("http://www.jdz.gov.cn/zwdt/202011/t20201102_4512301.html"),
                day(2020, 11, 2)
            ),
            (
                "我市召开政务公开工作推进会",
                Some("http://www.jdz.gov.cn/zwdt/202010/t20201030_4512288.html"),
                day(2020, 10, 30)
            ),
            (
                "景德镇市2020年三季度政府网站抽查情况",
                Some("http://www.jdz.gov.cn/zwdt/202010/t20201028_4512270.html"),
                day(2020, 10, 28)
            ),
            (
                "省政府办公厅关于加强政府网站建设的通知",
                Some("http://www.jiangxi.gov.cn/art/2020/10/27/art_393_2881234.html"),
                day(2020, 10, 27)
            ),
            (
                "市领导调研乡村振兴工作",
                Some("http://www.jdz.gov.cn/zwdt/202010/t20201026_4512255.html"),
                day(2020, 10, 26)
            ),
        ]
    );
    assert_eq!(
        list.more,
        Pagination::Pages(vec![
            url("http://www.jdz.gov.cn/zwdt/index_1.html"),
            url("http://www.jdz.gov.cn/zwdt/index_2.html"),
            url("http://www.jdz.gov.cn/zwdt/index_3.html"),
            url("http://www.jdz.gov.cn/zwdt/index_4.html"),
        ])
    );
    assert!(!list.blank_marker);
}

#[test]
fn trs_page_three_six_argument_form_in_a_layout_table() {
    let page = url("http://www.jdz.gov.cn/zwdt/index_3.html");
    let list = parse_list(&fixture("trs_list_3.html"), &page, None);
    let titles: Vec<&str> = list.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "我市召开2019年度政府网站工作总结会",
            "市政府常务会议研究部署冬季安全生产工作",
            "景德镇市政府网站第四季度自查情况"
        ]
    );
    let dates: Vec<_> = list.items.iter().map(|i| i.date).collect();
    assert_eq!(
        dates,
        [day(2019, 12, 20), day(2019, 12, 18), day(2019, 12, 16)]
    );
    assert_eq!(
        list.items[0].url.as_ref().unwrap().as_str(),
        "http://www.jdz.gov.cn/zwdt/201912/t20191220_4411001.html"
    );
    assert_eq!(
        list.more,
        Pagination::Pages(vec![
            url("http://www.jdz.gov.cn/zwdt/index.html"),
            url("http://www.jdz.gov.cn/zwdt/index_1.html"),
            url("http://www.jdz.gov.cn/zwdt/index_2.html"),
            url("http://www.jdz.gov.cn/zwdt/index_4.html"),
        ])
    );
}

#[test]
fn plain_div_list_with_next_link() {
    let page = url("http://www.fuliang.gov.cn/news/list.aspx?cid=12");
    let list = parse_list(&fixture("plain_list.html"), &page, None);
    let got = titles_urls_dates(&list.items);
    assert_eq!(
        got,
        [
            (
                "县农业农村局开展秋冬种生产技术指导",
                Some("http://www.fuliang.gov.cn/news/show.aspx?id=8812"),
                day(2020, 11, 2)
            ),
            (
                "县教育体育局召开冬季校园安全工作会议",
                Some("http://www.fuliang.gov.cn/news/show.aspx?id=8809"),
                day(2020, 10, 29)
            ),
            // The date in the title is an event date; the entry was published on 10-20.
            (
                "县卫健委开展“关于2020年11月5日疫苗接种日”宣传活动预告",
                Some("http://www.fuliang.gov.cn/news/show.aspx?id=8801"),
                day(2020, 10, 20)
            ),
            // A script-only link: listed and dated, with no URL to visit.
            ("县市场监管局开展食品安全专项检查", None, day(2020, 10, 9)),
        ]
    );
    assert_eq!(
        list.more,
        Pagination::Next(url(
            "http://www.fuliang.gov.cn/news/list.aspx?cid=12&page=2"
        ))
    );
}

#[test]
fn plain_table_uses_publication_date_column_and_numbered_pages() {
    let page = url("http://sfj.jdz.gov.cn/zcwj/index.shtml");
    let list = parse_list(&fixture("table_list.html"), &page, None);
    let got = titles_dates(&list.items);
    assert_eq!(
        got,
        [
            (
                "景德镇市司法局关于印发《2020年法治政府建设工作要点》的通知",
                day(2020, 11, 3)
            ),
            (
                "景德镇市司法局关于开展2020年“12·4”国家宪法日宣传活动的通知",
                day(2020, 10, 16)
            ),
            ("关于公布2020年度行政执法主体名单的公告", day(2020, 9, 30)),
        ]
    );
    assert_eq!(
        list.items[2].url.as_ref().unwrap().as_str(),
        "http://sfj.jdz.gov.cn/zcwj/content_9011.html"
    );
    assert_eq!(
        list.more,
        Pagination::Next(url("http://sfj.jdz.gov.cn/zcwj/index_1.shtml"))
    );
}

#[test]
fn numbered_page_links_without_a_next_word() {
    let html = r#"<ul class="list">
        <li><a href="/a/1.html">甲</a> 2020-11-02</li><li><a href="/a/2.html">乙</a> 2020-11-01</li></ul>
        <div class="pages"><a href="?page=1">1</a> <a href="?page=2">2</a> <a href="?page=3">3</a></div>"#;
    let list = parse_list(html, &url("http://x.gov.cn/news/list.jsp"), None);
    assert_eq!(
        list.more,
        Pagination::Next(url("http://x.gov.cn/news/list.jsp?page=2"))
    );
    let list = parse_list(html, &url("http://x.gov.cn/news/list.jsp?page=2"), None);
    assert_eq!(
        list.more,
        Pagination::Next(url("http://x.gov.cn/news/list.jsp?page=3"))
    );
    let list = parse_list(html, &url("http://x.gov.cn/news/list.jsp?page=3"), None);
    assert_eq!(list.more, Pagination::None);

    let html = r#"<ul><li><a href="t20201102_1.html">甲</a></li><li><a href="t20201101_2.html">乙</a></li></ul>
        <a href="index_1.html">2</a><a href="index_2.html">3</a><a href="content_7.html">正文</a>"#;
    let list = parse_list(html, &url("http://x.gov.cn/tzgg/"), None);
    assert_eq!(
        list.more,
        Pagination::Next(url("http://x.gov.cn/tzgg/index_1.html"))
    );
    let list = parse_list(html, &url("http://x.gov.cn/tzgg/index_1.html"), None);
    assert_eq!(
        list.more,
        Pagination::Next(url("http://x.gov.cn/tzgg/index_2.html"))
    );
}

#[test]
fn blank_column_says_so() {
    let page = url("http://tjj.jdz.gov.cn/xxgk/czyjs/");
    let list = parse_list(&fixture("blank_column.html"), &page, None);
    assert!(list.items.is_empty());
    assert!(list.blank_marker);
    assert_eq!(list.more, Pagination::None);

    let empty = r#"<div class="nav"><a href="/">首页</a><a href="/a/">栏目</a></div><ul class="news_list"></ul>"#;
    let list = parse_list(empty, &page, None);
    assert!(list.items.is_empty() && list.blank_marker);

    // A page the reader cannot make sense of is not called blank.
    let unknown =
        r#"<div class="nav"><a href="/">首页</a><a href="/a/">栏目</a></div><div id="app"></div>"#;
    let list = parse_list(unknown, &page, None);
    assert!(list.items.is_empty() && !list.blank_marker);
}

#[test]
fn month_day_dates_take_the_year_of_the_heading_above() {
    let page = url("http://www.jdz.gov.cn/hdjl/zxft/");
    let list = parse_list(&fixture("year_headings.html"), &page, None);
    let got = titles_dates(&list.items);
    assert_eq!(
        got,
        [
            ("市教育局局长谈“双减”落实", day(2020, 9, 12)),
            ("市人社局解读稳就业政策", day(2020, 6, 15)),
            ("市民政局谈冬季救助工作", day(2019, 12, 20)),
            // 2019 has no February 29th: undated, not guessed.
            ("无效日期示例", None),
        ]
    );
}

#[test]
fn month_day_dates_without_a_year_stay_undated_unless_one_is_given() {
    let html = r#"<ul class="list"><li><a href="/a/1.html">甲</a><span>[11-02]</span></li>
        <li><a href="/a/2.html">乙</a><span>[10-30]</span></li></ul>"#;
    let page = url("http://x.gov.cn/list/");
    // Without a year nothing on the page is dated, so no entry is reported, and none is dated today.
    let list = parse_list(html, &page, None);
    assert!(list.items.is_empty());
    assert!(!list.blank_marker);
    let list = parse_list_in_year(html, &page, None, Some(2020));
    let dates: Vec<_> = list.items.iter().map(|i| i.date).collect();
    assert_eq!(dates, [day(2020, 11, 2), day(2020, 10, 30)]);
}

#[test]
fn css_hints_pick_entries_and_fields() {
    let html = r#"<div class="a"><p class="row"><a href="/x/1.html">甲事项</a><i>市人社局</i><b>2020-11-02</b><u>已回复</u></p>
        <p class="row"><a href="/x/2.html">乙事项</a><i>市公安局</i><b>2020-11-01</b><u>办理中</u></p></div>"#;
    let css = |s: &str| Some(Css::parse(s).unwrap());
    let hints = Selectors {
        item: css("p.row"),
        date: css("b"),
        dept: css("i"),
        status: css("u"),
    };
    let list = parse_list(html, &url("http://x.gov.cn/"), Some(&hints));
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.items[1].title, "乙事项");
    assert_eq!(list.items[1].date, day(2020, 11, 1));
    assert_eq!(list.items[1].fields.unit.as_deref(), Some("市公安局"));
    assert_eq!(
        list.items[1].fields.status,
        Some(spotcheck_extract::ReplyStatus::Pending)
    );
}

#[test]
fn a_list_written_in_blocks_is_one_list_but_boxes_with_headings_are_not() {
    let row =
        |n: u32| format!("<li><a href=\"/a/{n}.html\">第{n}条</a><span>2020-11-{n:02}</span></li>");
    let block = |from: u32| {
        let rows: String = (from..from + 3).map(row).collect();
        format!("<div v-show=\"page({from})\"><ul>{rows}</ul><div class=line></div></div>")
    };
    let blocks = format!("<div class=main>{}{}</div>", block(1), block(4));
    let list = parse_list(&blocks, &url("http://x.gov.cn/tzgg/"), None);
    assert_eq!(list.items.len(), 6);

    let boxed = |title: &str, from: u32| {
        let rows: String = (from..from + 3).map(row).collect();
        format!("<div class=box><h3>{title}</h3><ul>{rows}</ul></div>")
    };
    let sidebar = format!(
        "<div class=side>{}{}</div>",
        boxed("通知公告", 1),
        boxed("热点", 10)
    );
    let list = parse_list(&sidebar, &url("http://x.gov.cn/tzgg/"), None);
    assert_eq!(list.items.len(), 3);
}

#[test]
fn a_pager_page_size_bounds_the_entries_rendered_for_script_to_show() {
    let rows: String = (1..=9)
        .map(|n| format!("<li><a href=\"/a/{n}.html\">第{n}条</a><span>2020-11-{n:02}</span></li>"))
        .collect();
    let with_pager =
        format!("<ul>{rows}</ul><script>var pager = {{recordCount:'40', prepage:4}};</script>");
    let list = parse_list(&with_pager, &url("http://x.gov.cn/tzgg/"), None);
    assert_eq!(list.items.len(), 4);
    assert_eq!(list.pages, Some(10));
    let without = format!("<ul>{rows}</ul><script>var prepage = 4;</script>");
    assert_eq!(
        parse_list(&without, &url("http://x.gov.cn/tzgg/"), None)
            .items
            .len(),
        9
    );
}
