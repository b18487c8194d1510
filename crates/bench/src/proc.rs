//! Child processes measured the way the kernel sees them: wall time, CPU time and peak resident
//! memory from `wait4` (the child's own high-water mark, `ru_maxrss`, read when it is reaped — so no
//! sampling can miss a short peak).

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How a reaped child ended, and its peak memory.
#[derive(Debug, Clone, Copy)]
pub struct Reaped {
    /// Exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    /// CPU time, user and system.
    pub cpu: Duration,
}

/// Waits for `child` with `wait4`, which also gives its resource usage. The `Child` must not be
/// waited on again afterwards (its pid is reaped).
pub fn reap(child: &Child) -> io::Result<Reaped> {
    let pid =
        libc::pid_t::try_from(child.id()).map_err(|_| io::Error::other("pid out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroes are a valid value that wait4 overwrites.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; pid is our own child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    Ok(Reaped {
        code,
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        cpu: cpu(&usage.ru_utime) + cpu(&usage.ru_stime),
    })
}

fn cpu(t: &libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Asks a child to stop as its supervisor would (SIGTERM).
pub fn terminate(child: &Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: sending a signal to our own child.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

/// Runs a command to its end, measured. Its stdout is returned; stderr goes to `log`.
pub fn run_measured(cmd: &mut Command, log: &Path) -> io::Result<(Reaped, Duration, String)> {
    let err = std::fs::File::create(log)?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(err));
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout pipe"))?;
    // Drain stdout meanwhile, so a chatty child never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let reaped = reap(&child)?;
    let wall = start.elapsed();
    let out = reader.join().unwrap_or_default();
    Ok((reaped, wall, out))
}

/// A long-running role of the pool, with its log going to a file.
pub struct Role {
    pub name: String,
    pub child: Child,
    ready: mpsc::Receiver<()>,
}

impl Role {
    /// Starts `cmd`; the role counts as ready once its stderr has a line containing `marker`.
    pub fn spawn(
        name: &str,
        cmd: &mut Command,
        log: &Path,
        marker: &'static str,
    ) -> io::Result<Role> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| io::Error::other("no stderr pipe"))?;
        let mut file = std::fs::File::create(log)?;
        let (tx, ready) = mpsc::channel();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut told = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(file, "{line}");
                if !told && line.contains(marker) {
                    told = true;
                    let _ = tx.send(());
                }
            }
        });
        Ok(Role {
            name: name.to_string(),
            child,
            ready,
        })
    }

    /// Waits until the role said it is ready, or fails after `limit` (or when it ended first).
    pub fn wait_ready(&self, limit: Duration) -> io::Result<()> {
        match self.ready.recv_timeout(limit) {
            Ok(()) => Ok(()),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(io::Error::other(format!(
                "{} not ready within {limit:?}",
                self.name
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(io::Error::other(format!(
                "{} ended before it was ready",
                self.name
            ))),
        }
    }
}
