//! The simulated city's commands, `demo` and `sim`.

use std::path::PathBuf;

use clap::Args;

use super::FormatArgs;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder for the reports (default: a new folder named after the time).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub format: FormatArgs,
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
