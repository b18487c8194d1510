//! What the tests read of a role's `/metrics` and `/healthz`: a plain HTTP GET and the
//! Prometheus text format.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A plain HTTP/1.0 GET (no chunked bodies); the status and the body.
pub fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}

/// One scrape: every sample by its series (`name{labels}` as exposed) and the text itself.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub text: String,
    pub samples: BTreeMap<String, f64>,
    pub types: BTreeMap<String, String>,
}

impl Metrics {
    pub fn parse(text: &str) -> Metrics {
        let mut samples = BTreeMap::new();
        let mut types = BTreeMap::new();
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("# TYPE ") {
                let mut it = t.split_whitespace();
                if let (Some(n), Some(k)) = (it.next(), it.next()) {
                    types.insert(n.to_string(), k.to_string());
                }
                continue;
            }
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("a sample line");
            let value: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("bad sample {line:?}"));
            samples.insert(series.to_string(), value);
        }
        Metrics {
            text: text.to_string(),
            samples,
            types,
        }
    }

    /// The sum of every series of the metric `name` whose labels include all of `labels`.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|(series, _)| {
                let (n, l) = series.split_once('{').unwrap_or((series.as_str(), ""));
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
            })
            .map(|(_, v)| v)
            .sum()
    }

    /// Whether any series of `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.samples
            .keys()
            .any(|s| s == name || s.starts_with(&format!("{name}{{")))
    }

    /// The label names used by any series.
    pub fn label_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .samples
            .keys()
            .filter_map(|s| s.split_once('{'))
            .flat_map(|(_, l)| {
                l.trim_end_matches('}')
                    .split(',')
                    .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
