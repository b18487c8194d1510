//! The scale workload: a simulated province of many sites on fewer hosts, the way shared
//! (集约化) platforms serve them — site `s` is the name `www.s{s}.bench.gov.cn`, resolved (by
//! the registry's `[network] resolve`) to host `s % hosts`, an address 127.1.x.y with a port
//! of its own. Each homepage links to its own site's articles, a share of them broken.
//! Pages are made from the request's `Host`, so the server keeps no page in memory.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

/// The province's shape.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub sites: usize,
    pub hosts: usize,
    pub links_per_site: usize,
    pub broken_percent: usize,
}

impl Shape {
    /// The same province at `1/n` of its size (at least one site on one host).
    pub fn divided(self, n: usize) -> Shape {
        Shape {
            sites: (self.sites / n).max(1),
            hosts: (self.hosts / n).max(1),
            ..self
        }
    }

    /// Link checks of a round over it.
    pub fn links(&self) -> usize {
        self.sites * self.links_per_site
    }

    /// Requests a round sends the busiest host (an address its sites share): for each site
    /// on it, the availability probe, the homepage, the IPv6 visit, the HTTPS inspection and
    /// every link on the homepage.
    pub fn requests_per_host(&self) -> usize {
        self.sites.div_ceil(self.hosts.max(1)) * (self.links_per_site + 4)
    }

    /// The per-address rate at which a round takes at least `secs`: the busiest host's
    /// requests spread over that time, counted per hour so that long rounds get a
    /// fine-grained rate.
    pub fn rate_for(&self, secs: u64) -> String {
        let per_hour = (self.requests_per_host() * 3600).div_ceil(secs.max(1) as usize);
        format!("{}/h", per_hour.max(1))
    }
}

/// Requests in flight to one site at once in a province's round: a real plan's (the
/// national default is 2), not the link benchmark's 128 to one of its ten hosts. At 128 a
/// worker opens a connection for each of a site's hundred links at once and keeps them all
/// (a 200-site round in one process peaked at 384 MiB, nearly all of it connections; at 4,
/// 78 MiB and faster).
pub const SITE_CONCURRENCY: u16 = 4;

/// The plan of a round over the province: one availability probe, the homepages' links and
/// no deeper, [`SITE_CONCURRENCY`] per host, and no practical per-host rate. With
/// `address_rate`, each address — all the sites of one host, whose names differ — is held to
/// it, `concurrency` at once: the limit that sets how long the round takes, whatever the
/// site names and the workers' share.
pub fn plan(address_rate: Option<&str>, concurrency: u16) -> String {
    let mut plan = format!(
        "[availability]\nprobes = 1\n\n[links]\ndepth = 0\n\n[politeness]\nper_host_rate = \"1000000/s\"\nper_host_concurrency = {SITE_CONCURRENCY}\n"
    );
    if let Some(rate) = address_rate {
        let _ = write!(
            plan,
            "per_ip_rate = \"{rate}\"\nper_ip_concurrency = {concurrency}\n"
        );
    }
    plan
}

/// The served province: each host's address.
pub struct Province {
    pub shape: Shape,
    pub hosts: Vec<SocketAddr>,
}

fn site_name(s: usize) -> String {
    format!("www.s{s:05}.bench.gov.cn")
}

/// The host of a loopback address 127.1.x.y, `h` counting from 0.
fn address(h: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 1, (h / 250) as u8, (h % 250 + 1) as u8)
}

/// Binds the hosts and starts serving on the current runtime.
pub async fn start(shape: Shape) -> std::io::Result<Province> {
    let mut hosts = Vec::new();
    for h in 0..shape.hosts.clamp(1, 250 * 250) {
        let ip = address(h);
        let l = TcpListener::bind((ip, 0)).await.map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on {ip} ({e}); loopback must route 127.0.0.0/8"),
            )
        })?;
        hosts.push(l.local_addr()?);
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| async move {
            answer(shape, &uri, &headers)
        });
        tokio::spawn(async move {
            if let Err(e) = axum::serve(l, app).await {
                eprintln!("province host stopped: {e}");
            }
        });
    }
    Ok(Province { shape, hosts })
}

impl Province {
    /// The registry of the province: a unit and a website per site, each name resolved to
    /// its host's address.
    pub fn registry(&self) -> String {
        let mut r = String::from(
            "[meta]\nregion = \"基准省\"\nname = \"spotcheck scale benchmark\"\n\n[network]\nallow_private = true\n\n[network.resolve]\n",
        );
        for s in 0..self.shape.sites {
            let host = self.hosts[s % self.hosts.len()];
            let _ = writeln!(r, "\"{}\" = \"{}\"", site_name(s), host.ip());
        }
        for s in 0..self.shape.sites {
            let port = self.hosts[s % self.hosts.len()].port();
            let _ = write!(
                r,
                "\n[[units]]\nid = \"u{s}\"\nname = \"基准单位{s}\"\n\n[[websites]]\nid = \"w{s}\"\nunit = \"u{s}\"\nname = \"基准网站{s}\"\nurl = \"http://{}:{port}/\"\n",
                site_name(s)
            );
        }
        r
    }
}

/// A homepage (`/`, its links chosen by the site in `Host`), an article, or a 404.
fn answer(shape: Shape, uri: &Uri, headers: &HeaderMap) -> Response {
    const HTML: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/html; charset=utf-8");
    let path = uri.path();
    if path.starts_with("/broken/") {
        return (
            StatusCode::NOT_FOUND,
            [HTML],
            "<html><head><title>404 Not Found</title></head><body>not found</body></html>",
        )
            .into_response();
    }
    if path != "/" {
        return (
            [HTML],
            "<html><head><title>文章</title></head><body><p>正文内容。</p></body></html>",
        )
            .into_response();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let mut page = String::with_capacity(shape.links_per_site * 90 + 256);
    page.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>基准网站</title></head>\n<body><ul>\n");
    for n in 0..shape.links_per_site {
        let kind = if n % 100 < shape.broken_percent {
            "broken"
        } else {
            "art"
        };
        let _ = writeln!(
            page,
            "<li><a href=\"http://{host}/{kind}/{n}.html\">文章 {n}</a></li>"
        );
    }
    page.push_str("</ul></body></html>\n");
    ([HTML], page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_share_hosts_and_a_tenth_keeps_the_shape() {
        let shape = Shape {
            sites: 2000,
            hosts: 200,
            links_per_site: 100,
            broken_percent: 5,
        };
        assert_eq!(shape.links(), 200_000);
        let tenth = shape.divided(10);
        assert_eq!((tenth.sites, tenth.hosts, tenth.links()), (200, 20, 20_000));
        assert_eq!(tenth.requests_per_host(), 10 * 104);
        // 1,040 requests in a minute: 62,400 an hour.
        assert_eq!(tenth.rate_for(60), "62400/h");
        assert_eq!(address(0), Ipv4Addr::new(127, 1, 0, 1));
        assert_eq!(address(251), Ipv4Addr::new(127, 1, 1, 2));
    }
}
