//! The command line: every subcommand and option, and nothing that acts on them (that is
//! [`crate::commands`]).

mod console;
mod format;
mod import;
mod pool;
mod round;
mod scheduler;
mod sim;

use clap::{Parser, Subcommand};
use spotcheck_core::Period;

pub use console::{ConsoleAction, ConsoleArgs};
pub use format::FormatArgs;
pub use import::ImportArgs;
pub use pool::{Connection, GateArgs, OpsArgs, WorkerArgs};
pub use round::{RoundArgs, RunArgs};
pub use scheduler::SchedulerArgs;
pub use sim::{DemoArgs, SimArgs};

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
    Worker(WorkerArgs),
    /// Write results into the store until SIGTERM.
    Collector {
        #[command(flatten)]
        conn: Connection,
        #[command(flatten)]
        ops: OpsArgs,
        /// Remove rounds created longer ago than this (e.g. `400d`), checking hourly, as
        /// `round prune` does; rounds a kept re-check refers to stay. Off by default.
        #[arg(long, env = "SPOTCHECK_PRUNE_OLDER_THAN")]
        prune_older_than: Option<Period>,
    },
    /// Start the plan's scheduled rounds (`[schedule]`), each once across replicas, until
    /// SIGTERM.
    Scheduler(SchedulerArgs),
    /// Serve the operator console: rounds, progress, findings and notices in a browser.
    Console(ConsoleArgs),
    /// Write the reports of a round from the store.
    Report {
        #[command(flatten)]
        conn: Connection,
        id: String,
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        format: FormatArgs,
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
    /// Remove the rounds created longer ago than `--older-than` (e.g. `400d`), every key of
    /// them, except those a kept re-check refers to; prints what it removed and kept.
    Prune {
        #[command(flatten)]
        conn: Connection,
        #[arg(long)]
        older_than: Period,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistryAction {
    Check {
        file: std::path::PathBuf,
        #[arg(long)]
        plan: Option<std::path::PathBuf>,
    },
    /// Write a registry from the 报送系统's sheets (xlsx, xls or CSV; see docs/registry-import.md).
    Import(ImportArgs),
    /// Write a registry's units, websites and accounts as a workbook that `import` reads back.
    Export {
        registry: std::path::PathBuf,
        /// The workbook to write.
        #[arg(long)]
        xlsx: std::path::PathBuf,
    },
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// A site's limits are the site's: deployments in different namespaces count against the
    /// same ones unless one is given limits of its own.
    #[test]
    fn deployments_share_host_limits_unless_given_their_own() {
        use clap::Parser;
        let gates = |args: &[&str]| match super::Cli::try_parse_from(args).unwrap().command {
            super::Command::Worker(w) => w.gates.gate_namespace,
            super::Command::Console(c) => c.gates.gate_namespace,
            other => panic!("not a role that fetches: {other:?}"),
        };
        let prod = gates(&["spotcheck", "worker", "--namespace", "prod"]);
        assert_ne!(prod.as_str(), "prod");
        assert_eq!(
            prod,
            gates(&["spotcheck", "worker", "--namespace", "trial"])
        );
        assert_eq!(
            prod,
            gates(&["spotcheck", "console", "--namespace", "trial"])
        );
        let own = gates(&["spotcheck", "worker", "--gate-namespace", "own"]);
        assert_eq!(own.as_str(), "own");
    }
}
