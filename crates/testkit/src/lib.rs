//! Helpers shared by the tests that run on the real RabbitMQ and Redis: where the services
//! are, a namespace of their own per test, and a proxy that fails the network under them;
//! and, for any test, rounds built from registry text ([`rounds`]) and the plain outcomes of
//! their jobs ([`outcomes`]); an SMTP sink on loopback ([`smtp`]).

pub mod outcomes;
pub mod rounds;
pub mod smtp;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use spotcheck_core::Namespace;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// The broker the tests use: `SPOTCHECK_TEST_AMQP_URL`, else `SPOTCHECK_AMQP_URL`, else the
/// local default.
pub fn amqp_url() -> String {
    service_url("AMQP", "amqp://guest:guest@127.0.0.1:5672/%2f")
}

/// The Redis the tests use: `SPOTCHECK_TEST_REDIS_URL`, else `SPOTCHECK_REDIS_URL`, else the
/// local default.
pub fn redis_url() -> String {
    service_url("REDIS", "redis://127.0.0.1:6379")
}

fn service_url(service: &str, default: &str) -> String {
    std::env::var(format!("SPOTCHECK_TEST_{service}_URL"))
        .or_else(|_| std::env::var(format!("SPOTCHECK_{service}_URL")))
        .unwrap_or_else(|_| default.to_string())
}

/// A namespace no other test (or earlier run) uses, so tests in parallel never share a queue
/// or a key.
pub fn namespace() -> Namespace {
    format!("test-{:016x}", fastrand::u64(..))
        .parse()
        .expect("test-{hex} keeps to the namespace alphabet")
}

/// A TCP proxy in front of a service (the broker, Redis): `cut` drops every connection through
/// it, as a restart of the service or a network failure does, `refuse` makes new
/// connections fail meanwhile, `black_hole` silently drops what flows through the open
/// ones, as a network path that fails without a reset does, and `hold_answers` keeps what
/// the service sends back for a while, as a busy client that does not read does.
pub struct Proxy {
    pub addr: SocketAddr,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    refusing: Arc<AtomicBool>,
    swallowing: Arc<AtomicBool>,
    holding: Arc<AtomicBool>,
    accept: AbortHandle,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let refusing = Arc::new(AtomicBool::new(false));
        let swallowing = Arc::new(AtomicBool::new(false));
        let holding = Arc::new(AtomicBool::new(false));
        let (c, r, sw, h) = (
            conns.clone(),
            refusing.clone(),
            swallowing.clone(),
            holding.clone(),
        );
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if r.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let (sw, h) = (sw.clone(), h.clone());
                let task = tokio::spawn(async move {
                    if let Ok(out) = TcpStream::connect(upstream).await {
                        let (from_client, to_client) = inbound.into_split();
                        let (from_service, to_service) = out.into_split();
                        let never = AtomicBool::new(false);
                        tokio::join!(
                            forward(from_client, to_service, &sw, &never),
                            forward(from_service, to_client, &sw, &h)
                        );
                    }
                });
                c.lock().unwrap().push(task.abort_handle());
            }
        })
        .abort_handle();
        Proxy {
            addr,
            conns,
            refusing,
            swallowing,
            holding,
            accept,
        }
    }

    /// While on, what the service sends waits in the proxy; it all arrives once off. The
    /// service reads and answers at once: only its answers are late.
    pub fn hold_answers(&self, on: bool) {
        self.holding.store(on, Ordering::SeqCst);
    }

    /// While on, bytes through the connections are read and dropped — those opened meanwhile
    /// too, which are accepted and then hear nothing: neither side hears from the other, and
    /// neither sees the connection close (a side's close reaches the other once it is off).
    pub fn black_hole(&self, on: bool) {
        self.swallowing.store(on, Ordering::SeqCst);
    }

    pub fn cut(&self) {
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    pub fn refuse(&self, refuse: bool) {
        self.refusing.store(refuse, Ordering::SeqCst);
    }
}

/// Copies one direction of a proxied connection until either side closes it, dropping what
/// it reads while `swallowing` is on and keeping it while `holding` is; a close is passed on
/// once swallowing is off.
async fn forward(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    swallowing: &AtomicBool,
    holding: &AtomicBool,
) {
    let mut buf = vec![0; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) if swallowing.load(Ordering::SeqCst) => {}
            Ok(n) => {
                while holding.load(Ordering::SeqCst) {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    while swallowing.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = to.shutdown().await;
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
