//! Command-line interface: arguments, logging, and the dispatch to each role.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use spotcheck_core::window::parse_date;
use spotcheck_core::{Plan, Registry, Window};

use crate::ops::OpsArgs;
use crate::pool::{self, Connection};
use crate::{embedded, output};

#[derive(Parser, Debug)]
#[command(
    name = "spotcheck",
    version,
    about = "Spot-checks of government websites and WeChat official accounts (抽查 and 复查), end to end"
)]
pub struct Cli {
    /// Log filter (e.g. `info`, `spotcheck_worker=debug`); also RUST_LOG.
    #[arg(long, global = true, env = "SPOTCHECK_LOG", default_value = "warn")]
    pub log: String,
    /// Log lines for people (`human`, coloured on a terminal) or one JSON object per line for
    /// a log pipeline (`json`); lines about a job carry its round and job id either way.
    #[arg(
        long,
        global = true,
        env = "SPOTCHECK_LOG_FORMAT",
        value_enum,
        default_value = "human"
    )]
    pub log_format: LogFormat,
    /// Threads that run this process's work [default: one per core]. Several workers on one
    /// machine share its cores: give each its share (4 workers on 8 cores: 2 each), or they
    /// spend the difference switching between each other's threads.
    #[arg(long, global = true, env = "SPOTCHECK_THREADS")]
    pub threads: Option<std::num::NonZeroUsize>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a registry (and plan) file and print a summary or every error.
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
    },
    /// Run a whole round in this process and write its reports.
    Run(RunArgs),
    /// Run a round against the built-in simulated city and print the notice.
    Demo(DemoArgs),
    /// Serve the simulated government web and print the registry that points at it.
    Sim(SimArgs),
    /// Start a round on the pool, or watch one.
    Round {
        #[command(subcommand)]
        action: RoundAction,
    },
    /// Take jobs from the pool's queue until SIGTERM.
    Worker {
        #[command(flatten)]
        conn: Connection,
        /// Jobs checked at once in this worker; it holds at most as many messages (each a
        /// batch of jobs) from the queue.
        #[arg(long, env = "SPOTCHECK_PREFETCH", default_value_t = 32)]
        prefetch: u16,
        /// Seconds in-flight jobs may take to finish after SIGTERM before they are returned
        /// to the queue; keep the supervisor's stop timeout above it.
        #[arg(long, env = "SPOTCHECK_GRACE", default_value_t = 20)]
        grace: u64,
        /// Drill: make the check of every job whose task key contains this text panic, to
        /// rehearse redelivery and dead-lettering (e.g. `check|http://host/path`).
        #[arg(long, env = "SPOTCHECK_DRILL_PANIC_ON", hide = true)]
        drill_panic_on: Option<String>,
        #[command(flatten)]
        ops: OpsArgs,
    },
    /// Write results into the store until SIGTERM.
    Collector {
        #[command(flatten)]
        conn: Connection,
        #[command(flatten)]
        ops: OpsArgs,
    },
    /// Serve the operator console: rounds, progress, findings and notices in a browser.
    Console(crate::console::ConsoleArgs),
    /// Write the reports of a round from the store.
    Report {
        #[command(flatten)]
        conn: Connection,
        id: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        format: output::FormatArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum RoundAction {
    /// Start a round: prints its id.
    Start {
        #[command(flatten)]
        conn: Connection,
        #[command(flatten)]
        round: RoundArgs,
    },
    /// Re-check a finished round: only its targets with problems; prints the new round's id.
    Recheck {
        #[command(flatten)]
        conn: Connection,
        id: String,
        /// Check point of the re-check, YYYY-MM-DD (default: today).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// A round's progress: a bar on a terminal, JSON with --json.
    Status {
        #[command(flatten)]
        conn: Connection,
        id: String,
        #[arg(long)]
        json: bool,
        /// Follow the round until it completes.
        #[arg(long)]
        watch: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistryAction {
    Check {
        file: PathBuf,
        #[arg(long)]
        plan: Option<PathBuf>,
    },
}

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
    pub format: output::FormatArgs,
    /// Jobs in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: u16,
    /// Re-check a round run earlier: the folder its `run` wrote. Only its targets with
    /// problems are visited again (registry, plan and window are the earlier round's).
    #[arg(long)]
    pub recheck_of: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for the reports (default: a new folder named after the time).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub format: output::FormatArgs,
    /// Another scenario instead of the built-in city.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SimArgs {
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Also write the registry and plan into this folder.
    #[arg(long)]
    pub write: Option<PathBuf>,
}

/// A failure with the exit code it deserves: 2 for bad input, 1 for everything else.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn input(message: impl Into<String>) -> CliError {
        CliError {
            code: 2,
            message: message.into(),
        }
    }
    pub fn failed(message: impl Into<String>) -> CliError {
        CliError {
            code: 1,
            message: message.into(),
        }
    }
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// Logs to stderr, filtered by RUST_LOG or `--log`. JSON lines carry the event's fields at the
/// top level (`timestamp`, `level`, `target`, `message`, …), the current span's
/// fields under `span` (e.g. `{"name":"job","round":…,"job":…,"kind":…}`) and every enclosing
/// span under `spans`. Beside the log, the queue's reconnect events are counted for
/// `/metrics` (see [`crate::ops`]).
pub fn init_logging(cli: &Cli) {
    use std::io::IsTerminal;
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&cli.log))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = match cli.log_format {
        LogFormat::Human => fmt
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(true)
            .with_filter(filter)
            .boxed(),
    };
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(crate::ops::ReconnectCounter::layer())
        .try_init();
}

pub async fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Registry {
            action: RegistryAction::Check { file, plan },
        } => registry_check(&file, plan.as_deref()),
        Command::Run(args) => run(args).await,
        Command::Demo(args) => crate::embedded::demo(args).await,
        Command::Sim(args) => crate::embedded::sim(args).await,
        Command::Round {
            action: RoundAction::Start { conn, round },
        } => pool::start(&conn, &round).await,
        Command::Round {
            action: RoundAction::Recheck { conn, id, as_of },
        } => pool::recheck(&conn, &id, as_of.as_deref()).await,
        Command::Round {
            action:
                RoundAction::Status {
                    conn,
                    id,
                    json,
                    watch,
                },
        } => pool::status(&conn, &id, json, watch).await,
        Command::Worker {
            conn,
            prefetch,
            grace,
            drill_panic_on,
            ops,
        } => {
            let grace = std::time::Duration::from_secs(grace);
            pool::worker(&conn, &ops, prefetch, grace, drill_panic_on).await
        }
        Command::Collector { conn, ops } => pool::collector(&conn, &ops).await,
        Command::Console(args) => crate::console::console(args).await,
        Command::Report {
            conn,
            id,
            out,
            format,
        } => pool::report(&conn, &id, &out, &format.formats).await,
    }
}

async fn run(args: RunArgs) -> Result<(), CliError> {
    let opts = embedded::Options::new(args.concurrency);
    let (finished, parent) = match &args.recheck_of {
        Some(of) => {
            let parent = embedded::Finished::load(of)?;
            let as_of = match &args.round.as_of {
                Some(d) => parse_date(d).map_err(|e| CliError::input(format!("--as-of: {e}")))?,
                None => chrono::Local::now().date_naive(),
            };
            let round = embedded::recheck_of(&parent, as_of);
            (embedded::execute(round, opts).await?, Some(parent))
        }
        None => {
            let input = round_input(&args.round)?;
            let round = spotcheck_scheduler::build_round(input).map_err(CliError::input)?;
            (embedded::execute(round, opts).await?, None)
        }
    };
    // The round and its results are saved for a later re-check while the report is computed
    // and written: a large round's two biggest pieces of work at its end, side by side.
    let (saved, written) = std::thread::scope(|s| {
        let saving = s.spawn(|| finished.save(&args.out));
        let report = finished.report(parent.as_ref());
        let written = output::write_reports(&args.out, &report, &args.format.formats);
        let saved = saving
            .join()
            .unwrap_or_else(|_| Err(CliError::failed("saving the round's results failed")));
        (saved, written)
    });
    written?;
    saved?;
    eprintln!("reports written to {}", args.out.display());
    Ok(())
}

fn registry_check(file: &Path, plan: Option<&Path>) -> Result<(), CliError> {
    let reg = Registry::load(file).map_err(|e| CliError::input(e.to_string()))?;
    if let Some(p) = plan {
        Plan::load(p).map_err(|e| CliError::input(e.to_string()))?;
    }
    let columns: usize = reg.websites.iter().map(|w| w.columns.len()).sum();
    let checkable = reg.accounts.iter().filter(|a| a.checkable()).count();
    println!(
        "{}: {} ({}) — {} units, {} websites with {} columns, {} accounts ({} WeChat)",
        file.display(),
        reg.meta.name,
        reg.meta.region,
        reg.units.len(),
        reg.websites.len(),
        columns,
        reg.accounts.len(),
        checkable
    );
    Ok(())
}

/// Reads the registry, plan, window and as-of date of a round; every problem is bad input.
pub fn round_input(a: &RoundArgs) -> Result<spotcheck_scheduler::RoundInput, CliError> {
    let path = a
        .registry
        .as_deref()
        .ok_or_else(|| CliError::input("--registry is required"))?;
    let registry =
        Registry::load_with(path, a.allow_private).map_err(|e| CliError::input(e.to_string()))?;
    let plan = match &a.plan {
        Some(p) => Plan::load(p).map_err(|e| CliError::input(e.to_string()))?,
        None => Plan::default(),
    };
    let today = chrono::Local::now().date_naive();
    let as_of: NaiveDate = match &a.as_of {
        Some(d) => parse_date(d).map_err(|e| CliError::input(format!("--as-of: {e}")))?,
        None => today,
    };
    let window: Window = match &a.window {
        Some(w) => w
            .parse()
            .map_err(|e| CliError::input(format!("--window: {e}")))?,
        None => Window::last_quarter(as_of),
    };
    Ok(spotcheck_scheduler::RoundInput {
        registry,
        plan,
        window,
        as_of,
        allow_private: a.allow_private,
        salt: format!("{:016x}", fastrand::u64(..)),
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
