//! Dated links on a homepage: the news lists count, the menus do not.

mod common;

use common::{day, fixture, titles_dates, url};
use spotcheck_extract::{dated_items, links};

#[test]
fn dated_items_skip_menus_and_find_the_newest() {
    let page = url("http://www.jdz.gov.cn/index.html");
    let items = dated_items(&fixture("homepage.html"), &page);
    let got: Vec<(&str, &str, _)> = items
        .iter()
        .map(|i| (i.title.as_str(), i.url.as_ref().unwrap().as_str(), i.date))
        .collect();
    assert_eq!(
        got,
        [
            (
                "市政府召开常务会议",
                "http://www.jdz.gov.cn/zwdt/202011/t20201116_4512399.html",
                day(2020, 11, 16)
            ),
            (
                "我市开展政府网站抽查",
                "http://www.jdz.gov.cn/zwdt/202011/t20201113_4512380.html",
                day(2020, 11, 13)
            ),
            (
                "市领导督导冬季安全生产",
                "http://www.jdz.gov.cn/zwdt/202011/t20201109_4512351.html",
                day(2020, 11, 9)
            ),
            (
                "关于2020年度市直单位公开遴选公务员的公告",
                "http://www.jdz.gov.cn/tzgg/notice_77.html",
                day(2020, 11, 18)
            ),
            (
                "关于开展2020年度“双随机一公开”抽查的通知",
                "http://www.jdz.gov.cn/tzgg/notice_76.html",
                day(2020, 11, 10)
            ),
            (
                "景德镇市2020年第三季度政府网站抽查情况通报",
                "http://www.jdz.gov.cn/tzgg/notice_75.html",
                day(2020, 10, 29)
            ),
        ]
    );
    let newest = items.iter().filter_map(|i| i.date).max();
    assert_eq!(newest, day(2020, 11, 18));
}

#[test]
fn homepage_links_honour_base_and_skip_mail() {
    let page = url("http://jdz.gov.cn/");
    let found = links(&fixture("homepage.html"), &page);
    let urls: Vec<&str> = found.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls[0], "http://www.jdz.gov.cn/index.html");
    assert_eq!(found[0].text, "景德镇市人民政府门户网站");
    assert!(urls.contains(&"http://www.jdz.gov.cn/zwgk/zcwj/"));
    assert!(urls.contains(&"http://www.jiangxi.gov.cn/"));
    assert!(!urls.iter().any(|u| u.starts_with("mailto")));
    assert_eq!(
        urls.iter()
            .filter(|u| **u == "http://www.jdz.gov.cn/index.html")
            .count(),
        1
    );
    assert_eq!(found.len(), 19);
}

#[test]
fn date_before_the_link_counts_but_not_across_a_line_break() {
    let html = r#"<div class="box"><span>[2020-11-02]</span><a href="/a/1.html">甲</a><br>
        <span>[2020-11-01]</span><a href="/a/2.html">乙</a><br>
        <a href="/a/3.html">丙</a></div>"#;
    let items = dated_items(html, &url("http://x.gov.cn/"));
    let got = titles_dates(&items);
    assert_eq!(got, [("甲", day(2020, 11, 2)), ("乙", day(2020, 11, 1))]);
}
