//! What defines a round, and `run`'s options for running one in this process.

use std::path::PathBuf;

use clap::Args;

use super::FormatArgs;

/// Inputs that define a round.
#[derive(Args, Debug)]
pub struct RoundArgs {
    /// The registry (required, except for a re-check, which takes the earlier round's).
    #[arg(long)]
    pub registry: Option<PathBuf>,
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Statistics window, FROM..TO (default: the last full quarter).
    #[arg(long)]
    pub window: Option<String>,
    /// Check point for freshness, YYYY-MM-DD (default: today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Permit targets on loopback and private ranges.
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub round: RoundArgs,
    /// Folder for the reports (report.md, .html, .xlsx, .docx, .json).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Jobs in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: u16,
    /// Re-check a round run earlier: the folder its `run` wrote. Only its targets with
    /// problems are visited again (registry, plan and window are the earlier round's).
    #[arg(long)]
    pub recheck_of: Option<PathBuf>,
}
