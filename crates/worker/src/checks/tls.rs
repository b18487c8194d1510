//! HTTPS (`site.tls`): where the homepage's plain-HTTP address leads, and the certificate its
//! HTTPS address presents — read and recorded whatever its faults, never trusted for anything.

use chrono::{DateTime, Utc};
use rustls::pki_types::ServerName;
use spotcheck_core::registry::Website;
use spotcheck_core::transport::{Certificate, PlainHttp, TlsOutcome};
use url::Url;
use x509_parser::extensions::GeneralName;

use crate::RoundContext;
use crate::fetch::client::FetchOptions;
use crate::fetch::{FetchError, Presented};

/// Only the redirect matters from the plain-HTTP answer.
const PLAIN_BODY: usize = 16 * 1024;

pub async fn check(ctx: &RoundContext, site: &Website) -> TlsOutcome {
    let http = match plain_twin(&site.url) {
        Some(plain) => Some(plain_http(ctx, plain).await),
        None => None,
    };
    // Where plain HTTP sends visitors, else the homepage's own HTTPS address.
    let url = http
        .as_ref()
        .and_then(|h| h.https.clone())
        .unwrap_or_else(|| https_twin(&site.url));
    match ctx.fetcher.inspect_tls(&url).await {
        Ok(p) => TlsOutcome {
            certificate: Some(certificate(&p, &url)),
            url,
            error: None,
            refused: false,
            http,
        },
        Err(e) => TlsOutcome {
            refused: matches!(e, FetchError::Refused(_)),
            error: Some(e.to_string()),
            certificate: None,
            url,
            http,
        },
    }
}

/// The homepage's plain-HTTP address: itself when it is one; its `http://` twin on the
/// default port when it is HTTPS on the default port; unknown when it names another port.
fn plain_twin(home: &Url) -> Option<Url> {
    match home.scheme() {
        "http" => Some(home.clone()),
        _ if home.port().is_none() => {
            let mut u = home.clone();
            u.set_scheme("http").ok()?;
            Some(u)
        }
        _ => None,
    }
}

/// The homepage's HTTPS address: itself, or its `https://` twin on the default port.
fn https_twin(home: &Url) -> Url {
    let mut u = home.clone();
    if u.scheme() != "https" {
        // Both are special schemes with a host: neither change can fail.
        let _ = u.set_scheme("https");
        let _ = u.set_port(None);
    }
    u
}

/// Fetches the plain-HTTP address, following redirects until one leaves for HTTPS.
async fn plain_http(ctx: &RoundContext, url: Url) -> PlainHttp {
    let opts = FetchOptions {
        max_body: Some(PLAIN_BODY),
        plain_only: true,
        ..FetchOptions::default()
    };
    match ctx.fetcher.fetch(&url, &opts).await {
        Ok(f) => PlainHttp {
            https: f
                .redirects
                .last()
                .filter(|u| u.scheme() == "https")
                .cloned(),
            status: Some(f.status),
            error: None,
            url,
        },
        Err(e) => PlainHttp {
            https: None,
            status: None,
            error: Some(e.to_string()),
            url,
        },
    }
}

/// What the check records of a presented certificate. A certificate that cannot be parsed is
/// recorded as expired at the epoch and for no name: every fault it may have is reported.
fn certificate(p: &Presented, url: &Url) -> Certificate {
    let checked_at = Utc::now();
    let parsed = x509_parser::parse_x509_certificate(&p.certificate).ok();
    let (names, not_after) = match &parsed {
        Some((_, cert)) => (
            names(cert),
            DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0).unwrap_or_default(),
        ),
        None => (Vec::new(), DateTime::<Utc>::default()),
    };
    let untrusted = match (&parsed, p.untrusted()) {
        (None, _) => Some("the certificate cannot be parsed".to_string()),
        (Some(_), why) => why,
    };
    Certificate {
        names,
        not_after,
        checked_at,
        name_ok: valid_for(p, url),
        untrusted,
    }
}

/// The DNS names and addresses of the subject alternative names, else the common names.
fn names(cert: &x509_parser::certificate::X509Certificate<'_>) -> Vec<String> {
    let alt: Vec<String> = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    GeneralName::IPAddress(ip) => ip_text(ip),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if !alt.is_empty() {
        return alt;
    }
    cert.subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_string))
        .collect()
}

fn ip_text(raw: &[u8]) -> Option<String> {
    let ip: std::net::IpAddr = match raw.len() {
        4 => <[u8; 4]>::try_from(raw).ok()?.into(),
        16 => <[u8; 16]>::try_from(raw).ok()?.into(),
        _ => return None,
    };
    Some(ip.to_string())
}

/// Whether the certificate is for the URL's host, whoever issued it.
fn valid_for(p: &Presented, url: &Url) -> bool {
    let name = match url.host() {
        Some(url::Host::Domain(d)) => ServerName::try_from(d.to_string()).ok(),
        Some(url::Host::Ipv4(ip)) => Some(ServerName::from(std::net::IpAddr::V4(ip))),
        Some(url::Host::Ipv6(ip)) => Some(ServerName::from(std::net::IpAddr::V6(ip))),
        None => None,
    };
    let Some(name) = name else { return false };
    rustls::server::ParsedCertificate::try_from(&p.certificate)
        .is_ok_and(|cert| rustls::client::verify_server_name(&cert, &name).is_ok())
}
