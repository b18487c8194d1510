//! The running simulator: one listener for every virtual host, reserved ports for dead
//! sites, the request log, rectification.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::registry;
use crate::scenario::Scenario;
use crate::truth::Truth;
use crate::wechat::{WechatApi, WechatCall};
use crate::wechat_layout::API_HOST;
use crate::world::World;

/// Largest request body read (Hanweb's proxy form and the token JSON are tiny).
const MAX_BODY: usize = 64 * 1024;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Scenario(#[from] crate::scenario::ScenarioError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot reserve a port for dead site `{site}`: {source}")]
    Reserve {
        site: String,
        source: std::io::Error,
    },
}

/// One request the simulator served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// When it arrived (before any configured delay).
    pub at: Instant,
    /// The `Host` header without its port, lowercase.
    pub host: String,
    pub method: String,
    pub path_and_query: String,
}

struct Shared {
    world: World,
    rectified: AtomicBool,
    log: Mutex<Vec<RequestRecord>>,
    wechat: WechatApi,
    /// Per host behind a firewall: when its recently accepted requests arrived.
    waf: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Shared {
    /// Whether the host's firewall lets a request through now (and counts it if so).
    fn waf_allows(&self, host: &str, now: Instant) -> Result<(), u32> {
        let Some(waf) = self.world.waf(host) else {
            return Ok(());
        };
        let (limit, per) = waf.rate;
        let mut all = lock(&self.waf);
        let seen = all.entry(host.to_string()).or_default();
        while seen.front().is_some_and(|t| now.duration_since(*t) >= per) {
            seen.pop_front();
        }
        if seen.len() >= limit as usize {
            return Err(waf.retry_after);
        }
        seen.push_back(now);
        Ok(())
    }
}

/// A running simulated city. Dropping it (or [`Sim::shutdown`]) stops every listener.
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    runtime: tokio::runtime::Handle,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Dead sites' ports, bound but not listening: connections are refused, and nobody else
    /// can take the port, so the site answers on the very same URL once rectified.
    reserved: Mutex<HashMap<String, TcpSocket>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded data stays consistent even if a holder panicked.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sim {
    /// Starts serving `scenario` on `listen` (port 0 picks a free port). Must be called
    /// inside a tokio runtime.
    ///
    /// When `listen` is an unspecified address (`0.0.0.0`), the registry resolves every
    /// host to loopback.
    pub async fn start(scenario: Scenario, listen: SocketAddr) -> Result<Sim, SimError> {
        scenario.validate()?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Listen {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Listen {
            addr: listen,
            source,
        })?;
        let ip = match addr.ip() {
            IpAddr::V4(v) if v.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v) if v.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let mut reserved = HashMap::new();
        let mut dead_ports = HashMap::new();
        for s in scenario.sites.iter().filter(|s| s.dead) {
            let err = |source| SimError::Reserve {
                site: s.id.clone(),
                source,
            };
            let sock = if ip.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }
            .map_err(err)?;
            sock.bind(SocketAddr::new(ip, 0)).map_err(err)?;
            let port = sock.local_addr().map_err(err)?.port();
            dead_ports.insert(s.id.clone(), port);
            reserved.insert(s.id.clone(), sock);
        }
        let world = World::build(scenario, ip, addr.port(), &dead_ports);
        let shared = Arc::new(Shared {
            world,
            rectified: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            wechat: WechatApi::default(),
            waf: Mutex::new(HashMap::new()),
        });
        let (stop, _) = watch::channel(false);
        let sim = Sim {
            shared,
            addr,
            runtime: tokio::runtime::Handle::current(),
            stop,
            tasks: Mutex::new(Vec::new()),
            reserved: Mutex::new(reserved),
        };
        sim.serve(listener);
        tracing::info!(%addr, hosts = sim.shared.world.hosts.len(), "simulated city listening");
        Ok(sim)
    }

    fn serve(&self, listener: TcpListener) {
        let app = Router::new()
            .fallback(handle)
            .with_state(self.shared.clone());
        let mut stop = self.stop.subscribe();
        let task = self.runtime.spawn(async move {
            let signal = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::warn!(error = %e, "simulator listener stopped");
            }
        });
        lock(&self.tasks).push(task);
    }

    /// The main listener's address (every live host is reached on its port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full registry (contract format), with a `[network]` section that resolves every
    /// simulated host to the listener's address.
    pub fn registry_toml(&self) -> String {
        registry::registry_toml(&self.shared.world)
    }

    /// The plan for a round on this city: fast availability probes (3 visits 100 ms apart,
    /// 2 s timeout), the national defaults elsewhere, and the scenario's `[plan]` on top.
    pub fn plan_toml(&self) -> String {
        registry::plan_toml(&self.shared.world.scenario)
    }

    /// The statistics window.
    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        self.shared.world.scenario.meta.window
    }

    /// The check point for freshness.
    pub fn as_of(&self) -> NaiveDate {
        self.shared.world.scenario.meta.as_of
    }

    pub fn scenario(&self) -> &Scenario {
        &self.shared.world.scenario
    }

    /// `(environment variable, secret)` of every account, to put in a worker's environment.
    pub fn secrets(&self) -> Vec<(String, String)> {
        self.shared
            .world
            .accounts
            .iter()
            .map(|a| (a.secret_env.clone(), a.secret.clone()))
            .collect()
    }

    /// Every host name the simulator answers for.
    pub fn hosts(&self) -> Vec<String> {
        self.shared.world.host_names()
    }

    /// The homepage URL of a site, by scenario id.
    pub fn site_url(&self, id: &str) -> Option<String> {
        self.shared
            .world
            .sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.url())
    }

    /// Switches to the state after rectification: every injected fault is fixed except those
    /// marked `persist`. Dead sites that do not persist start answering on their own URL.
    /// Safe from any thread while the server runs; calling it twice changes nothing.
    pub fn rectify(&self) {
        if self.shared.rectified.swap(true, Ordering::SeqCst) {
            return;
        }
        let persisting: Vec<String> = self
            .shared
            .world
            .sites
            .iter()
            .filter(|s| s.dead && s.persist)
            .map(|s| s.id.clone())
            .collect();
        let revive: Vec<(String, TcpSocket)> = {
            let mut reserved = lock(&self.reserved);
            let ids: Vec<String> = reserved
                .keys()
                .filter(|id| !persisting.contains(id))
                .cloned()
                .collect();
            ids.into_iter()
                .filter_map(|id| reserved.remove(&id).map(|s| (id, s)))
                .collect()
        };
        let _enter = self.runtime.enter();
        for (id, sock) in revive {
            match sock.listen(1024) {
                Ok(listener) => self.serve(listener),
                Err(e) => tracing::error!(site = %id, error = %e, "rectified site cannot listen"),
            }
        }
    }

    /// Whether [`Sim::rectify`] has been called.
    pub fn is_rectified(&self) -> bool {
        self.shared.rectified.load(Ordering::SeqCst)
    }

    /// Every request served so far, in order of arrival.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the requests logged so far (e.g. between a spot round and its re-check).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Every call to the fake WeChat API, in order.
    pub fn wechat_calls(&self) -> Vec<WechatCall> {
        self.shared.wechat.calls()
    }

    /// Expires every WeChat token issued so far: the next menu call with one answers 42001.
    pub fn expire_wechat_tokens(&self) {
        self.shared.wechat.expire_tokens();
    }

    /// The ground truth of what is served now.
    pub fn truth(&self) -> Truth {
        self.shared.world.truth(self.is_rectified())
    }

    /// Stops every listener and waits for open connections to finish (at most 5 s).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let tasks: Vec<JoinHandle<()>> = lock(&self.tasks).drain(..).collect();
        for t in tasks {
            let abort = t.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let host = strip_port(&host).to_ascii_lowercase();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let now = Instant::now();
    lock(&shared.log).push(RequestRecord {
        at: now,
        host: host.clone(),
        method: method.clone(),
        path_and_query,
    });

    let body = match axum::body::to_bytes(req.into_body(), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let world = &shared.world;
    if let Err(retry_after) = shared.waf_allows(&host, now) {
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            "<html><body><h1>429 Too Many Requests</h1><p>您的访问过于频繁，请稍后再试。</p></body></html>",
        )
            .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    if let Some(d) = world.delay(&host) {
        tokio::time::sleep(d).await;
    }
    let reply = if host == API_HOST {
        shared.wechat.handle(world, &path, query.as_deref(), &body)
    } else if method == "GET" || method == "HEAD" || method == "POST" {
        let rectified = shared.rectified.load(Ordering::SeqCst);
        world.respond(&host, &path, query.as_deref(), &body, rectified)
    } else {
        return (StatusCode::METHOD_NOT_ALLOWED, "method not allowed").into_response();
    };

    // For HEAD, hyper sends the headers of the full body (Content-Length included) and no body.
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&reply.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Some(loc) = reply
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
    {
        headers.insert(header::LOCATION, loc);
    }
    headers.insert(header::SERVER, HeaderValue::from_static("nginx"));
    resp
}

/// `www.jdz.gov.cn:8080` → `www.jdz.gov.cn`; `[::1]:80` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map(|(h, _)| &host[..h.len() + 1])
            .unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::strip_port;

    #[test]
    fn strips_ports() {
        assert_eq!(strip_port("www.jdz.gov.cn:8080"), "www.jdz.gov.cn");
        assert_eq!(strip_port("www.jdz.gov.cn"), "www.jdz.gov.cn");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
    }
}
