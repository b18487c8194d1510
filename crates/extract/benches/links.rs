//! How long reading a big page takes: links and dated links of a 10,000-link page (dated, and
//! undated as the link benchmark's page, its links written out in full), and a 1,000-entry list.
//!
//! `cargo bench -p spotcheck-extract` prints the median of several runs for each reader.

use std::time::{Duration, Instant};

use spotcheck_extract::{dated_items, link_urls, links, parse_list};
use url::Url;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(name: &str, bytes: usize, mut f: impl FnMut() -> usize) {
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..15 {
        let start = Instant::now();
        found = std::hint::black_box(f());
        runs.push(start.elapsed());
    }
    let m = median(runs);
    println!(
        "{name:<32} {:>8} KiB {found:>6} found  median {:>8.2} ms",
        bytes / 1024,
        m.as_secs_f64() * 1000.0
    );
}

fn main() {
    let page = Url::parse("http://www.example.gov.cn/zwdt/index.html").expect("static url");
    let mut html = String::from(
        "<html><head><meta charset=utf-8><title>政务动态</title></head><body><ul class=list>\n",
    );
    for i in 0..10_000 {
        html.push_str(&format!(
            "<li><a href=\"./2020{:02}/t2020{:02}{:02}_{i}.html\" title=\"关于开展第{i}次政府网站抽查工作的通知\">关于开展第{i}次政府网站抽查工作的通知</a><span>2020-{:02}-{:02}</span></li>\n",
            i % 12 + 1, i % 12 + 1, i % 28 + 1, i % 12 + 1, i % 28 + 1
        ));
    }
    html.push_str("</ul></body></html>");
    time("links: 10,000 links", html.len(), || {
        links(&html, &page).len()
    });

    time("dated_items: 10,000 links", html.len(), || {
        dated_items(&html, &page).len()
    });
    let mut plain = String::from("<html><body><ul>\n");
    for i in 0..10_000 {
        plain.push_str(&format!(
            "<li><a href=\"http://127.0.0.{}:8080/ok/{i}.html\">链接 {i}</a></li>\n",
            i % 10 + 1
        ));
    }
    plain.push_str("</ul></body></html>");
    time("dated_items: 10,000 undated", plain.len(), || {
        dated_items(&plain, &page).len()
    });
    time("links: 10,000 undated", plain.len(), || {
        links(&plain, &page).len()
    });
    time("link_urls: 10,000 undated", plain.len(), || {
        link_urls(&plain, &page).len()
    });

    let list_html: String =
        html.lines().take(1_002).collect::<Vec<_>>().join("\n") + "</ul></body></html>";
    time("parse_list: 1,000 entries", list_html.len(), || {
        parse_list(&list_html, &page, None).items.len()
    });

    let mut nested = String::from("<html><body>");
    for i in 0..5_000 {
        nested.push_str(&format!(
            "<font color=#{i:06}><b class=c{i}><a href=/x{i}.html>x</a>"
        ));
    }
    time("links: 5,000 unclosed tags", nested.len(), || {
        links(&nested, &page).len()
    });
}
