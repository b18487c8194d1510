//! Name resolution for the fetcher: the registry's overrides first, then the system
//! resolver, and the guard applied after resolution, so a public name pointing inside is
//! caught. Its failures are typed, so the fetcher tells a refusal from a failed lookup by
//! type rather than by message. A resolver may hand out one address family only: the IPv6
//! check visits a site over IPv6 and over IPv4 separately. A name's addresses are kept a
//! little while, so the per-address limits and the connection see the same address.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::client::legacy::connect::dns::Name;
use spotcheck_core::registry::Addresses;

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

/// When a name was looked up, and its addresses.
type LookedUp = (Instant, Arc<[IpAddr]>);

/// Names looked up lately, shared by a resolver's clones.
pub(super) type Kept = Arc<Mutex<HashMap<String, LookedUp>>>;

/// Which addresses a resolver hands out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    Any,
    V4,
    V6,
}

impl Family {
    fn admits(self, ip: IpAddr) -> bool {
        match self {
            Family::Any => true,
            Family::V4 => is_v4(ip),
            Family::V6 => !is_v4(ip),
        }
    }
}

/// An IPv4 address, or an IPv6 one that only carries an IPv4 address (`::ffff:a.b.c.d`).
pub fn is_v4(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(_) => true,
        IpAddr::V6(v6) => v6.to_ipv4_mapped().is_some(),
    }
}

/// Resolves names with the registry's overrides first, then the system resolver, and
/// refuses private addresses after resolution. Clones share their looked-up names.
#[derive(Clone)]
pub(super) struct GuardedResolver {
    pub(super) overrides: Arc<BTreeMap<String, Addresses>>,
    pub(super) allow_private: bool,
    pub(super) trusted: Arc<[IpAddr]>,
    pub(super) family: Family,
    pub(super) kept: Kept,
}

/// The guard's verdict on an address, with the trusted ones let through.
pub(super) fn refusal(ip: IpAddr, trusted: &[IpAddr]) -> Option<&'static str> {
    if trusted.contains(&ip) {
        None
    } else {
        guard::refusal(ip)
    }
}

impl GuardedResolver {
    /// Every address of `host`, of any family and unguarded: the registry's overrides, the
    /// addresses looked up less than [`KEEP`] ago, or a fresh lookup by the system resolver.
    pub(super) async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, LookupFailed> {
        if let Some(fixed) = self.overrides.get(host) {
            return Ok(fixed.iter().collect());
        }
        let kept = lock(&self.kept)
            .get(host)
            .filter(|(at, _)| at.elapsed() < KEEP)
            .map(|(_, ips)| ips.clone());
        if let Some(ips) = kept {
            return Ok(ips.to_vec());
        }
        let found: Arc<[IpAddr]> = match tokio::net::lookup_host((host, 0)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(e) => {
                return Err(LookupFailed {
                    host: host.to_string(),
                    why: e.to_string(),
                });
            }
        };
        let mut kept = lock(&self.kept);
        if kept.len() >= KEPT_NAMES {
            kept.retain(|_, (at, _)| at.elapsed() < KEEP);
        }
        kept.insert(host.to_string(), (Instant::now(), found.clone()));
        Ok(found.to_vec())
    }

    /// The addresses of `host` a request may go to: of the resolver's family, past the guard.
    pub(super) async fn admitted(
        &self,
        host: &str,
    ) -> Result<Vec<IpAddr>, Box<dyn Error + Send + Sync>> {
        let found = self.lookup(host).await?;
        let family: Vec<IpAddr> = found
            .into_iter()
            .filter(|ip| self.family.admits(*ip))
            .collect();
        if family.is_empty() {
            let why = match self.family {
                Family::V6 => "no IPv6 address",
                Family::V4 => "no IPv4 address",
                Family::Any => "no address",
            };
            return Err(Box::new(LookupFailed {
                host: host.to_string(),
                why: why.into(),
            }));
        }
        if self.allow_private {
            return Ok(family);
        }
        let mut refused = None;
        let public: Vec<IpAddr> = family
            .into_iter()
            .filter(|ip| match refusal(*ip, &self.trusted) {
                Some(why) => {
                    refused = Some((*ip, why));
                    false
                }
                None => true,
            })
            .collect();
        match (public.is_empty(), refused) {
            (true, Some((ip, why))) => Err(Box::new(Refusal {
                host: host.to_string(),
                ip,
                why,
            })),
            _ => Ok(public),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The connector's resolver: the admitted addresses, the port left for the connector to set.
impl tower::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = Box<dyn Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let me = self.clone();
        Box::pin(async move {
            let ips = me.admitted(name.as_str()).await?;
            let addrs: Vec<SocketAddr> = ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(addrs.into_iter())
        })
    }
}
