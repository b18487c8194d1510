//! GBK and GB2312 list pages through the fetcher: whatever the server says (charset in the
//! header only, in `<meta>` only, nowhere, or wrongly), the column list comes out with the
//! right Chinese titles and dates. Many government CMSs still serve GBK.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::routing::get;
use chrono::NaiveDate;
use spotcheck_extract::list::parse_list;
use spotcheck_politeness::MemoryGate;
use spotcheck_worker::fetch::client::{FetchOptions, IDLE_TIMEOUT};
use spotcheck_worker::fetch::{FetchConfig, Fetcher};
use spotcheck_worker::page_text;
use tokio::net::TcpListener;
use url::Url;

const ITEMS: [(&str, &str, (i32, u32, u32)); 4] = [
    (
        "景德镇市人民政府办公室关于做好2020年冬季森林防火工作的通知",
        "2020-11-02",
        (2020, 11, 2),
    ),
    (
        "市政府召开第四季度政务公开工作推进会",
        "2020年10月30日",
        (2020, 10, 30),
    ),
    (
        "关于征集《景德镇市“十四五”规划》意见建议的公告",
        "2020/10/12",
        (2020, 10, 12),
    ),
    (
        "浮梁县第三季度政府网站自查情况报告",
        "2020.09.28",
        (2020, 9, 28),
    ),
];

/// A GBK-only name (堃 is not in GB2312): servers that say "gb2312" often send GBK.
const GBK_ONLY: &str = "县长王堃主持召开县政府常务会议";

/// A column page in the plain list style of many county sites.
fn page(meta: Option<&str>, extra: Option<&str>) -> String {
    let mut s = String::from("<html>\n<head>\n");
    if let Some(m) = meta {
        s.push_str(m);
        s.push('\n');
    }
    s.push_str("<title>通知公告_景德镇市人民政府</title>\n</head>\n<body>\n");
    s.push_str("<div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a> <a href=\"/tzgg/\">通知公告</a></div>\n");
    s.push_str("<div class=\"list\"><ul>\n");
    for (i, (title, date, _)) in ITEMS.iter().enumerate() {
        s.push_str(&format!(
            "<li><a href=\"./2020{i:02}/t2020_{i}.html\" target=\"_blank\">{title}</a><span class=\"date\">{date}</span></li>\n"
        ));
    }
    if let Some(e) = extra {
        s.push_str(&format!(
            "<li><a href=\"./202009/t20200901_9.html\">{e}</a><span class=\"date\">2020-09-01</span></li>\n"
        ));
    }
    s.push_str("</ul></div>\n<div class=\"footer\">主办单位：景德镇市人民政府办公室 联系电话：0798-8888888</div>\n</body>\n</html>\n");
    s
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "the page is GBK-encodable");
    bytes.into_owned()
}

/// A page as served: body bytes and headers.
struct Served {
    path: &'static str,
    content_type: Option<&'static str>,
    gzip: bool,
    body: Vec<u8>,
    extra: Option<&'static str>,
}

async fn serve(pages: Vec<Served>) -> String {
    let mut app = Router::new();
    for p in pages {
        let mut headers = HeaderMap::new();
        if let Some(ct) = p.content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        let body = if p.gzip {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&p.body).unwrap();
            gz.finish().unwrap()
        } else {
            p.body
        };
        let body = Bytes::from(body);
        app = app.route(
            p.path,
            get(move || {
                let (h, b) = (headers.clone(), body.clone());
                async move { (h, b) }
            }),
        );
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn fetcher() -> Fetcher {
    let cfg = FetchConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        max_body: 1 << 20,
        max_redirects: 5,
        retries: 0,
        retry_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        user_agent: "spotcheck-test".into(),
        allow_private: true,
        resolve: BTreeMap::new(),
        extra_roots: Vec::new(),
        idle_per_host: 4,
        idle_timeout: IDLE_TIMEOUT,
        limit_addresses: false,
    };
    Fetcher::new(
        cfg,
        Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 16)),
    )
    .unwrap()
}

/// Fetches a column page and reads its list.
async fn read(f: &Fetcher, url: &str) -> (String, Vec<(String, Option<NaiveDate>)>) {
    let url = Url::parse(url).unwrap();
    let fetched = tokio::time::timeout(
        Duration::from_secs(10),
        f.fetch(&url, &FetchOptions::default()),
    )
    .await
    .expect("bounded")
    .expect("fetched");
    let text = page_text(&fetched).expect("an HTML page");
    let list = parse_list(&text, &fetched.url, None);
    let items = list.items.into_iter().map(|i| (i.title, i.date)).collect();
    (text, items)
}

fn expected(extra: Option<&str>) -> Vec<(String, Option<NaiveDate>)> {
    let mut v: Vec<_> = ITEMS
        .iter()
        .map(|(t, _, (y, m, d))| (t.to_string(), NaiveDate::from_ymd_opt(*y, *m, *d)))
        .collect();
    if let Some(e) = extra {
        v.push((e.to_string(), NaiveDate::from_ymd_opt(2020, 9, 1)));
    }
    v
}

const META_GBK: &str = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">";
const META_GB2312: &str = "<meta charset=\"gb2312\">";

#[tokio::test]
async fn gbk_and_gb2312_lists_read_right_however_declared() {
    let pages = vec![
        Served {
            path: "/gbk/header.html",
            content_type: Some("text/html; charset=GBK"),
            gzip: false,
            body: gbk(&page(None, Some(GBK_ONLY))),
            extra: Some(GBK_ONLY),
        },
        Served {
            path: "/gbk/meta.html",
            content_type: Some("text/html"),
            gzip: false,
            body: gbk(&page(Some(META_GBK), Some(GBK_ONLY))),
            extra: Some(GBK_ONLY),
        },
        Served {
            path: "/gbk/neither.html",
            content_type: Some("text/html"),
            gzip: false,
            body: gbk(&page(None, Some(GBK_ONLY))),
            extra: Some(GBK_ONLY),
        },
        Served {
            path: "/gb2312/header.html",
            content_type: Some("text/html; charset=gb2312"),
            gzip: false,
            body: gbk(&page(None, None)),
            extra: None,
        },
        Served {
            path: "/gb2312/meta.html",
            content_type: Some("text/html"),
            gzip: false,
            body: gbk(&page(Some(META_GB2312), None)),
            extra: None,
        },
        Served {
            path: "/gb2312/neither.html",
            content_type: Some("text/html"),
            gzip: false,
            body: gbk(&page(None, None)),
            extra: None,
        },
        // Labelled GB2312, holding a GBK-only character: decoded as the superset.
        Served {
            path: "/gb2312/gbk-inside.html",
            content_type: Some("text/html; charset=gb2312"),
            gzip: false,
            body: gbk(&page(None, Some(GBK_ONLY))),
            extra: Some(GBK_ONLY),
        },
        // A server default Latin-1 header over a page whose meta knows better.
        Served {
            path: "/gbk/latin1-header.html",
            content_type: Some("text/html; charset=ISO-8859-1"),
            gzip: false,
            body: gbk(&page(Some(META_GBK), None)),
            extra: None,
        },
        // A server default UTF-8 header over a GBK page that declares nothing.
        Served {
            path: "/gbk/utf8-header.html",
            content_type: Some("text/html; charset=utf-8"),
            gzip: false,
            body: gbk(&page(None, None)),
            extra: None,
        },
        // Compressed, meta only: the charset is read from the decompressed bytes.
        Served {
            path: "/gbk/gzip-meta.html",
            content_type: Some("text/html"),
            gzip: true,
            body: gbk(&page(Some(META_GBK), Some(GBK_ONLY))),
            extra: Some(GBK_ONLY),
        },
        // No Content-Type at all.
        Served {
            path: "/gbk/untyped.html",
            content_type: None,
            gzip: false,
            body: gbk(&page(None, None)),
            extra: None,
        },
    ];
    let cases: Vec<_> = pages.iter().map(|p| (p.path, p.extra)).collect();
    let base = serve(pages).await;
    let f = fetcher();
    for (path, extra) in cases {
        let (text, items) = read(&f, &format!("{base}{path}")).await;
        assert!(
            text.contains("<title>通知公告_景德镇市人民政府</title>"),
            "{path}: {}",
            &text[..text.len().min(300)]
        );
        assert!(!text.contains('\u{FFFD}'), "{path}: replacement characters");
        assert_eq!(items, expected(extra), "{path}");
    }
}
