//! The workload: one page with N links spread over H loopback hosts (127.0.0.1 ..= 127.0.0.H,
//! one port each), a fixed share of them broken (404). Distinct addresses, not distinct ports,
//! because politeness is per host name: ports on one address would be one host to every tool.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

use crate::timeline::Timeline;

/// What the workload serves, and how many requests it answered.
pub struct Workload {
    /// The page every tool starts from.
    pub page_url: String,
    pub links: usize,
    pub broken: usize,
    pub hosts: Vec<SocketAddr>,
    served: Arc<AtomicU64>,
    /// When the page and the links were served in the current run.
    pub timeline: Arc<Timeline>,
}

impl Workload {
    /// Requests answered so far (all hosts).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }
}

/// Whether link `n` is one of the broken ones: `percent` of every hundred links, spread evenly
/// over the hosts (link `n` is on host `n % hosts`).
fn is_broken(n: usize, percent: usize) -> bool {
    n % 100 < percent
}

/// Binds the hosts and starts serving on the current runtime.
pub async fn start(links: usize, hosts: usize, percent: usize) -> std::io::Result<Workload> {
    let hosts = hosts.clamp(1, 250);
    let mut listeners = Vec::new();
    for h in 1..=hosts {
        let ip = Ipv4Addr::new(127, 0, 0, h as u8);
        let l = TcpListener::bind((ip, 0)).await.map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on {ip} ({e}); loopback must route 127.0.0.0/8"),
            )
        })?;
        listeners.push(l);
    }
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .map(|l| l.local_addr())
        .collect::<Result<_, _>>()?;

    let mut page = String::with_capacity(links * 80 + 256);
    page.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>基准测试页</title></head>\n<body><ul>\n");
    let mut broken = 0;
    for n in 0..links {
        let host = addrs[n % addrs.len()];
        let kind = if is_broken(n, percent) {
            broken += 1;
            "broken"
        } else {
            "ok"
        };
        let _ = writeln!(
            page,
            "<li><a href=\"http://{host}/{kind}/{n}.html\">链接 {n}</a></li>"
        );
    }
    page.push_str("</ul></body></html>\n");
    let page = Bytes::from(page);
    let served = Arc::new(AtomicU64::new(0));

    let timeline = Arc::new(Timeline::new());
    let (counter, moments) = (served.clone(), timeline.clone());
    let app = Router::new().fallback(move |uri: Uri| {
        let page = page.clone();
        counter.fetch_add(1, Ordering::Relaxed);
        if uri.path() == "/" {
            moments.page_served();
        } else {
            moments.link_served();
        }
        async move { answer(uri.path(), page) }
    });
    for l in listeners {
        let app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(l, app).await {
                eprintln!("workload server stopped: {e}");
            }
        });
    }
    Ok(Workload {
        page_url: format!("http://{}/", addrs[0]),
        links,
        broken,
        hosts: addrs,
        served,
        timeline,
    })
}

fn answer(path: &str, page: Bytes) -> Response {
    const HTML: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/html; charset=utf-8");
    if path == "/" {
        ([HTML], page).into_response()
    } else if path.starts_with("/broken/") {
        (
            StatusCode::NOT_FOUND,
            [HTML],
            "<html><head><title>404 Not Found</title></head><body>not found</body></html>",
        )
            .into_response()
    } else {
        (
            [HTML],
            "<html><head><title>文章</title></head><body><p>正文内容。</p></body></html>",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_percent_broken_spread_over_hosts() {
        let broken: Vec<usize> = (0..1000).filter(|n| is_broken(*n, 10)).collect();
        assert_eq!(broken.len(), 100);
        let mut per_host = [0; 10];
        for n in broken {
            per_host[n % 10] += 1;
        }
        assert_eq!(per_host, [10; 10]);
    }
}
