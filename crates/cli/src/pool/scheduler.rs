//! `spotcheck scheduler`: starts each round the plan's `[schedule]` makes due, once across
//! replicas and restarts.
//!
//! Every look at the calendar takes, for each entry, its latest due time within the plan's
//! `catch_up`; a round is started by whichever scheduler wins the claim on (entry, due time)
//! in Redis, with a fenced token, and its id is derived from the entry and due time, so even
//! a claim that lapsed mid-start cannot make a second round. A scheduler that was down when
//! a round fell due starts the latest missed one when it comes back, if it is not older
//! than `catch_up`.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use spotcheck_core::plan::Due;
use spotcheck_core::ports::Queue;
use spotcheck_core::{Plan, Registry};
use spotcheck_scheduler::RoundInput;
use spotcheck_store::{Claim, RedisStore};

use super::stop_on_signal;
use crate::args::SchedulerArgs;
use crate::error::CliError;
use crate::ops::{self, PoolProbe, Role};

/// How long a claim holds while its scheduler starts the round: far above the seconds a
/// start takes, short enough that a scheduler killed mid-start is replaced soon.
const LEASE: Duration = Duration::from_secs(120);

pub async fn scheduler(args: SchedulerArgs) -> Result<(), CliError> {
    // Bad input is refused before connecting: exit 2 with the positions.
    let (plan, _) = inputs(&args)?;
    if plan.schedule.rounds.is_empty() {
        return Err(CliError::input(format!(
            "{}: [schedule] lists no rounds",
            args.plan.display()
        )));
    }
    let clock = Clock::new(args.now.as_deref())?;
    let redis = args.conn.store().await?;
    let amqp = args.conn.queue().await?;
    let mut stop = stop_on_signal();
    let probe = PoolProbe {
        queue: amqp.clone(),
        store: redis.clone(),
        stall: None,
    };
    ops::serve(
        args.ops.metrics_listen,
        Role::Scheduler,
        probe,
        stop.clone(),
    )
    .await?;
    tracing::info!(namespace = %args.conn.namespace, entries = plan.schedule.rounds.len(), "scheduler ready");
    let result = loop {
        let looked = look(&args, &redis, amqp.as_ref(), clock.now()).await;
        if args.once {
            break looked;
        }
        if let Err(e) = looked {
            tracing::error!(error = %e.message, "scheduled rounds not started; trying again");
        }
        tokio::select! {
            _ = stop.changed() => break Ok(()),
            _ = tokio::time::sleep(Duration::from_secs(args.tick.max(1))) => {}
        }
    };
    amqp.close().await;
    result
}

/// The plan and registry as they are now on disk.
fn inputs(args: &SchedulerArgs) -> Result<(Plan, Registry), CliError> {
    let plan = Plan::load(&args.plan).map_err(|e| CliError::input(e.to_string()))?;
    let registry = Registry::load_with(&args.registry, args.allow_private)
        .map_err(|e| CliError::input(e.to_string()))?;
    Ok((plan, registry))
}

/// One look at the calendar: every due round claimed, started and marked started.
async fn look(
    args: &SchedulerArgs,
    redis: &RedisStore,
    queue: &dyn Queue,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let (plan, registry) = inputs(args)?;
    for due in plan.schedule.due(now) {
        let at = due.at.timestamp();
        let claim = redis
            .claim_scheduled(&due.key, at, LEASE)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let token = match claim {
            Claim::Won(token) => token,
            Claim::Held(by) => {
                tracing::debug!(entry = due.entry, due = %due.at, %by, "scheduled round already claimed");
                continue;
            }
        };
        start(args, redis, queue, &plan, &registry, &due, token).await?;
    }
    Ok(())
}

/// Starts the round of a won claim and marks it started.
async fn start(
    args: &SchedulerArgs,
    redis: &RedisStore,
    queue: &dyn Queue,
    plan: &Plan,
    registry: &Registry,
    due: &Due,
    token: u64,
) -> Result<(), CliError> {
    let at = due.at.timestamp();
    let round = spotcheck_scheduler::build_round(RoundInput {
        registry: registry.clone(),
        plan: plan.clone(),
        window: due.window,
        as_of: due.as_of,
        allow_private: args.allow_private,
        // The same entry and due time always make the same round id.
        salt: format!("schedule:{}:{at}", due.key),
    })
    .map_err(CliError::input)?;
    let jobs = spotcheck_scheduler::start_round(redis, queue, &round)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    let marked = redis
        .confirm_scheduled(&due.key, at, token, &round.id)
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    if !marked {
        tracing::warn!(round = %round.id, "the claim lapsed while the round started; its id is the entry's, so no second round follows");
    }
    tracing::info!(round = %round.id, entry = due.entry, due = %due.at, jobs, token, "scheduled round started");
    eprintln!(
        "scheduled round {} started with {jobs} jobs (due {}, window {}, as of {})",
        round.id, due.at, due.window, due.as_of
    );
    Ok(())
}

/// The scheduler's clock: real time, or a given start running forward from there.
struct Clock {
    offset: Option<(DateTime<Utc>, Instant)>,
}

impl Clock {
    fn new(now: Option<&str>) -> Result<Clock, CliError> {
        let offset = match now {
            None => None,
            Some(s) => {
                let t = DateTime::parse_from_rfc3339(s)
                    .map_err(|e| CliError::input(format!("--now `{s}`: {e}")))?;
                Some((t.with_timezone(&Utc), Instant::now()))
            }
        };
        Ok(Clock { offset })
    }

    fn now(&self) -> DateTime<Utc> {
        match self.offset {
            None => Utc::now(),
            Some((start, since)) => {
                start + chrono::Duration::from_std(since.elapsed()).unwrap_or_default()
            }
        }
    }
}
