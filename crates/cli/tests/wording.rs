//! Wording errors through a whole round on a hand-served site: the plan's dictionary file and
//! the built-in one, the registry's leader, a homepage, a page it links, a column's list and
//! its newest articles (one of them GBK), the WeChat articles an account's menu links —
//! every error found once with its context, and
//! nothing found in scripts, attributes, URLs, allowed phrases, correct text, a leader's name
//! away from the title or after a deputy's title, or an article older than the newest five.

use std::collections::BTreeSet;
use std::path::Path;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use spotcheck_core::indicator::{Indicator, Severity};
use spotcheck_core::{Plan, Registry};
use spotcheck_report::Report;

const HOMEPAGE: &str = r#"<html><head><title>测试市人民政府</title>
<script>var banner = '中华人民共合国';</script><style>.x:after{content:"再接再励"}</style></head>
<body><div class="nav"><a href="/xwdt/">新闻动态</a>
<a href="/zt/中国共产觉/" title="走头无路">专题专栏</a><img src="/a.png" alt="一愁莫展"></div>
<ul class="news"><li><a href="/a/1.html">市政府召开常务会议</a><span>2020-12-16</span></li></ul>
<p>坚持中国共产党的领导，建设中华人民共和国。各单位按装修标准施工。</p>
<p>本站测试错词一处。</p>
<p>周建民同志到基层调研。副局长周建民出席。</p>
</body></html>"#;

const LINKED: &str = "<html><body><p>报告言简意骇，层次分明。</p></body></html>";

/// (path, date, text) of the column's articles, newest first; the sixth is not read.
const ARTICLES: [(&str, &str, &str); 6] = [
    ("1.html", "2020-12-10", "坚决贯彻落实中华人民共合国宪法。"),
    ("2.html", "2020-12-09", "局长周建民出席会议并讲话。"),
    (
        "3.html",
        "2020-12-08",
        "全市上下安装监测设备，一筹莫展的局面已经改变。",
    ),
    (
        "4.html",
        "2020-12-07",
        "全体干部要再接再励，奋力完成全年目标任务。",
    ),
    ("5.html", "2020-12-06", "局长周建明出席会议并讲话。"),
    (
        "6.html",
        "2020-12-05",
        "有人说走头无路，其实办法总比困难多。",
    ),
];

fn list_page() -> String {
    let items: String = ARTICLES
        .iter()
        .map(|(path, date, _)| {
            format!("<li><a href=\"/xwdt/{path}\">工作动态{path}</a><span>{date}</span></li>\n")
        })
        .collect();
    format!("<html><body><ul class=\"list\">\n{items}</ul></body></html>")
}

/// The first article is GBK, announced in its `<meta>` only.
fn article(n: usize) -> axum::response::Response {
    let text = ARTICLES[n].2;
    if n == 0 {
        let html =
            format!("<html><head><meta charset=\"gbk\"></head><body><p>{text}</p></body></html>");
        let (bytes, _, bad) = encoding_rs::GBK.encode(&html);
        assert!(!bad);
        return ([(CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response();
    }
    let html = format!("<html><body><p>{text}</p></body></html>");
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// A WeChat article, as `mp.weixin.qq.com/s/…` and `/s?__biz=…` serve them.
const WX_VIEW: &str =
    "<html><body><div id=\"js_content\"><p>坚持中国共产觉的领导。</p></div></body></html>";
const WX_NEWS: &str =
    "<html><body><div id=\"js_content\"><p>大家要一愁莫展吗？</p></div></body></html>";

/// The account's saved menu: a view button and a news button, each to an article.
fn menu(port: u16) -> String {
    format!(
        r#"{{"is_menu_open": 1, "selfmenu_info": {{"button": [
          {{"type": "view", "name": "学习", "url": "http://mp.weixin.qq.com:{port}/s/abc"}},
          {{"type": "news", "name": "动态", "value": "m1", "news_info": {{"list": [
            {{"title": "动态", "content_url": "http://mp.weixin.qq.com:{port}/s?__biz=MjM5&mid=1&idx=1"}}
          ]}}}}
        ]}}}}"#
    )
}

async fn serve() -> std::net::SocketAddr {
    let mut app = Router::new()
        .route("/s/abc", get(|| async { axum::response::Html(WX_VIEW) }))
        .route("/s", get(|| async { axum::response::Html(WX_NEWS) }))
        .route("/", get(|| async { axum::response::Html(HOMEPAGE) }))
        .route("/a/1.html", get(|| async { axum::response::Html(LINKED) }))
        .route(
            "/xwdt/",
            get(|| async { axum::response::Html(list_page()) }),
        );
    for (n, (path, _, _)) in ARTICLES.iter().enumerate() {
        app = app.route(
            &format!("/xwdt/{path}"),
            get(move || async move { article(n) }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The round's report and the site's base URL.
async fn round_report(dir: &Path) -> (Report, String) {
    let addr = serve().await;
    let port = addr.port();
    let registry = format!(
        r#"
[meta]
region = "测试市"
name = "测试市政府网站"

[network]
allow_private = true
resolve = {{ "www.test.gov.cn" = "127.0.0.1", "mp.weixin.qq.com" = "127.0.0.1" }}

[[units]]
id = "szf"
name = "市政府办公室"
leaders = [{{ name = "周建明", title = "局长" }}]

[[websites]]
id = "portal"
unit = "szf"
name = "测试市人民政府网站"
url = "http://www.test.gov.cn:{port}/"

  [[websites.columns]]
  name = "新闻动态"
  url = "http://www.test.gov.cn:{port}/xwdt/"
  type = "news"

[[accounts]]
id = "szf-wx"
unit = "szf"
platform = "wechat"
name = "测试发布"
menu_file = "menu.json"
"#
    );
    std::fs::write(dir.join("menu.json"), menu(port)).unwrap();
    std::fs::write(
        dir.join("words.toml"),
        "[[entries]]\nwrong = \"测试错词\"\nright = \"测试正词\"\nseverity = \"deduct\"\n",
    )
    .unwrap();
    let plan_path = dir.join("plan.toml");
    std::fs::write(
        &plan_path,
        "[availability]\nprobes = 1\n\n[links]\nexternal = false\n\n[wording]\ndictionaries = [\"words.toml\"]\n",
    )
    .unwrap();
    let input = spotcheck_scheduler::RoundInput {
        registry: Registry::parse(&registry, &dir.join("registry.toml")).unwrap(),
        plan: Plan::load(&plan_path).unwrap(),
        window: "2020-10-01..2020-12-31".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        allow_private: true,
        salt: "wording".into(),
    };
    let round = spotcheck_scheduler::build_round(input).unwrap();
    let mut opts = spotcheck::embedded::Options::new(8);
    opts.progress = false;
    let finished = spotcheck::embedded::execute(round, opts).await.unwrap();
    (
        finished.report(None),
        format!("http://www.test.gov.cn:{port}/"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_finds_each_wording_error_once_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (r, base) = round_report(dir.path()).await;
    let found: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::WordingError)
        .collect();
    let got: BTreeSet<(String, String, String, Severity)> = found
        .iter()
        .filter_map(|f| {
            let url = f.url.clone().unwrap();
            let path = url.strip_prefix(&base)?.to_string();
            let w = f.wording.clone().unwrap();
            Some((path, w.wrong, w.right, f.severity))
        })
        .collect();
    let want: BTreeSet<(String, String, String, Severity)> = [
        ("", "测试错词", "测试正词", Severity::Deduct),
        ("a/1.html", "言简意骇", "言简意赅", Severity::Deduct),
        (
            "xwdt/1.html",
            "中华人民共合国",
            "中华人民共和国",
            Severity::Veto,
        ),
        ("xwdt/2.html", "周建民", "周建明", Severity::Veto),
        ("xwdt/4.html", "再接再励", "再接再厉", Severity::Deduct),
    ]
    .into_iter()
    .map(|(p, w, r, s)| (p.to_string(), w.to_string(), r.to_string(), s))
    .collect();
    assert_eq!(got, want);
    let wx: BTreeSet<(String, String, String, String, Severity)> = r
        .findings
        .iter()
        .filter(|f| f.indicator == Indicator::WordingError && f.account.is_some())
        .map(|f| {
            let w = f.wording.clone().unwrap();
            let url = f.url.clone().unwrap();
            (f.target.clone(), url, w.wrong, w.context, f.severity)
        })
        .collect();
    let wx_base = base.replace("www.test.gov.cn", "mp.weixin.qq.com");
    assert_eq!(
        wx,
        BTreeSet::from([
            (
                "测试发布".to_string(),
                format!("{wx_base}s/abc"),
                "中国共产觉".to_string(),
                "坚持中国共产觉的领导。".to_string(),
                Severity::Veto
            ),
            (
                "测试发布".to_string(),
                format!("{wx_base}s?__biz=MjM5&mid=1&idx=1"),
                "一愁莫展".to_string(),
                "大家要一愁莫展吗？".to_string(),
                Severity::Deduct
            ),
        ])
    );
    assert_eq!(
        found.len(),
        want.len() + wx.len(),
        "one finding per phrase and page"
    );
    assert_eq!(
        r.summary.accounts.passed, 0,
        "a serious error in an article fails its account"
    );

    let typo = found
        .iter()
        .find(|f| {
            f.url
                .as_deref()
                .is_some_and(|u| u.ends_with("/xwdt/4.html"))
        })
        .unwrap();
    assert_eq!(
        typo.wording.as_ref().unwrap().context,
        "全体干部要再接再励，奋力完成全年目标任务。"
    );
    assert_eq!(
        (typo.unit.as_str(), typo.target.as_str()),
        ("市政府办公室", "新闻动态")
    );
    let gbk = found
        .iter()
        .find(|f| {
            f.url
                .as_deref()
                .is_some_and(|u| u.ends_with("/xwdt/1.html"))
        })
        .unwrap();
    assert_eq!(
        gbk.wording.as_ref().unwrap().context,
        "坚决贯彻落实中华人民共合国宪法。"
    );
    assert!(
        gbk.detail
            .contains("「中华人民共合国」应为「中华人民共和国」（国名错误）"),
        "{}",
        gbk.detail
    );

    // A serious wording error fails the site and is a problem of the notice.
    assert_eq!(r.summary.websites.passed, 0);
    let problem = r
        .problems
        .iter()
        .find(|p| p.indicator == Indicator::WordingError);
    assert_eq!(
        problem.map(|p| p.units.clone()),
        Some(vec!["市政府办公室".to_string()])
    );
    let notice = spotcheck_report::render::to_markdown(&r);
    assert!(notice.contains("内容存在表述错误"));
    assert!(notice.contains("「再接再励」应为「再接再厉」"));
}
