//! The HTTP side of a role: `/metrics`, `/healthz`, `/livez`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::watch;

use super::health::PoolProbe;
use super::recorder;
use crate::error::CliError;

/// Which role serves: a label on `spotcheck_build_info` and a field of `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Worker,
    Collector,
    Scheduler,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::Collector => "collector",
            Role::Scheduler => "scheduler",
        }
    }
}

struct Ops {
    role: Role,
    handle: PrometheusHandle,
    probe: PoolProbe,
    /// True once SIGTERM arrived: the role is draining and no longer ready.
    stop: watch::Receiver<bool>,
}

/// Starts serving when `--metrics-listen` is set: installs the recorder, binds (failing at
/// once, with the address, when it cannot), and serves in the background for the rest of the
/// process — through the drain after SIGTERM too. Returns the bound address.
pub async fn serve(
    listen: Option<SocketAddr>,
    role: Role,
    probe: PoolProbe,
    stop: watch::Receiver<bool>,
) -> Result<Option<SocketAddr>, CliError> {
    let Some(addr) = listen else {
        return Ok(None);
    };
    let handle = recorder::install().map_err(CliError::failed)?;
    recorder::preregister(role.name());
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        CliError::failed(format!(
            "cannot serve metrics on {addr} ({e}); choose another --metrics-listen or \
             SPOTCHECK_METRICS_LISTEN"
        ))
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::failed(format!("metrics listener on {addr}: {e}")))?;
    // Histograms and the recency of series need periodic upkeep when no exporter task runs.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let state = Arc::new(Ops {
        role,
        handle,
        probe,
        stop,
    });
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
    tracing::info!(listen = %bound, role = role.name(), "serving /metrics, /healthz and /livez");
    Ok(Some(bound))
}

async fn metrics(State(ops): State<Arc<Ops>>) -> Response {
    // Refreshes the readiness and queue-depth gauges for this scrape.
    ops.probe.check().await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ops.handle.render(),
    )
        .into_response()
}

async fn healthz(State(ops): State<Arc<Ops>>) -> Response {
    let health = ops.probe.check().await;
    let draining = *ops.stop.borrow();
    let ready = health.ready() && !draining;
    fn status<T>(r: &Result<T, String>) -> String {
        match r {
            Ok(_) => "ok".to_string(),
            Err(e) => e.clone(),
        }
    }
    let body = serde_json::json!({
        "role": ops.role.name(),
        "ready": ready,
        "draining": draining,
        "broker": status(&health.broker),
        "store": status(&health.store),
        "jobs_ready": health.broker.as_ref().ok(),
    });
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body)).into_response()
}

async fn livez() -> &'static str {
    "ok\n"
}
