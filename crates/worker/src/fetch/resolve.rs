//! Name resolution for the fetcher: the registry's overrides first, then the system
//! resolver, and the guard applied after resolution, so a public name pointing inside is
//! caught. A name's addresses are kept a little while, so the per-address limits and the
//! connection see the same address. Its failures are typed, so the fetcher tells a refusal from a failed lookup by
//! type rather than by message.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::guard;

/// The guard refused every address a name resolves to.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {ip} ({why}; allow with --allow-private)")]
pub(super) struct Refusal {
    host: String,
    ip: IpAddr,
    why: &'static str,
}

/// The name has no address: the lookup failed or found none.
#[derive(Debug, thiserror::Error)]
#[error("{host}: {why}")]
pub(super) struct LookupFailed {
    host: String,
    why: String,
}

/// How long a looked-up name's addresses are kept: the fetcher asks for a name's address
/// before each request (for the per-address limits) and the client again when it connects,
/// and both must see the same first address — the one connected to.
const KEEP: Duration = Duration::from_secs(30);
/// Past this many names kept, the stale ones are dropped at the next lookup.
const KEPT_NAMES: usize = 4096;

/// Resolves names with the registry's overrides first, then the system resolver, and
/// refuses private addresses after resolution. Clones share their looked-up names.
#[derive(Clone)]
pub(super) struct GuardedResolver {
    inner: Arc<Resolver>,
}

/// When a name was looked up, and its addresses.
type LookedUp = (Instant, Arc<[SocketAddr]>);

struct Resolver {
    overrides: BTreeMap<String, IpAddr>,
    allow_private: bool,
    trusted: Arc<[IpAddr]>,
    looked_up: Mutex<HashMap<String, LookedUp>>,
}

impl GuardedResolver {
    pub(super) fn new(
        overrides: BTreeMap<String, IpAddr>,
        allow_private: bool,
        trusted: Arc<[IpAddr]>,
    ) -> GuardedResolver {
        GuardedResolver {
            inner: Arc::new(Resolver {
                overrides,
                allow_private,
                trusted,
                looked_up: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The addresses of `host` the guard lets through, in the order the client tries them:
    /// the first is the one a request connects to.
    pub(super) async fn addresses(&self, host: &str) -> Result<Vec<SocketAddr>, BoxError> {
        self.inner.addresses(host).await
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The guard's verdict on an address, with the trusted ones let through.
pub(super) fn refusal(ip: IpAddr, trusted: &[IpAddr]) -> Option<&'static str> {
    if trusted.contains(&ip) {
        None
    } else {
        guard::refusal(ip)
    }
}

impl Resolver {
    async fn addresses(&self, host: &str) -> Result<Vec<SocketAddr>, BoxError> {
        let addrs = self.look_up(host).await?;
        if self.allow_private {
            return Ok(addrs.to_vec());
        }
        let mut refused = None;
        let public: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| match refusal(a.ip(), &self.trusted) {
                Some(why) => {
                    refused = Some((a.ip(), why));
                    false
                }
                None => true,
            })
            .collect();
        if public.is_empty() {
            let host = host.to_string();
            return Err(match refused {
                Some((ip, why)) => Box::new(Refusal { host, ip, why }) as _,
                None => Box::new(LookupFailed {
                    host,
                    why: "no address".into(),
                }) as _,
            });
        }
        Ok(public)
    }

    /// The override, the addresses looked up less than [`KEEP`] ago, or a fresh lookup.
    async fn look_up(&self, host: &str) -> Result<Arc<[SocketAddr]>, BoxError> {
        if let Some(ip) = self.overrides.get(host) {
            return Ok(Arc::new([SocketAddr::new(*ip, 0)]));
        }
        let kept = lock(&self.looked_up)
            .get(host)
            .filter(|(at, _)| at.elapsed() < KEEP)
            .map(|(_, addrs)| addrs.clone());
        if let Some(addrs) = kept {
            return Ok(addrs);
        }
        let found: Arc<[SocketAddr]> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|e| LookupFailed {
                host: host.to_string(),
                why: e.to_string(),
            })?
            .collect();
        let mut kept = lock(&self.looked_up);
        if kept.len() >= KEPT_NAMES {
            kept.retain(|_, (at, _)| at.elapsed() < KEEP);
        }
        kept.insert(host.to_string(), (Instant::now(), found.clone()));
        Ok(found)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let inner = self.inner.clone();
        Box::pin(async move {
            let addrs = inner.addresses(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
