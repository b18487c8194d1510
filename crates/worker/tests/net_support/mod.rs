//! Shared by the IPv6 and HTTPS check tests: a round over named test sites, its context, and
//! servers on loopback (plain HTTP on any address and port, TLS with rcgen certificates).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use chrono::{Datelike, Utc};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use spotcheck_core::plan::Plan;
use spotcheck_core::registry::Registry;
use spotcheck_core::round::{Round, RoundId, RoundKind};
use spotcheck_politeness::MemoryGate;
use spotcheck_worker::RoundContext;
use spotcheck_worker::fetch::{FetchConfig, Fetcher};
use spotcheck_worker::secrets::MapSecrets;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// A round over `sites` (`(id, homepage)`), with `[network] resolve` entries given as TOML
/// values (`"127.0.0.1"` or `["::1", "127.0.0.1"]`).
pub fn round(sites: &[(&str, &str)], resolve: &[(&str, &str)], allow_private: bool) -> Round {
    let mut text = format!(
        "[meta]\nregion = \"测试市\"\nname = \"测试\"\n[network]\nallow_private = {allow_private}\n\
         [network.resolve]\n"
    );
    for (name, to) in resolve {
        writeln!(text, "\"{name}\" = {to}").unwrap();
    }
    text.push_str("[[units]]\nid = \"u\"\nname = \"市测试局\"\n");
    for (id, url) in sites {
        write!(
            text,
            "[[websites]]\nid = \"{id}\"\nunit = \"u\"\nname = \"{id}网站\"\nurl = \"{url}\"\n"
        )
        .unwrap();
    }
    let registry = Registry::parse_with(&text, Path::new("/srv/registry.toml"), true).unwrap();
    Round {
        id: RoundId("2020Q4-test".into()),
        kind: RoundKind::Spot,
        parent: None,
        window: "2020-07-01..2020-09-30".parse().unwrap(),
        as_of: "2020-12-17".parse().unwrap(),
        registry,
        plan: Plan::default(),
        allow_private,
        menus: BTreeMap::new(),
        dictionaries: Vec::new(),
        scope: None,
    }
}

/// The context of a round, trusting `roots` besides the platform's CAs, with short timeouts.
pub fn context(round: Round, roots: Vec<CertificateDer<'static>>) -> RoundContext {
    let mut cfg = FetchConfig::from_round(&round);
    cfg.connect_timeout = Duration::from_secs(1);
    cfg.timeout = Duration::from_secs(2);
    cfg.retries = 0;
    cfg.extra_roots = roots;
    let gate = Arc::new(MemoryGate::new("1000/s".parse().unwrap(), 16));
    RoundContext {
        wording: Arc::new(spotcheck_worker::wording::matcher(&round)),
        round: Arc::new(round),
        fetcher: Fetcher::new(cfg, gate).unwrap(),
        secrets: Arc::new(MapSecrets(Default::default())),
        wechat_tokens: Arc::default(),
    }
}

/// A loopback address of its own for each call (127.x.y.z), so that a test can take ports
/// 80 and 443 on it without meeting another test.
pub fn own_loopback() -> IpAddr {
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    IpAddr::from([
        127,
        100 + (pid % 100) as u8,
        (pid / 100 % 250) as u8 + 1,
        n as u8,
    ])
}

/// Serves `app` on `addr` (port 0: any), returning where it listens.
pub async fn serve(addr: SocketAddr, app: Router) -> SocketAddr {
    let listener = TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr} (ports 80/443 need root): {e}"));
    let local = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    local
}

/// A CA of the tests' own, trusted through `FetchConfig::extra_roots`.
pub struct Ca {
    pub der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new() -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Ca {
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate for `name` valid from a year ago until `days` from today (negative:
    /// expired that many days ago).
    pub fn issue(&self, name: &str, days: i64) -> Leaf {
        leaf(name, days, Some(&self.issuer))
    }
}

pub struct Leaf {
    pub der: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
}

/// A certificate for `name`, signed by `issuer` or by itself.
pub fn leaf(name: &str, days: i64, issuer: Option<&Issuer<'static, KeyPair>>) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
    let ymd = |d: chrono::NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    let today = Utc::now().date_naive();
    params.not_before = ymd(today - chrono::Days::new(365));
    params.not_after = ymd(today + chrono::TimeDelta::days(days));
    let cert = match issuer {
        Some(i) => params.signed_by(&key, i).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Leaf {
        der: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Serves TLS with `leaf` on `addr`: each handshake is answered with a short HTTP page.
pub async fn serve_tls(addr: SocketAddr, leaf: Leaf) -> SocketAddr {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der], leaf.key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {addr} (port 443 needs root): {e}"));
    let local = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let page =
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                    let _ = s.write_all(page).await;
                    let _ = s.shutdown().await;
                }
            });
        }
    });
    local
}
