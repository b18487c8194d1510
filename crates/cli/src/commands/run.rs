//! `spotcheck run`: a whole round (or the re-check of one run earlier) in this process, its
//! reports and its results written to a folder.

use std::sync::Arc;

use spotcheck_notify::{MemoryLedger, Notifier};

use crate::args::RunArgs;
use crate::commands::inputs;
use crate::embedded;
use crate::error::CliError;
use crate::finished::Finished;
use crate::output;

pub async fn run(args: RunArgs) -> Result<(), CliError> {
    // The trusted roots are read beside the inputs, not on the first job's path.
    drop(tokio::task::spawn_blocking(
        spotcheck_worker::fetch::warm_up,
    ));
    let opts = embedded::Options::new(args.concurrency);
    let (finished, parent) = match &args.recheck_of {
        Some(of) => {
            let parent = Finished::load(of)?;
            let round = parent.recheck(inputs::as_of(args.round.as_of.as_deref())?);
            (embedded::execute(round, opts).await?, Some(parent))
        }
        None => {
            let input = inputs::round_input(&args.round)?;
            let round = spotcheck_scheduler::build_round(input).map_err(CliError::input)?;
            (embedded::execute(round, opts).await?, None)
        }
    };
    // The round and its results are saved for a later re-check while the report is computed
    // and written: a large round's two biggest pieces of work at its end, side by side.
    let (saved, written, report) = std::thread::scope(|s| {
        let saving = s.spawn(|| finished.save(&args.out));
        let report = finished.report(parent.as_ref());
        let written = output::write_reports(&args.out, &report, &args.format.formats);
        let saved = saving
            .join()
            .unwrap_or_else(|_| Err(CliError::failed("saving the round's results failed")));
        (saved, written, report)
    });
    written?;
    saved?;
    eprintln!("reports written to {}", args.out.display());
    announce(&finished.round, report).await;
    Ok(())
}

/// Sends the round's `[notify]` messages once its reports are written, and says what became
/// of each. A message that could not be sent is reported, never a failure of the round.
async fn announce(round: &spotcheck_core::Round, report: spotcheck_report::Report) {
    if !round.plan.notify.any() {
        return;
    }
    let notifier = Notifier::new(Arc::new(MemoryLedger::default()));
    let mut sending = notifier.announce(round, report).await;
    while let Some(done) = sending.join_next().await {
        match done {
            Ok(d) => eprintln!("{d}"),
            Err(e) => tracing::error!("a notification task failed: {e}"),
        }
    }
}
