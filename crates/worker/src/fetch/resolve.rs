//! Name resolution for the fetcher: the registry's overrides first, then the system
//! resolver, and the guard applied after resolution, so a public name pointing inside is
//! caught. Its failures are typed, so the fetcher tells a refusal from a failed lookup by
//! type rather than by message.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

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

/// Resolves names with the registry's overrides first, then the system resolver, and
/// refuses private addresses after resolution.
pub(super) struct GuardedResolver {
    pub(super) overrides: BTreeMap<String, IpAddr>,
    pub(super) allow_private: bool,
    pub(super) trusted: Arc<[IpAddr]>,
}

/// The guard's verdict on an address, with the trusted ones let through.
pub(super) fn refusal(ip: IpAddr, trusted: &[IpAddr]) -> Option<&'static str> {
    if trusted.contains(&ip) {
        None
    } else {
        guard::refusal(ip)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let fixed = self.overrides.get(&host).copied();
        let allow_private = self.allow_private;
        let trusted = self.trusted.clone();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(ip) => vec![SocketAddr::new(ip, 0)],
                None => match tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map(|found| found.collect::<Vec<_>>())
                {
                    Ok(found) => found,
                    Err(e) => {
                        return Err(Box::new(LookupFailed {
                            host,
                            why: e.to_string(),
                        }) as _);
                    }
                },
            };
            if allow_private {
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            let mut refused = None;
            let public: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match refusal(a.ip(), &trusted) {
                    Some(why) => {
                        refused = Some((a.ip(), why));
                        false
                    }
                    None => true,
                })
                .collect();
            if public.is_empty() {
                return Err(match refused {
                    Some((ip, why)) => Box::new(Refusal { host, ip, why }) as _,
                    None => Box::new(LookupFailed {
                        host,
                        why: "no address".into(),
                    }) as _,
                });
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}
