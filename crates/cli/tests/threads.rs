//! What a process takes of its machine: `--threads` / `SPOTCHECK_THREADS`, how many threads
//! run its work, so several workers on one machine can share its cores (zero is bad input);
//! and every open file its hard limit allows, for a province's connections.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn zero_threads_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_spotcheck"))
        .args(["--threads", "0", "demo"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--threads"), "{stderr}");
}

/// The runtime's threads of a running `spotcheck sim` started with `threads` (by flag or by
/// environment), counted once it has printed its registry.
#[cfg(target_os = "linux")]
fn runtime_threads(flag: bool, threads: &str) -> usize {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotcheck"));
    if flag {
        cmd.args(["--threads", threads]);
    } else {
        cmd.env("SPOTCHECK_THREADS", threads);
    }
    cmd.arg("sim");
    while_serving(cmd, |pid| {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
        tasks
            .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).ok())
            .filter(|name| name.trim() == "tokio-rt-worker")
            .count()
    })
}

/// Starts `cmd` (a `spotcheck sim`), waits until it has printed its registry, hands its pid to
/// `look`, and stops it.
#[cfg(target_os = "linux")]
fn while_serving<T>(mut cmd: Command, look: impl FnOnce(u32) -> T) -> T {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let seen = look(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("Registry"), "sim printed {first:?}");
    seen
}

#[cfg(target_os = "linux")]
#[test]
fn a_process_runs_the_threads_it_is_given() {
    assert_eq!(runtime_threads(true, "1"), 1);
    assert_eq!(runtime_threads(true, "3"), 3);
    assert_eq!(runtime_threads(false, "2"), 2);
}

/// Started with a soft limit of 256 open files (as under a login shell's default), a running
/// process has raised it to its hard limit: a worker checking a province's sites holds a
/// connection to each it is busy with.
#[cfg(target_os = "linux")]
#[test]
fn a_process_raises_its_open_files_limit_to_the_hard_one() {
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(format!(
        "ulimit -Sn 256 && exec {} sim",
        env!("CARGO_BIN_EXE_spotcheck")
    ));
    let limits = while_serving(sh, |pid| {
        std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap()
    });
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    let (soft, hard) = (numbers[0], numbers[1]);
    assert!(
        hard == "unlimited" || hard.parse::<u64>().unwrap() > 256,
        "the hard limit leaves nothing to raise: {line}"
    );
    assert_eq!(soft, hard, "{line}");
}
