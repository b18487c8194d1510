//! `spotcheck console`: the operator console on the pool (see [`spotcheck_console`]), and
//! `spotcheck console hash-password` for its accounts file.

use spotcheck_console::{Accounts, Config, Console, Pool};

use crate::args::{ConsoleAction, ConsoleArgs};
use crate::error::CliError;
use crate::pool::stop_on_signal;

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
            gates: args.gates.gate_namespace.clone(),
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
