//! `spotcheck run`: a whole round (or the re-check of one run earlier) in this process, its
//! reports and its results written to a folder.

use crate::args::RunArgs;
use crate::commands::inputs;
use crate::embedded;
use crate::error::CliError;
use crate::finished::Finished;
use crate::output;

pub async fn run(args: RunArgs) -> Result<(), CliError> {
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
