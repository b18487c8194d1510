//! What each subcommand does, one file per family; [`dispatch`] picks the one asked for.

mod console;
mod inputs;
mod intake;
mod registry;
mod report;
mod round;
mod run;
mod sim;

pub use inputs::round_input;

use crate::args::{Cli, Command, RegistryAction, RoundAction};
use crate::error::CliError;
use crate::pool;

pub async fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Registry {
            action: RegistryAction::Check { file, plan },
        } => registry::check(&file, plan.as_deref()),
        Command::Registry {
            action: RegistryAction::Import(args),
        } => intake::import_registry(args),
        Command::Registry {
            action: RegistryAction::Export { registry, xlsx },
        } => intake::export_registry(&registry, &xlsx),
        Command::Run(args) => run::run(args).await,
        Command::Demo(args) => sim::demo(args).await,
        Command::Sim(args) => sim::sim(args).await,
        Command::Round {
            action: RoundAction::Start { conn, round },
        } => round::start(&conn, &round).await,
        Command::Round {
            action: RoundAction::Recheck { conn, id, as_of },
        } => round::recheck(&conn, &id, as_of.as_deref()).await,
        Command::Round {
            action:
                RoundAction::Status {
                    conn,
                    id,
                    json,
                    watch,
                },
        } => round::status(&conn, &id, json, watch).await,
        Command::Round {
            action: RoundAction::Prune { conn, older_than },
        } => round::prune(&conn, older_than).await,
        Command::Worker(args) => pool::worker(args).await,
        Command::Collector {
            conn,
            ops,
            prune_older_than,
        } => pool::collector(&conn, &ops, prune_older_than).await,
        Command::Scheduler(args) => pool::scheduler(args).await,
        Command::Console(args) => console::console(args).await,
        Command::Report {
            conn,
            id,
            out,
            format,
        } => report::report(&conn, &id, &out, &format.formats).await,
    }
}
