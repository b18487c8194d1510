//! `spotcheck console`: the operator console's options, and `console hash-password`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Connection, GateArgs};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConsoleArgs {
    #[command(subcommand)]
    pub action: Option<ConsoleAction>,
    #[command(flatten)]
    pub conn: Connection,
    #[command(flatten)]
    pub gates: GateArgs,
    /// Address the console serves on.
    #[arg(
        long,
        env = "SPOTCHECK_CONSOLE_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// Also run a collector and this many workers in the console's process.
    #[arg(long, env = "SPOTCHECK_CONSOLE_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Serve the simulated city and preload its registry and plan (with no accounts given,
    /// a `demo` operator account is made and its password printed).
    #[arg(long)]
    pub demo: bool,
    /// Accounts file: `name:role:hash` lines (role `operator` or `viewer`, hash from
    /// `spotcheck console hash-password`). SPOTCHECK_CONSOLE_USERS may hold the same lines;
    /// SPOTCHECK_CONSOLE_TOKEN is the bearer token of `/api/`.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Mark cookies `Secure`: the console is reached over TLS (directly or through a proxy).
    #[arg(long, env = "SPOTCHECK_CONSOLE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Append the audit lines (who started which round) to this file too.
    #[arg(long, env = "SPOTCHECK_CONSOLE_AUDIT_LOG", value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ConsoleAction {
    /// Read a password from stdin and print its argon2 hash for the accounts file.
    HashPassword,
}
