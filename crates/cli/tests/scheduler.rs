//! `spotcheck scheduler`: the plan's scheduled rounds start once across replicas and restarts
//! (real RabbitMQ and Redis, a fresh namespace), and a plan with a bad cron expression is
//! refused with its position before anything connects.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use spotcheck_core::ports::Store;
use spotcheck_core::round::RoundKind;
use spotcheck_testkit::rounds::RegistryText;
use support::{City, Pool};

/// A registry of one site and a plan with a quarterly round at 09:00 on the first day of a
/// quarter (Shanghai time, the default zone).
fn inputs(dir: &Path, schedule: &str) {
    let registry = RegistryText::new("测试市", "测试市政府网站")
        .unit("a", "市甲局")
        .website("s", "a", "甲局网站", "http://www.a.example.gov.cn/");
    std::fs::write(dir.join("registry.toml"), registry.text()).unwrap();
    std::fs::write(dir.join("plan.toml"), schedule).unwrap();
}

/// One availability probe: no delayed probe jobs wait in the broker after the test.
const QUARTERLY: &str = "[availability]\nprobes = 1\n\n[schedule]\nrounds = [{ cron = \"0 9 1 1,4,7,10 *\", kind = \"spot\" }]\n";

fn scheduler(dir: &Path, now: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
    c.args(["scheduler", "--once", "--now", now, "--registry"])
        .arg(dir.join("registry.toml"))
        .arg("--plan")
        .arg(dir.join("plan.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn started(out: &Output) -> bool {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).contains("scheduled round ")
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_schedulers_start_a_due_round_once_and_a_restart_not_again() {
    let pool = Pool::new("sched-race").await;
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path(), QUARTERLY);
    // Five seconds after the round fell due, four replicas look at once.
    let now = "2021-01-01T09:00:05+08:00";
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let mut c = scheduler(dir.path(), now);
            pool.env(&mut c);
            c.spawn().unwrap()
        })
        .collect();
    let outs: Vec<Output> = racers
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    assert_eq!(outs.iter().filter(|o| started(o)).count(), 1);
    let rounds = pool.store.rounds().await.unwrap();
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    let round = pool.store.round(&rounds[0]).await.unwrap().unwrap();
    assert_eq!(round.kind, RoundKind::Spot);
    assert_eq!(round.as_of.to_string(), "2021-01-01");
    assert_eq!(round.window.to_string(), "2020-10-01..2020-12-31");

    // A restart an hour later (within the catch-up day) finds it started.
    let mut again = scheduler(dir.path(), "2021-01-01T10:00:00+08:00");
    pool.env(&mut again);
    assert!(!started(&again.output().unwrap()));
    assert_eq!(pool.store.rounds().await.unwrap().len(), 1);

    // The next quarter's due time is a round of its own.
    let mut next = scheduler(dir.path(), "2021-04-01T09:00:05+08:00");
    pool.env(&mut next);
    assert!(started(&next.output().unwrap()));
    assert_eq!(pool.store.rounds().await.unwrap().len(), 2);
    pool.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_scheduler_is_ready_starts_the_round_when_due_and_stops_at_sigterm() {
    let pool = Pool::new("sched-run").await;
    let city = City::start().await;
    let dir = tempfile::tempdir().unwrap();
    inputs(dir.path(), QUARTERLY);
    let registry = dir.path().join("registry.toml");
    let plan = dir.path().join("plan.toml");
    // Three seconds before the round falls due; the clock runs on from there.
    let mut role = pool.spawn(
        &city,
        "scheduler",
        &[
            "scheduler",
            "--tick",
            "1",
            "--now",
            "2021-01-01T08:59:57+08:00",
            "--registry",
            registry.to_str().unwrap(),
            "--plan",
            plan.to_str().unwrap(),
        ],
        "info",
        true,
    );
    role.wait_ready(Duration::from_secs(20));
    assert!(
        pool.store.rounds().await.unwrap().is_empty(),
        "nothing is due yet"
    );
    let line = role.wait_log("scheduled round started", Duration::from_secs(30));
    let rounds = pool.store.rounds().await.unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(line["round"], rounds[0].0.as_str());
    role.terminate();
    assert!(role.wait_exit(Duration::from_secs(10)).success());
    assert_eq!(pool.store.rounds().await.unwrap().len(), 1, "started once");
    pool.finish().await;
}

#[test]
fn an_unparsable_cron_expression_exits_2_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    inputs(
        dir.path(),
        "[schedule]\nrounds = [{ cron = \"61 9 * * *\" }]\n",
    );
    let out = scheduler(dir.path(), "2021-01-01T09:00:05+08:00")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "plan.toml:2:20: schedule.rounds[0].cron: `61 9 * * *` is not a cron expression"
        ),
        "{stderr}"
    );
}
