//! Options of the pool's processes: where the broker and the store are, and what a
//! long-running role serves to its operators.

use std::net::SocketAddr;

use clap::Args;
use spotcheck_core::Namespace;

/// Where the pool's broker and store are.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// RabbitMQ URL.
    #[arg(
        long,
        env = "SPOTCHECK_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f"
    )]
    pub amqp: String,
    /// Redis URL.
    #[arg(
        long,
        env = "SPOTCHECK_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis: String,
    /// Prefix of every queue and key: deployments (and test runs) sharing a broker and a
    /// store never collide. 1 to 64 ASCII letters, digits, '-', '_' or '.'.
    #[arg(long, env = "SPOTCHECK_NAMESPACE", default_value = "spotcheck")]
    pub namespace: Namespace,
    /// Deliveries of a job before it is dead-lettered.
    #[arg(long, env = "SPOTCHECK_DELIVERY_LIMIT", default_value_t = 5)]
    pub delivery_limit: u32,
    /// Seconds of the AMQP heartbeat (0: the broker's). With nothing from the other side for
    /// two heartbeats a connection counts as dead, on both ends: the role reconnects, and the
    /// broker returns the jobs it held to the queue.
    #[arg(
        long,
        env = "SPOTCHECK_AMQP_HEARTBEAT",
        default_value_t = 10,
        value_name = "SECS"
    )]
    pub amqp_heartbeat: u64,
    /// Milliseconds Redis may take to answer a command: past it the command fails (and is
    /// tried again), and the connection is replaced, so a silent Redis never holds a role.
    #[arg(
        long,
        env = "SPOTCHECK_REDIS_TIMEOUT",
        default_value_t = 2000,
        value_name = "MS"
    )]
    pub redis_timeout: u64,
}

/// Where the per-host limits of a role that fetches (a worker, the console's workers) live.
#[derive(Args, Debug, Clone)]
pub struct GateArgs {
    /// Prefix of the per-host limits' keys in Redis. Every deployment on one Redis shares
    /// the default, so a site gets its plan's rate once in all, however many namespaces
    /// check it; a separate value gives a deployment (or a test run) limits of its own.
    #[arg(long, env = "SPOTCHECK_GATE_NAMESPACE", default_value = "politeness")]
    pub gate_namespace: Namespace,
}

/// Where a role serves `/metrics`, `/healthz` and `/livez` (see [`crate::ops`]).
#[derive(Args, Debug, Clone, Default)]
pub struct OpsArgs {
    /// Serve /metrics, /healthz and /livez on this address (e.g. 0.0.0.0:9464; port 0 picks
    /// one and logs it). Off when unset.
    #[arg(long, env = "SPOTCHECK_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,
}

#[derive(Args, Debug)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub conn: Connection,
    /// Jobs checked at once in this worker. It takes another message (a batch of jobs) from
    /// the queue only while fewer than this many of its jobs wait for a slot, and holds at
    /// most this many messages.
    #[arg(long, env = "SPOTCHECK_PREFETCH", default_value_t = 32)]
    pub prefetch: u16,
    /// Seconds in-flight jobs may take to finish after SIGTERM before they are returned
    /// to the queue; keep the supervisor's stop timeout above it.
    #[arg(long, env = "SPOTCHECK_GRACE", default_value_t = 20)]
    pub grace: u64,
    /// Drill: make the check of every job whose task key contains this text panic, to
    /// rehearse redelivery and dead-lettering (e.g. `check|http://host/path`).
    #[arg(long, env = "SPOTCHECK_DRILL_PANIC_ON", hide = true)]
    pub drill_panic_on: Option<String>,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub ops: OpsArgs,
}
