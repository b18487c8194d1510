//! Operator input read into the domain's terms: a round's definition, a date, a round id.
//! Every problem here is bad input (exit code 2).

use chrono::NaiveDate;
use spotcheck_core::round::RoundId;
use spotcheck_core::window::parse_date;
use spotcheck_core::{Plan, Registry, Window};

use crate::args::RoundArgs;
use crate::error::CliError;

/// Reads the registry, plan, window and as-of date of a round.
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
    let as_of = as_of(a.as_of.as_deref())?;
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
        salt: spotcheck_scheduler::salt_now(),
    })
}

/// `--as-of`: the date given, or today.
pub fn as_of(given: Option<&str>) -> Result<NaiveDate, CliError> {
    match given {
        Some(d) => parse_date(d).map_err(|e| CliError::input(format!("--as-of: {e}"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// A round id as typed: it names queues and keys, so only the safe alphabet passes.
pub fn round_id(id: &str) -> Result<RoundId, CliError> {
    if RoundId::is_valid(id) {
        Ok(RoundId(id.to_string()))
    } else {
        Err(CliError::input(format!("`{id}` is not a round id")))
    }
}
