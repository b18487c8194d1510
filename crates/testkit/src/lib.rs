//! Helpers shared by the tests of the RabbitMQ and Redis adapters, which must show that work
//! survives a service that restarts or a network that fails under them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// A TCP proxy in front of a service (the broker, Redis): `cut` drops every connection through
/// it, as a restart of the service or a network failure does, and `refuse` makes new
/// connections fail meanwhile.
pub struct Proxy {
    pub addr: SocketAddr,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    refusing: Arc<AtomicBool>,
    accept: AbortHandle,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let refusing = Arc::new(AtomicBool::new(false));
        let (c, r) = (conns.clone(), refusing.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if r.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut out) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
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
            accept,
        }
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

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
