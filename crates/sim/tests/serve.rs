//! What the server answers: virtual hosts, the three CMS families, charsets, the letters
//! board, dead and slow sites, broken links, rectification and the request log.

mod common;

use std::time::{Duration, Instant};

use common::{Resp, city, get, post_form, request, titles};
use spotcheck_sim::{LinkKind, Sim};

fn base(sim: &Sim, host: &str) -> String {
    format!("http://{host}:{}", sim.addr().port())
}

/// The homepage of `host` on the simulated city.
async fn home(sim: &Sim, host: &str) -> Resp {
    get(&format!("{}/", base(sim, host))).await
}

/// Whether a GET of `url` finds its connection refused, as on a dead site.
async fn refused(url: &str) -> bool {
    request("GET", url, None, &[])
        .await
        .err()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
}

fn column<'a>(t: &'a spotcheck_sim::Truth, name: &str) -> &'a spotcheck_sim::truth::ColumnTruth {
    t.columns.iter().find(|c| c.name == name).expect(name)
}

#[tokio::test]
async fn routes_by_host_header() {
    let sim = city().await;
    let portal = home(&sim, "www.test.gov.cn").await;
    assert_eq!(portal.status, 200);
    assert!(portal.text().contains("<title>测试市人民政府网站</title>"));
    let slow = home(&sim, "rsj.test.gov.cn").await;
    assert!(slow.text().contains("<title>测试市人社局网站</title>"));
    let platform = home(&sim, "xxgk.test.gov.cn").await;
    assert!(platform.text().contains("公安信息公开"));
    let unknown = home(&sim, "nowhere.test.gov.cn").await;
    assert_eq!(unknown.status, 404);

    // The homepage has a dated news list, links to its columns and to other sites.
    let html = portal.text();
    assert!(
        regex::Regex::new(r"<span class=.date.>2020-12-1\d</span>")
            .expect("re")
            .is_match(&html)
    );
    assert!(html.contains("href=\"/tzgg/\""));
    assert!(html.contains(&format!("href=\"{}/\"", base(&sim, "rsj.test.gov.cn"))));

    let log = sim.requests();
    let hosts: Vec<&str> = log.iter().map(|r| r.host.as_str()).collect();
    assert_eq!(
        hosts,
        [
            "www.test.gov.cn",
            "rsj.test.gov.cn",
            "xxgk.test.gov.cn",
            "nowhere.test.gov.cn"
        ]
    );
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(
        log.iter()
            .all(|r| r.method == "GET" && r.path_and_query == "/")
    );
}

#[tokio::test]
async fn trs_pages_follow_create_page_html() {
    let sim = city().await;
    let t = sim.truth();
    let col = column(&t, "公安信息公开");
    assert_eq!(col.items.len(), 45);
    let mut seen = Vec::new();
    for page in 0..5 {
        let url = if page == 0 {
            format!("{}index.html", col.url)
        } else {
            format!("{}index_{page}.html", col.url)
        };
        let html = get(&url).await.text();
        assert!(
            html.contains(&format!("createPageHTML(5, {page}, \"index\", \"html\");")),
            "page {page}"
        );
        // Item links are relative (./YYYYMM/tYYYYMMDD_N.html).
        assert!(html.contains("href=\"./20"));
        seen.extend(titles(&html));
    }
    let expected: Vec<String> = col.items.iter().map(|i| i.title.clone()).collect();
    assert_eq!(seen, expected);
    assert_eq!(get(&format!("{}index_5.html", col.url)).await.status, 404);
    assert_eq!(
        get(&col.url).await.status,
        200,
        "the directory URL is page 0"
    );

    let article = get(&col.items[3].url).await;
    assert_eq!(article.status, 200);
    assert!(article.text().contains(&col.items[3].title));
    assert!(
        col.items[3]
            .url
            .contains(&format!("/t{}_", col.items[3].date.format("%Y%m%d")))
    );

    // The six-argument form, on the stale news column.
    let news = column(&t, "政务动态");
    let html = get(&news.url).await.text();
    let n = news.items.len();
    assert!(html.contains(&format!(
        "createPageHTML('page_div', {}, 0, 'index', 'html', {n});",
        n.div_ceil(20).max(1)
    )));
}

#[tokio::test]
async fn hanweb_records_hide_in_script_and_come_from_the_data_proxy() {
    let sim = city().await;
    let t = sim.truth();
    let col = column(&t, "人社信息公开");
    assert_eq!(col.items.len(), 97);
    let page = get(&col.url).await;
    assert_eq!(page.status, 200);
    // GBK with the charset in <meta> only.
    assert_eq!(page.header("content-type"), Some("text/html"));
    assert!(
        std::str::from_utf8(&page.body).is_err(),
        "the page is not UTF-8"
    );
    let html = page.gbk();
    assert!(html.contains("<meta charset=\"gb2312\">"));
    let script_start = html.find("<script type=\"text/xml\">").expect("datastore");
    let script_end = html[script_start..].find("</script>").expect("end") + script_start;
    let first = titles(&html[script_start..script_end]);
    assert_eq!(first.len(), 15);
    assert!(titles(&html[..script_start]).is_empty() && titles(&html[script_end..]).is_empty());
    let cid = regex::Regex::new(r"columnid=(\d+)")
        .expect("re")
        .captures(&html)
        .map(|c| c[1].to_string())
        .expect("columnid in nextgroup");

    let proxy = format!(
        "{}/module/web/jpage/dataproxy.jsp",
        base(&sim, "xxgk.test.gov.cn")
    );
    let mut all = first.clone();
    let mut calls = 0;
    let mut start = 16;
    while all.len() < 97 {
        let form = format!(
            "col=1&appid=1&webid=1&path=%2F&columnid={cid}&sourceContentType=1&unitid=1&permissiontype=0&startrecord={start}&endrecord={}&perpage=15",
            start + 44
        );
        let r = if calls % 2 == 0 {
            post_form(&proxy, &form).await
        } else {
            get(&format!("{proxy}?{form}")).await
        };
        calls += 1;
        let xml = r.text();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(xml.contains("<totalrecord>97</totalrecord>"));
        assert!(xml.contains("<totalpage>7</totalpage>"));
        let got = titles(&xml);
        assert!(!got.is_empty() && got.len() <= 45);
        start += got.len();
        all.extend(got);
    }
    assert!(calls > 1, "more than one data proxy call");
    let expected: Vec<String> = col.items.iter().map(|i| i.title.clone()).collect();
    assert_eq!(all, expected);

    // A greedy request is cut at three pages.
    let big = get(&format!(
        "{proxy}?columnid={cid}&startrecord=1&endrecord=1000&perpage=15"
    ))
    .await;
    assert_eq!(titles(&big.text()).len(), 45);
    // Absurd numbers from a client are answered, not fatal.
    let huge = u64::MAX;
    let odd = get(&format!(
        "{proxy}?columnid={cid}&startrecord={huge}&endrecord={huge}&perpage={huge}"
    ))
    .await;
    assert_eq!(odd.status, 200);
    assert!(titles(&odd.text()).is_empty());
    let art = get(&col.items[0].url).await;
    assert!(art.gbk().contains(&col.items[0].title));
    assert!(col.items[0].url.contains("/art/20"));
}

#[tokio::test]
async fn plain_table_in_gbk_with_header_charset() {
    let sim = city().await;
    let t = sim.truth();
    let col = column(&t, "通知公告");
    assert_eq!(col.items.len(), 15);
    let p1 = get(&col.url).await;
    assert_eq!(p1.header("content-type"), Some("text/html; charset=GBK"));
    let html = p1.gbk();
    assert!(
        !html.to_ascii_lowercase().contains("charset="),
        "no charset in the page"
    );
    assert!(html.contains("<table class=\"list-table\">"));
    assert!(html.contains("<a href=\"?page=2\">下一页</a>"));
    assert!(html.contains(&col.items[0].date.format("%Y/%m/%d").to_string()));
    let mut seen = titles(&html);
    for p in 2..=3 {
        let h = get(&format!("{}?page={p}", col.url)).await.gbk();
        seen.extend(titles(&h));
    }
    let expected: Vec<String> = col.items.iter().map(|i| i.title.clone()).collect();
    assert_eq!(seen, expected);
    assert_eq!(get(&format!("{}?page=4", col.url)).await.status, 404);
    assert_eq!(
        get(&format!("{}?page=99999999999999999999999", col.url))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn letters_board_names_its_columns_in_the_header_row() {
    let sim = city().await;
    let t = sim.truth();
    let board = column(&t, "咨询投诉");
    let letters: Vec<_> = t.letters.iter().filter(|l| l.board == board.url).collect();
    assert_eq!(letters.len(), 3 + 25 + 4 + 5);
    let html = get(&board.url).await.text();
    assert!(html.contains(
        "<tr class=\"title\"><th>来信时间</th><th>标题</th><th>承办单位</th><th>状态</th><th>答复时间</th></tr>"
    ));
    let row = regex::Regex::new(
        r#"<tr><td>(\d{4}-\d\d-\d\d)</td><td><a href="[^"]*" title="([^"]*)"[^>]*>[^<]*</a></td><td>([^<]*)</td><td><span class="\w+">([^<]*)</span></td><td>([^<]*)</td></tr>"#,
    )
    .expect("re");
    let mut rows = Vec::new();
    for p in 1..=4 {
        let h = get(&format!("{}?page={p}", board.url)).await.text();
        for c in row.captures_iter(&h) {
            rows.push((
                c[1].to_string(),
                c[2].to_string(),
                c[3].to_string(),
                c[4].to_string(),
                c[5].to_string(),
            ));
        }
    }
    assert_eq!(rows.len(), letters.len());
    for (r, l) in rows.iter().zip(&letters) {
        assert_eq!(r.0, l.received.format("%Y-%m-%d").to_string());
        assert_eq!(r.1, l.title);
        assert_eq!(r.2, l.label);
        assert_eq!(r.3, if l.replied { "已办结" } else { "办理中" });
        assert_eq!(
            r.4,
            l.answered
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        );
    }
    assert!(rows.iter().any(|r| r.2 == "市人力资源和社会保障局"));
    assert!(rows.iter().any(|r| r.2 == "市人社局"));
    let counts = t.letters_in_window();
    let rsj = counts.iter().find(|c| c.unit == "rsj").expect("rsj");
    assert_eq!((rsj.received, rsj.replied), (25, 25));
    let gaj = counts.iter().find(|c| c.unit == "gaj").expect("gaj");
    assert_eq!((gaj.received, gaj.replied), (5, 3));
    assert_eq!(letters.iter().filter(|l| !l.replied).count(), 2 + 2);
    let detail = get(&letters[0].url).await;
    assert_eq!(detail.status, 200);
    assert!(detail.text().contains(&letters[0].title));
}

#[tokio::test]
async fn dead_sites_refuse_until_rectified_on_the_same_url() {
    let sim = city().await;
    let dept = sim.site_url("dept").expect("dept");
    let gone = sim.site_url("gone").expect("gone");
    assert!(!dept.contains(&format!(":{}/", sim.addr().port())));
    assert!(refused(&dept).await);
    assert!(refused(&gone).await);
    let t = sim.truth();
    assert_eq!(t.unreachable.len(), 2);
    assert!(t.websites.iter().any(|w| w.url == dept));

    // Rectify from another thread while the server runs.
    let sim = std::sync::Arc::new(sim);
    let s2 = sim.clone();
    std::thread::spawn(move || s2.rectify())
        .join()
        .expect("thread");
    let r = get(&dept).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("测试市公安局网站"));
    assert_eq!(sim.site_url("dept").as_deref(), Some(dept.as_str()));
    assert!(refused(&gone).await);
    let t = sim.truth();
    assert_eq!(t.unreachable.len(), 1);
    assert_eq!(t.unreachable[0].url, gone);
    sim.rectify();
    assert_eq!(
        get(&dept).await.status,
        200,
        "rectifying twice changes nothing"
    );
}

#[tokio::test]
async fn slow_sites_answer_late() {
    let sim = city().await;
    let started = Instant::now();
    let r = home(&sim, "rsj.test.gov.cn").await;
    assert_eq!(r.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    home(&sim, "www.test.gov.cn").await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn firewall_answers_429_beyond_its_rate() {
    let sim = city().await;
    let url = format!("{}/", base(&sim, "rsj.test.gov.cn"));
    let answers = futures_join(&url, 5).await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let limited: Vec<_> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!((ok, limited.len()), (3, 2));
    assert!(limited.iter().all(|r| r.header("retry-after") == Some("2")));
    assert_eq!(sim.requests().len(), 5, "refused requests are logged too");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&url).await.status, 200);
    // Other hosts are not limited.
    let portal = format!("{}/", base(&sim, "www.test.gov.cn"));
    assert!(
        futures_join(&portal, 6)
            .await
            .iter()
            .all(|r| r.status == 200)
    );
}

/// `n` requests at once.
async fn futures_join(url: &str, n: usize) -> Vec<common::Resp> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let u = url.to_string();
            tokio::spawn(async move { get(&u).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn broken_links_answer_as_the_truth_says_and_rectify_except_persisting() {
    let sim = city().await;
    let home = format!("{}/", base(&sim, "www.test.gov.cn"));
    let t = sim.truth();
    let mut kinds: Vec<LinkKind> = t.broken_links.iter().map(|l| l.kind).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            LinkKind::NotFound,
            LinkKind::ServerError,
            LinkKind::Soft404,
            LinkKind::RedirectHome,
            LinkKind::Unreachable,
        ]
    );
    for l in &t.broken_links {
        assert!(
            l.pages.contains(&home),
            "{} is linked from the homepage",
            l.url
        );
        if l.kind == LinkKind::Unreachable {
            assert_eq!(Some(l.url.clone()), sim.site_url("dept"));
            continue;
        }
        let r = get(&l.url).await;
        match l.kind {
            LinkKind::NotFound => assert_eq!(r.status, 404),
            LinkKind::ServerError => assert_eq!(r.status, 500),
            LinkKind::Soft404 => {
                assert_eq!(r.status, 200);
                assert!(r.text().contains("您访问的页面不存在"));
            }
            LinkKind::RedirectHome => {
                assert_eq!(r.status, 302);
                assert_eq!(r.header("location"), Some(home.as_str()));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    // Blank and stale columns.
    let blank = &t.blank_columns;
    assert_eq!(blank.len(), 1);
    let html = get(&blank[0].url).await.text();
    assert!(html.contains("暂无信息"));
    assert!(titles(&html).is_empty());
    assert_eq!(t.stale_columns.len(), 1);
    let stale_newest = t.stale_columns[0].newest.expect("older items");
    assert!((t.as_of - stale_newest).num_days() >= 30);

    sim.rectify();
    let r = sim.truth();
    assert_eq!(r.broken_links.len(), 1);
    assert_eq!(r.broken_links[0].kind, LinkKind::RedirectHome);
    for l in &t.broken_links {
        let status = if l.kind == LinkKind::Unreachable {
            get(&l.url).await.status
        } else {
            let resp = get(&l.url).await;
            assert!(!resp.text().contains("您访问的页面不存在"));
            resp.status
        };
        let expected = if l.kind == LinkKind::RedirectHome {
            302
        } else {
            200
        };
        assert_eq!(status, expected, "{}", l.url);
    }
    assert_eq!(r.blank_columns.len(), 1, "the blank column persists");
    assert!(r.stale_columns.is_empty());
    let news = column(&r, "政务动态");
    assert!((r.as_of - news.items[0].date).num_days() <= 1);
    let html = get(&news.url).await.text();
    assert!(html.contains(&news.items[0].title));
}

#[tokio::test]
async fn request_log_keeps_method_and_query() {
    let sim = city().await;
    let b = base(&sim, "xxgk.test.gov.cn");
    get(&format!("{b}/gaj/index_1.html")).await;
    post_form(
        &format!("{b}/module/web/jpage/dataproxy.jsp?startrecord=1"),
        "columnid=1",
    )
    .await;
    let log = sim.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].path_and_query, "/gaj/index_1.html");
    assert_eq!(
        (log[1].method.as_str(), log[1].path_and_query.as_str()),
        ("POST", "/module/web/jpage/dataproxy.jsp?startrecord=1")
    );
    let head = request("HEAD", &format!("{b}/gaj/"), None, &[])
        .await
        .expect("HEAD");
    let full = get(&format!("{b}/gaj/")).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );
    sim.clear_requests();
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn shutdown_stops_the_listener() {
    let sim = city().await;
    let url = format!("{}/", base(&sim, "www.test.gov.cn"));
    assert_eq!(get(&url).await.status, 200);
    sim.shutdown().await;
    assert!(request("GET", &url, None, &[]).await.is_err());

    let sim = city().await;
    let url = format!("{}/", base(&sim, "www.test.gov.cn"));
    drop(sim);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(request("GET", &url, None, &[]).await.is_err());
}

#[tokio::test]
async fn scenario_errors_name_the_key() {
    let bad = common::CITY.replace(
        "unit = \"gaj\"\nname = \"测试市公安局网站\"",
        "unit = \"nobody\"\nname = \"测试市公安局网站\"",
    );
    let err = spotcheck_sim::Scenario::from_toml(&bad).expect_err("unknown unit");
    assert!(
        err.to_string()
            .contains("sites[1].unit: unit `nobody` is not defined"),
        "{err}"
    );
    let typo = common::CITY
        .replace("homepage", "homepag")
        .replace("links_to", "link_to");
    assert!(
        spotcheck_sim::Scenario::from_toml(&typo).is_err(),
        "unknown keys are refused"
    );
    let crowded = common::CITY.replace(
        "{ menu = \"互动交流 > 验证\", kind = \"captcha\" },",
        "{ menu = \"互动交流 > 验证\", kind = \"captcha\" }, { menu = \"专题 > 一\", kind = \"404\" },",
    );
    let err = spotcheck_sim::Scenario::from_toml(&crowded).expect_err("4 top buttons");
    assert!(err.to_string().contains("at most 3 top buttons"), "{err}");
    let hanweb_path =
        common::CITY.replace("cms = \"hanweb\"", "cms = \"hanweb\", path = \"/rsj/\"");
    let err = spotcheck_sim::Scenario::from_toml(&hanweb_path).expect_err("hanweb path");
    assert!(err.to_string().contains("Hanweb columns live at"), "{err}");
}
