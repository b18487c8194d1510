//! The HTTP client: bounded in time and size, guarded against private targets, polite per
//! host, following redirects itself so every hop is recorded, guarded and rate limited.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use hyper::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use spotcheck_core::retry::Backoff;
use spotcheck_core::round::Round;
use url::Url;

use super::error::{FetchError, chain, classify};
use super::resolve::{Family, GuardedResolver, refusal};
use super::roots;
use super::transport::{Answer as Head, Transport};
use rustls::pki_types::CertificateDer;
use spotcheck_core::ports::HostGate;
use spotcheck_core::registry::Addresses;

/// Limits and network settings of the fetches of one round.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body: usize,
    pub max_redirects: u32,
    pub retries: u32,
    pub retry_backoff: Duration,
    pub max_retry_after: Duration,
    pub user_agent: String,
    pub allow_private: bool,
    pub resolve: BTreeMap<String, Addresses>,
    /// CA certificates trusted besides the platform's (an intranet's own CA), by requests and
    /// by the HTTPS inspection alike.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Idle connections kept open per host for the next request. The plan's per-host
    /// concurrency: no more requests to a host are ever in flight at once, so keeping more
    /// would only hold a fragile server's sockets, and keeping fewer closes and reopens
    /// connections while a host's links are checked (a third slower on a busy workload).
    pub idle_per_host: usize,
    /// How long an idle connection is kept for the host's next request
    /// ([`IDLE_TIMEOUT`] in a round).
    pub idle_timeout: Duration,
    /// The round limits addresses as well as hosts: each request's address is looked up
    /// before it goes, so the gate can keep the address's limits.
    pub limit_addresses: bool,
}

impl FetchConfig {
    pub fn from_round(round: &Round) -> FetchConfig {
        let f = &round.plan.fetch;
        FetchConfig {
            connect_timeout: f.connect_timeout.0,
            timeout: f.timeout.0,
            max_body: (f.max_body_kib as usize).saturating_mul(1024),
            max_redirects: f.max_redirects,
            retries: f.retries,
            retry_backoff: f.retry_backoff.0,
            max_retry_after: f.max_retry_after.0,
            user_agent: f.user_agent.clone(),
            allow_private: round.private_allowed(),
            resolve: round.registry.network.resolve.clone(),
            extra_roots: Vec::new(),
            idle_per_host: round.plan.politeness.per_host_concurrency.max(1) as usize,
            idle_timeout: IDLE_TIMEOUT,
            limit_addresses: round.plan.politeness.per_ip_rate.is_some()
                || round.plan.politeness.per_ip_concurrency.is_some(),
        }
    }
}

/// How long a round keeps an idle connection. A site's links are checked together, so its
/// connections are used again within moments or not at all; kept longer (the HTTP client's
/// default is 90 s), a province's round leaves thousands open — sockets a fragile
/// government server must hold for nothing, and a worker's open files, which run out (at
/// 2,000 sites the simulated province's server stopped accepting at 20,000 connections).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// An HTTP answer, after redirects, with its (capped) body.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    /// Every URL redirected to, in order.
    pub redirects: Vec<Url>,
}

/// Options of one fetch.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Replaces the configured total timeout (availability visits use the plan's).
    pub timeout: Option<Duration>,
    /// Replaces the configured body cap.
    pub max_body: Option<usize>,
    /// Sends a form POST instead of a GET (list data proxies).
    pub form: Option<Vec<(String, String)>>,
    /// Sends a JSON POST with this body instead of a GET (the WeChat API's `stable_token`).
    pub json: Option<Vec<u8>>,
    /// No retries: an availability visit is one visit.
    pub once: bool,
    /// Follows redirects only while they stay on plain HTTP: a hop to HTTPS is recorded in
    /// `redirects` and not fetched (the HTTPS check inspects that side on its own), and the
    /// redirect's answer is returned.
    pub plain_only: bool,
}

pub struct Fetcher {
    transport: Transport,
    gate: Arc<dyn HostGate>,
    cfg: FetchConfig,
    trusted: Arc<[IpAddr]>,
    pub(super) resolver: GuardedResolver,
    /// The platform's certificate verifier (and `extra_roots`): the client's, and the one
    /// whose judgement an HTTPS inspection records.
    pub(super) verifier: Arc<rustls_platform_verifier::Verifier>,
}

impl Fetcher {
    pub fn new(cfg: FetchConfig, gate: Arc<dyn HostGate>) -> Result<Fetcher, String> {
        Fetcher::trusting(cfg, gate, Vec::new())
    }

    /// A fetcher whose guard lets these addresses through although they are private, while
    /// refusing every other private one: how a test server on loopback stands for a public
    /// site whose redirects and links must still be guarded.
    pub fn trusting(
        cfg: FetchConfig,
        gate: Arc<dyn HostGate>,
        trusted: Vec<IpAddr>,
    ) -> Result<Fetcher, String> {
        let resolver = GuardedResolver {
            overrides: Arc::new(cfg.resolve.clone()),
            allow_private: cfg.allow_private,
            trusted: trusted.into(),
            family: Family::Any,
            kept: Default::default(),
        };
        let verifier = roots::verifier(&cfg.extra_roots)?;
        Fetcher::build(cfg, gate, resolver, verifier)
    }

    fn build(
        cfg: FetchConfig,
        gate: Arc<dyn HostGate>,
        resolver: GuardedResolver,
        verifier: Arc<rustls_platform_verifier::Verifier>,
    ) -> Result<Fetcher, String> {
        let transport =
            Transport::new(&cfg, resolver.clone(), roots::tls_config(verifier.clone())?)?;
        Ok(Fetcher {
            transport,
            gate,
            trusted: resolver.trusted.clone(),
            cfg,
            resolver,
            verifier,
        })
    }

    /// A fetcher like this one that connects over one address family only (the IPv6 check's
    /// two views of a site); the same limits, guard and host gate.
    pub fn over(&self, family: Family) -> Result<Fetcher, String> {
        let resolver = GuardedResolver {
            family,
            ..self.resolver.clone()
        };
        Fetcher::build(
            self.cfg.clone(),
            self.gate.clone(),
            resolver,
            self.verifier.clone(),
        )
    }

    /// Every address of a URL's host, of any family and before the guard: what DNS (or the
    /// registry's `[network] resolve`) says, for checks that report on the addresses
    /// themselves. An IP-literal host is its own address.
    pub async fn addresses(&self, url: &Url) -> Result<Vec<IpAddr>, FetchError> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => Ok(vec![IpAddr::V4(ip)]),
            Some(url::Host::Ipv6(ip)) => Ok(vec![IpAddr::V6(ip)]),
            Some(url::Host::Domain(host)) => self
                .resolver
                .lookup(host)
                .await
                .map_err(|e| FetchError::Dns(e.to_string())),
            None => Err(FetchError::Dns(format!("{url} has no host"))),
        }
    }

    pub(super) fn gate(&self) -> &Arc<dyn HostGate> {
        &self.gate
    }

    pub fn config(&self) -> &FetchConfig {
        &self.cfg
    }

    /// GETs (or POSTs) a URL, following redirects, retrying transient failures and honouring
    /// `Retry-After`.
    ///
    /// A 429 or 503 pauses the host for every request sharing the gate (the whole pool with a
    /// shared gate), even when this fetch has no retry left: the next job to that host must
    /// not knock again before the host said it may.
    pub async fn fetch(&self, url: &Url, opts: &FetchOptions) -> Result<Fetched, FetchError> {
        let retries = if opts.once { 0 } else { self.cfg.retries };
        let mut attempt = 0;
        loop {
            let result = self.follow(url, opts).await;
            let wait = match &result {
                Ok(a) if matches!(a.fetched.status, 429 | 503) => {
                    let wait = a
                        .retry_after
                        .unwrap_or_else(|| self.backoff(attempt))
                        .min(self.cfg.max_retry_after);
                    // The host that answered, after redirects.
                    if let Some(host) = a.fetched.url.host_str() {
                        self.gate.back_off(host, wait).await;
                    }
                    Some(wait)
                }
                Err(e) if e.transient() => Some(self.backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(wait) if attempt < retries => {
                    tracing::debug!(%url, attempt, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return result.map(|r| r.fetched),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        Backoff::doubling(self.cfg.retry_backoff).delay(attempt)
    }

    async fn follow(&self, start: &Url, opts: &FetchOptions) -> Result<Answer, FetchError> {
        let timeout = opts.timeout.unwrap_or(self.cfg.timeout);
        // The site's time only: each hop's clock starts once the host gate lets it through.
        // Time queued behind the pool's own politeness (a busy host, a pause after a 429, the
        // lease of a worker that crashed) says nothing of the site, and counting it would
        // report a healthy site as timing out.
        let mut left = timeout;
        let mut url = start.clone();
        let mut redirects = Vec::new();
        let mut form = opts.form.clone();
        let mut json = opts.json.clone();
        loop {
            self.check_literal(&url)?;
            let host = url.host_str().unwrap_or("").to_string();
            let addr = self.address(&url).await;
            let _permit = self.gate.enter(&host, addr).await;
            let hop = tokio::time::Instant::now();
            let (method, content_type, body) = match (form.take(), json.take()) {
                (Some(f), _) => (
                    Method::POST,
                    Some("application/x-www-form-urlencoded"),
                    Bytes::from(form_body(&f)),
                ),
                (None, Some(j)) => (Method::POST, Some("application/json"), Bytes::from(j)),
                (None, None) => (Method::GET, None, Bytes::new()),
            };
            let sent = self.transport.send(method, &url, content_type, body);
            let resp = tokio::time::timeout(left, sent)
                .await
                .map_err(|_| FetchError::Timeout(timeout))?
                .map_err(|f| classify(&*f.error, f.connecting, timeout))?;
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                if let Some(loc) = resp.headers().get(LOCATION) {
                    let loc = loc
                        .to_str()
                        .map_err(|_| FetchError::BadRedirect("unreadable Location".into()))?;
                    let next = url
                        .join(loc)
                        .map_err(|e| FetchError::BadRedirect(format!("{loc}: {e}")))?;
                    if redirects.len() as u32 >= self.cfg.max_redirects {
                        return Err(FetchError::TooManyRedirects(self.cfg.max_redirects));
                    }
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(FetchError::BadRedirect(format!("to {next}")));
                    }
                    redirects.push(next.clone());
                    if opts.plain_only && next.scheme() == "https" {
                        return Ok(Answer {
                            fetched: Fetched {
                                url,
                                status,
                                content_type: None,
                                body: Vec::new(),
                                truncated: false,
                                redirects,
                            },
                            retry_after: None,
                        });
                    }
                    left = left.saturating_sub(hop.elapsed());
                    url = next;
                    continue;
                }
            }
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let cap = opts.max_body.unwrap_or(self.cfg.max_body);
            let remaining = left.saturating_sub(hop.elapsed());
            let (body, truncated) = tokio::time::timeout(remaining, read_capped(resp, cap))
                .await
                .map_err(|_| FetchError::Timeout(timeout))??;
            return Ok(Answer {
                fetched: Fetched {
                    url,
                    status,
                    content_type,
                    body,
                    truncated,
                    redirects,
                },
                retry_after,
            });
        }
    }

    /// The address a request to `url` connects to, when the round limits addresses: the
    /// literal, or the first the resolver gives (the client tries that one first). A name
    /// that does not resolve has none; the request then fails as it would have.
    async fn address(&self, url: &Url) -> Option<IpAddr> {
        if !self.cfg.limit_addresses {
            return None;
        }
        match url.host()? {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(name) => {
                let addrs = self.resolver.admitted(name).await.ok()?;
                addrs.first().copied()
            }
        }
    }

    /// IP-literal hosts never reach the resolver: guard them here.
    pub(super) fn check_literal(&self, url: &Url) -> Result<(), FetchError> {
        if self.cfg.allow_private {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        match refusal(ip, &self.trusted) {
            Some(why) => Err(FetchError::Refused(format!(
                "{ip} is {why} (allow with --allow-private)"
            ))),
            None => Ok(()),
        }
    }
}

struct Answer {
    fetched: Fetched,
    retry_after: Option<Duration>,
}

/// A form's pairs, urlencoded.
fn form_body(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Reads at most `cap` bytes of the (decompressed) body, stopping as soon as it is reached.
async fn read_capped(mut resp: Head, cap: usize) -> Result<(Vec<u8>, bool), FetchError> {
    let mut body = Vec::new();
    loop {
        match Transport::chunk(&mut resp).await.transpose() {
            Ok(Some(chunk)) => {
                let room = cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return Ok((body, true));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok((body, false)),
            // A body that breaks off after the headers still answered: judge what came.
            Err(e) if !body.is_empty() => {
                tracing::debug!("body cut short: {e}");
                return Ok((body, true));
            }
            Err(e) => return Err(FetchError::Other(format!("body: {}", chain(&*e)))),
        }
    }
}

/// `Retry-After` in seconds or as an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
