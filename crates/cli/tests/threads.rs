//! `--threads` / `SPOTCHECK_THREADS`: how many threads run a process's work, so several
//! workers on one machine can share its cores. Zero is bad input.

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
    let mut child = cmd
        .arg("sim")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let tasks = std::fs::read_dir(format!("/proc/{}/task", child.id())).unwrap();
    let count = tasks
        .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).ok())
        .filter(|name| name.trim() == "tokio-rt-worker")
        .count();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("Registry"), "sim printed {first:?}");
    count
}

#[cfg(target_os = "linux")]
#[test]
fn a_process_runs_the_threads_it_is_given() {
    assert_eq!(runtime_threads(true, "1"), 1);
    assert_eq!(runtime_threads(true, "3"), 3);
    assert_eq!(runtime_threads(false, "2"), 2);
}
