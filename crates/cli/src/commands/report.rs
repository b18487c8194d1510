//! `spotcheck report`: a pool round's reports, from the store.

use std::path::Path;

use crate::args::Connection;
use crate::commands::inputs;
use crate::error::CliError;
use crate::output::{self, Format};
use crate::pool;

pub async fn report(
    conn: &Connection,
    id: &str,
    out: &Path,
    formats: &[Format],
) -> Result<(), CliError> {
    let id = inputs::round_id(id)?;
    let store = conn.store().await?;
    let round = pool::finished(&store, &conn.namespace, &id).await?;
    let progress = pool::progress_of(&store, &id).await?;
    if !progress.complete {
        eprintln!(
            "warning: round {id} is not complete ({} of {} jobs done); the report covers what is done",
            progress.done, progress.total
        );
    }
    let parent = match &round.round.parent {
        Some(p) => Some(pool::finished(&store, &conn.namespace, p).await?),
        None => None,
    };
    let report = round.report(parent.as_ref());
    output::write_reports(out, &report, formats)?;
    eprintln!("reports written to {}", out.display());
    Ok(())
}
