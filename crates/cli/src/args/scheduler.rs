//! `spotcheck scheduler`: the role that starts the plan's scheduled rounds.

use std::path::PathBuf;

use clap::Args;

use super::{Connection, OpsArgs};

#[derive(Args, Debug)]
pub struct SchedulerArgs {
    #[command(flatten)]
    pub conn: Connection,
    /// The registry the scheduled rounds check; read again at every look, so edits apply to
    /// the next round without a restart.
    #[arg(long, env = "SPOTCHECK_REGISTRY")]
    pub registry: PathBuf,
    /// The plan whose `[schedule]` says when rounds start (read again at every look too).
    #[arg(long, env = "SPOTCHECK_PLAN")]
    pub plan: PathBuf,
    /// Permit targets on loopback and private ranges.
    #[arg(long)]
    pub allow_private: bool,
    /// Seconds between looks at the calendar.
    #[arg(long, env = "SPOTCHECK_SCHEDULER_TICK", default_value_t = 30)]
    pub tick: u64,
    /// Look once and exit (for a system timer, or a drill).
    #[arg(long)]
    pub once: bool,
    /// The time the scheduler's clock starts at (RFC 3339, e.g. 2021-01-01T09:00:05+08:00),
    /// running forward from there: for drills and tests of a calendar.
    #[arg(long, hide = true)]
    pub now: Option<String>,
    #[command(flatten)]
    pub ops: OpsArgs,
}
