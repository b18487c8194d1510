//! The operator console: the quarter's spot-check run from a browser.
//!
//! Office staff start a round with a registry and plan (uploaded, or the one preloaded),
//! watch its progress live, read the findings unit by unit with their evidence, download the
//! notice and each unit's 整改通知单, start the re-check and see per unit and problem what was
//! rectified, and follow 合格率 over the quarters. Scripts get the same through `/api/`.
//!
//! It works on the pool (RabbitMQ and Redis, the same namespace as the other roles): rounds
//! are started with the scheduler and read from the store, so a console and `spotcheck
//! round …` see the same rounds. With `workers > 0` it also runs a collector and that many
//! workers in its own process, and with `demo` it serves the simulated city and preloads its
//! registry and plan: one command gives a working system on one machine.
//!
//! [`access`] decides who may do what; [`engine`] talks to the pool; [`input`] validates what
//! an operator submits; [`routes`] are the pages and the API, laid out by [`views`].

pub mod access;
pub mod accounts;
mod audit;
mod charts;
pub mod engine;
mod failure;
mod input;
mod notices;
mod routes;
mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use spotcheck_sim::{Scenario, Sim};
use spotcheck_worker::secrets::{EnvSecrets, MapSecrets, Secrets};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use access::Who;
pub use accounts::{Account, Accounts, Role, hash_password};
pub use engine::Pool;

/// Everything the console is started with.
pub struct Config {
    pub listen: SocketAddr,
    pub pool: Pool,
    /// Workers run in the console's own process, with a collector when above 0.
    pub workers: usize,
    /// Serve the simulated city and preload its registry and plan.
    pub demo: bool,
    pub accounts: Accounts,
    /// Bearer token for `/api/` scripts.
    pub api_token: Option<String>,
    /// Cookies carry `Secure`: set when the console is reached over TLS.
    pub secure_cookies: bool,
    /// Audit lines (who started which round) go to this file as well as to stderr.
    pub audit_log: Option<PathBuf>,
}

/// What every handler shares.
pub struct State {
    pub(crate) engine: Arc<engine::Engine>,
    pub(crate) access: access::Access,
    pub(crate) audit: audit::Audit,
    /// The simulated city in demo mode.
    pub(crate) demo: Option<Arc<Sim>>,
    /// A demo account was made up at start (the login page says where its password is).
    pub(crate) demo_account: bool,
    /// Turns true when the console stops: open event streams end so shutdown never waits
    /// for a round to complete.
    pub(crate) stopping: watch::Receiver<bool>,
}

/// A running console.
pub struct Console {
    addr: SocketAddr,
    demo: Option<Arc<Sim>>,
    demo_login: Option<(String, String)>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    roles: JoinSet<()>,
    engine: Arc<engine::Engine>,
}

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "no accounts: give --users FILE or SPOTCHECK_CONSOLE_USERS (lines `name:role:hash`), or SPOTCHECK_CONSOLE_TOKEN for the API"
    )]
    NoAccounts,
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("cannot start the simulated city: {0}")]
    Demo(String),
    #[error("cannot run the workers: {0}")]
    Roles(String),
}

impl Console {
    /// Binds the listener, starts the simulated city (demo) and the in-process roles, and
    /// serves until [`Console::shutdown`].
    pub async fn start(config: Config) -> Result<Console, StartError> {
        let mut accounts = config.accounts;
        let demo = if config.demo {
            let sim = Sim::start(Scenario::seed(), loopback())
                .await
                .map_err(|e| StartError::Demo(e.to_string()))?;
            Some(Arc::new(sim))
        } else {
            None
        };
        // A demo with no accounts gets one, with a password made up now and shown once.
        let demo_login = if demo.is_some() && accounts.is_empty() {
            let password = access::random_token()[..12].to_string();
            let hash = hash_password(&password).map_err(StartError::Demo)?;
            accounts.add(Account {
                name: "demo".into(),
                role: Role::Operator,
                hash,
            });
            Some(("demo".to_string(), password))
        } else {
            None
        };
        if accounts.is_empty() && config.api_token.is_none() {
            return Err(StartError::NoAccounts);
        }
        let engine = Arc::new(engine::Engine::new(config.pool));
        let (stop, stopped) = watch::channel(false);
        let roles = if config.workers > 0 {
            let secrets: Arc<dyn Secrets> = match &demo {
                Some(sim) => Arc::new(MapSecrets(
                    sim.secrets().into_iter().collect::<HashMap<_, _>>(),
                )),
                None => Arc::new(EnvSecrets),
            };
            engine
                .clone()
                .run_roles(config.workers, secrets, stopped.clone())
                .await
                .map_err(|f| StartError::Roles(f.message))?
        } else {
            JoinSet::new()
        };
        let state = Arc::new(State {
            engine: engine.clone(),
            access: access::Access::new(accounts, config.api_token, config.secure_cookies),
            audit: audit::Audit::new(config.audit_log),
            demo: demo.clone(),
            demo_account: demo_login.is_some(),
            stopping: stopped.clone(),
        });
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| StartError::Listen(config.listen, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError::Listen(config.listen, e))?;
        let app = routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
        let mut shutdown = stopped;
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = shutdown.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("the console stopped serving: {e}");
            }
        });
        tracing::info!(%addr, "console listening");
        Ok(Console {
            addr,
            demo,
            demo_login,
            stop,
            server,
            roles,
            engine,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulated city (demo mode).
    pub fn demo(&self) -> Option<&Sim> {
        self.demo.as_deref()
    }

    /// The account made up for a demo started without accounts: name and password.
    pub fn demo_login(&self) -> Option<(&str, &str)> {
        self.demo_login
            .as_ref()
            .map(|(n, p)| (n.as_str(), p.as_str()))
    }

    /// Serves until `stop` turns true, then shuts down.
    pub async fn run_until(self, mut stop: watch::Receiver<bool>) {
        let _ = stop.wait_for(|s| *s).await;
        self.shutdown().await;
    }

    /// Stops serving, lets the workers finish or return their jobs, closes the connections.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.server).await;
        while self.roles.join_next().await.is_some() {}
        self.engine.close().await;
    }
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
