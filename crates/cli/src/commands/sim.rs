//! `demo` and `sim`: the simulated city, a round and its re-check on it, or served alone.

use std::path::{Path, PathBuf};

use spotcheck_sim::{Scenario, Sim};

use crate::args::{DemoArgs, SimArgs};
use crate::embedded;
use crate::error::CliError;
use crate::output;

fn load_scenario(path: Option<&Path>) -> Result<Scenario, CliError> {
    match path {
        Some(p) => Scenario::load(p).map_err(|e| CliError::input(format!("{}: {e}", p.display()))),
        None => Ok(Scenario::seed()),
    }
}

pub async fn demo(args: DemoArgs) -> Result<(), CliError> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let sim = Sim::start(scenario, "127.0.0.1:0".parse().expect("constant address"))
        .await
        .map_err(|e| CliError::failed(format!("cannot start the simulated city: {e}")))?;
    let (spot, recheck) = embedded::spot_and_recheck_on_sim(&sim).await?;
    let out = args.out.unwrap_or_else(default_out);
    let spot_report = spot.report(None);
    let recheck_report = recheck.report(Some(&spot));
    for (name, finished, report) in [
        ("spot", &spot, &spot_report),
        ("recheck", &recheck, &recheck_report),
    ] {
        let dir = out.join(name);
        output::write_reports(&dir, report, &args.format.formats)?;
        finished.save(&dir)?;
    }
    println!("{}", spotcheck_report::render::to_markdown(&spot_report));
    println!("{}", spotcheck_report::render::to_markdown(&recheck_report));
    eprintln!(
        "reports written to {}/spot and {}/recheck",
        out.display(),
        out.display()
    );
    Ok(())
}

fn default_out() -> PathBuf {
    PathBuf::from(format!(
        "spotcheck-demo-{}",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    ))
}

pub async fn sim(args: SimArgs) -> Result<(), CliError> {
    let scenario = load_scenario(args.scenario.as_deref())?;
    let sim = Sim::start(scenario, args.listen).await.map_err(|e| {
        CliError::failed(format!(
            "cannot start the simulated city on {}: {e}",
            args.listen
        ))
    })?;
    if let Some(dir) = &args.write {
        std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(dir.join("registry.toml"), sim.registry_toml()))
            .and_then(|_| std::fs::write(dir.join("plan.toml"), sim.plan_toml()))
            .map_err(|e| CliError::failed(format!("cannot write into {}: {e}", dir.display())))?;
        eprintln!("registry.toml and plan.toml written to {}", dir.display());
    }
    println!("{}", sim.registry_toml());
    let (from, to) = sim.window();
    eprintln!(
        "simulated city on {} — try: spotcheck run --registry registry.toml --plan plan.toml --window {from}..{to} --as-of {} --out out/ (secrets: {})",
        sim.addr(),
        sim.as_of(),
        sim.secrets()
            .iter()
            .map(|(k, _)| k.as_str())
            .take(3)
            .collect::<Vec<_>>()
            .join(", ")
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::failed(format!("cannot wait for Ctrl-C: {e}")))?;
    Ok(())
}
