//! The targets a registry names, checked against the SSRF guard before any request.
//!
//! A round refuses targets on loopback, private, link-local and metadata addresses unless the
//! operator allows them; a registry naming one would only find out mid-round, as a site that
//! looks unreachable. Whatever can be known without a request is checked when the registry is
//! loaded: website and column URLs whose host is an address, a `localhost` name or a name that
//! `[network] resolve` points at such an address, and the links in saved menu files. A public
//! name that resolves inside is found only when a worker resolves it.

use std::net::IpAddr;
use std::path::Path;

use url::{Host, Url};

use crate::config_error::{ConfigError, KeyPath, Source};
use crate::guard;
use crate::registry::Registry;

/// Why the guard would refuse `url`, when that is known from the URL and the registry alone.
pub fn refusal(url: &Url, registry: &Registry) -> Option<String> {
    let why = |ip: IpAddr| guard::refusal(ip).map(|w| format!("{ip} is {w}"));
    match url.host()? {
        Host::Ipv4(ip) => why(IpAddr::V4(ip)),
        Host::Ipv6(ip) => why(IpAddr::V6(ip)),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return Some(format!("{name} is a loopback name"));
            }
            let ips = registry.network.resolve.get(&name)?;
            ips.iter()
                .find_map(why)
                .map(|w| format!("[network] resolve sends {name} to {w}"))
        }
    }
}

/// Every target of the registry the round would refuse, as errors at the key naming it.
pub(crate) fn check(registry: &Registry, src: &Source) -> Vec<ConfigError> {
    let mut errs = Vec::new();
    let refused = |p: &KeyPath, url: &Url, errs: &mut Vec<ConfigError>| {
        if let Some(why) = refusal(url, registry) {
            errs.push(src.error_at(p, message(url, &why)));
        }
    };
    let sites = KeyPath::default().key("websites");
    for (i, w) in registry.websites.iter().enumerate() {
        let p = sites.index(i);
        refused(&p.key("url"), &w.url, &mut errs);
        for (j, c) in w.columns.iter().enumerate() {
            refused(&p.key("columns").index(j).key("url"), &c.url, &mut errs);
        }
    }
    let accounts = KeyPath::default().key("accounts");
    for (i, a) in registry.accounts.iter().enumerate() {
        let Some(file) = &a.menu_file else { continue };
        for url in menu_links(file) {
            if let Some(why) = refusal(&url, registry) {
                let p = accounts.index(i).key("menu_file");
                errs.push(src.error_at(
                    &p,
                    format!(
                        "the saved menu {} links to {}",
                        file.display(),
                        message(&url, &why)
                    ),
                ));
            }
        }
    }
    errs
}

fn message(url: &Url, why: &str) -> String {
    format!(
        "`{url}`: {why}; targets on loopback, private, link-local and metadata addresses are \
         refused unless `[network] allow_private = true` (or `--allow-private`)"
    )
}

/// Every web link in a saved menu file. A file that cannot be read or parsed links nowhere
/// here: the menu check reports it when the round reads it.
fn menu_links(file: &Path) -> Vec<Url> {
    fn walk(v: &serde_json::Value, out: &mut Vec<Url>) {
        match v {
            serde_json::Value::String(s) => {
                if let Ok(u) = Url::parse(s.trim())
                    && matches!(u.scheme(), "http" | "https")
                {
                    out.push(u);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(json) = std::fs::read_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        walk(&json, &mut out);
    }
    out
}
