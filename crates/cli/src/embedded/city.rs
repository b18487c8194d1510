//! Rounds on the simulated city, as an operator would run them with its registry and plan.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use spotcheck_core::{Plan, Registry};
use spotcheck_sim::Sim;
use spotcheck_worker::secrets::MapSecrets;

use super::{Options, execute};
use crate::error::CliError;
use crate::finished::Finished;

/// The registry and plan of a running simulator, parsed like an operator's files.
fn sim_inputs(sim: &Sim) -> Result<(Registry, Plan), CliError> {
    let registry = Registry::parse(&sim.registry_toml(), Path::new("simulated-registry.toml"))
        .map_err(|e| CliError::failed(format!("the simulator's registry is invalid: {e}")))?;
    let plan = Plan::parse(&sim.plan_toml(), Path::new("simulated-plan.toml"))
        .map_err(|e| CliError::failed(format!("the simulator's plan is invalid: {e}")))?;
    Ok((registry, plan))
}

/// Runs a round on a running simulator, as an operator would with its registry and plan.
pub async fn round_on_sim(sim: &Sim) -> Result<Finished, CliError> {
    let (registry, plan) = sim_inputs(sim)?;
    let (from, to) = sim.window();
    let input = spotcheck_scheduler::RoundInput {
        registry,
        plan,
        window: spotcheck_core::Window { from, to },
        as_of: sim.as_of(),
        allow_private: true,
        salt: spotcheck_scheduler::salt_now(),
    };
    let round = spotcheck_scheduler::build_round(input).map_err(CliError::failed)?;
    execute(round, sim_options(sim)).await
}

/// Runs on a simulator with its WeChat secrets handed over in memory.
fn sim_options(sim: &Sim) -> Options {
    let secrets: HashMap<String, String> = sim.secrets().into_iter().collect();
    let mut opts = Options::new(64);
    opts.secrets = Arc::new(MapSecrets(secrets));
    opts
}

/// The demo's two rounds: the spot round, then — after the simulated units fix what they
/// fix — the re-check.
pub async fn spot_and_recheck_on_sim(sim: &Sim) -> Result<(Finished, Finished), CliError> {
    let spot = round_on_sim(sim).await?;
    sim.rectify();
    let recheck = execute(spot.recheck(sim.as_of()), sim_options(sim)).await?;
    Ok((spot, recheck))
}
