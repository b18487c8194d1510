//! The two things that change the pool — starting a round and starting a re-check — for the
//! pages and the API alike: who may, what is validated, what is logged.

use spotcheck_core::round::RoundId;

use crate::State;
use crate::access::Who;
use crate::failure::Failure;
use crate::input::{self, Rejection, Submission};

/// Why a start did not happen.
pub enum Refused {
    /// The registry, plan or fields are wrong: every problem, nothing started.
    Input(Rejection),
    /// Not allowed, or the pool cannot take it now.
    Failure(Failure),
}

impl From<Failure> for Refused {
    fn from(f: Failure) -> Refused {
        Refused::Failure(f)
    }
}

pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Validates the submission, starts its round and logs who did it.
pub async fn start(state: &State, who: &Who, s: &Submission) -> Result<RoundId, Refused> {
    who.must_operate()?;
    let round = input::build(s, today()).map_err(Refused::Input)?;
    let jobs = state.engine.start(&round).await?;
    state.audit.record(
        &who.name,
        "start",
        &round.id.0,
        &format!(
            "{} units, window {}..{}, as of {}, {jobs} jobs",
            round.registry.units.len(),
            round.window.from,
            round.window.to,
            round.as_of
        ),
    );
    Ok(round.id)
}

/// Starts the re-check of a complete spot round and logs who did it. In demo mode the
/// simulated units first fix what they fix, as real units do between the two rounds.
pub async fn recheck(
    state: &State,
    who: &Who,
    id: &str,
    as_of: Option<&str>,
) -> Result<RoundId, Failure> {
    who.must_operate()?;
    let as_of = input::as_of_or_today(as_of, today()).map_err(Failure::bad_request)?;
    let round = state
        .engine
        .recheck_of(&RoundId(id.to_string()), as_of)
        .await?;
    if let Some(sim) = &state.demo {
        sim.rectify();
    }
    let jobs = state.engine.start(&round).await?;
    state.audit.record(
        &who.name,
        "recheck",
        &round.id.0,
        &format!("re-check of {id} as of {as_of}, {jobs} jobs"),
    );
    Ok(round.id)
}
