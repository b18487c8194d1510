//! `spotcheck console`: the operator console on the pool (see [`spotcheck_console`]), and
//! `spotcheck console hash-password` for its accounts file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use spotcheck_console::{Accounts, Config, Console, Pool};

use crate::cli::CliError;
use crate::pool::{Connection, stop_on_signal};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConsoleArgs {
    #[command(subcommand)]
    pub action: Option<ConsoleAction>,
    #[command(flatten)]
    pub conn: Connection,
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

pub async fn console(args: ConsoleArgs) -> Result<(), CliError> {
    if let Some(ConsoleAction::HashPassword) = args.action {
        return hash_password();
    }
    let config = Config {
        listen: args.listen,
        pool: Pool {
            amqp: args.conn.amqp.clone(),
            redis: args.conn.redis.clone(),
            namespace: args.conn.namespace.clone(),
            delivery_limit: args.conn.delivery_limit,
        },
        workers: args.workers,
        demo: args.demo,
        accounts: accounts(args.users.as_deref())?,
        api_token: std::env::var("SPOTCHECK_CONSOLE_TOKEN").ok(),
        secure_cookies: args.secure_cookies,
        audit_log: args.audit_log,
    };
    let console = Console::start(config)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    eprintln!("console on http://{}/", console.addr());
    if let Some((name, password)) = console.demo_login() {
        eprintln!("demo account: {name} / {password}");
    }
    console.run_until(stop_on_signal()).await;
    Ok(())
}

/// The accounts of `--users FILE` and of SPOTCHECK_CONSOLE_USERS together.
fn accounts(file: Option<&std::path::Path>) -> Result<Accounts, CliError> {
    let mut text = String::new();
    if let Some(path) = file {
        text = std::fs::read_to_string(path)
            .map_err(|e| CliError::input(format!("--users {}: {e}", path.display())))?;
        text.push('\n');
    }
    if let Ok(env) = std::env::var("SPOTCHECK_CONSOLE_USERS") {
        text.push_str(&env);
    }
    Accounts::parse(&text, "accounts").map_err(|e| CliError::input(e.to_string()))
}

fn hash_password() -> Result<(), CliError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::failed(format!("cannot read the password: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(CliError::input("the password is empty"));
    }
    let hash = spotcheck_console::hash_password(password).map_err(CliError::failed)?;
    println!("{hash}");
    Ok(())
}
