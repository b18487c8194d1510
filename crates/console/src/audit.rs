//! The audit trail: one line per round started or re-check started, saying who did it.
//!
//! The lines go to stderr whatever the log level (an office must be able to say who started a
//! round), and to a file when one is configured, as JSON.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

pub struct Audit {
    file: Option<PathBuf>,
    /// Lines are appended one at a time, never interleaved.
    writing: Mutex<()>,
}

impl Audit {
    pub fn new(file: Option<PathBuf>) -> Audit {
        Audit {
            file,
            writing: Mutex::new(()),
        }
    }

    /// Records that `user` did `action` (`start`, `recheck`) creating `round`.
    pub fn record(&self, user: &str, action: &str, round: &str, detail: &str) {
        let line = serde_json::json!({
            "at": chrono::Local::now().to_rfc3339(),
            "audit": action,
            "user": user,
            "round": round,
            "detail": detail,
        })
        .to_string();
        let _guard = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        eprintln!("{line}");
        if let Some(path) = &self.file {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                tracing::error!("cannot append to the audit log {}: {e}", path.display());
            }
        }
    }
}
