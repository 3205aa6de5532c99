//! Helpers for the tests of crates built on the runtime (feature
//! `testing`): a log sink that keeps every line, and file modes under a
//! chosen umask.

use crate::logs::{LogLevel, LogRecord, LogSink, LogSource};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Mutex;

/// One kept log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptLine {
    /// The task.
    pub task_id: String,
    /// Severity.
    pub level: LogLevel,
    /// Channel.
    pub source: LogSource,
    /// The text.
    pub message: String,
}

/// A log sink that keeps every line, for a test to read back.
#[derive(Debug, Default)]
pub struct KeptLogs {
    lines: Mutex<Vec<KeptLine>>,
}

impl KeptLogs {
    /// Every line so far.
    pub fn lines(&self) -> Vec<KeptLine> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether a line contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.lines().iter().any(|l| l.message.contains(needle))
    }
}

impl LogSink for KeptLogs {
    fn record(&self, r: LogRecord<'_>) {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).push(KeptLine {
            task_id: r.task_id.to_string(),
            level: r.level,
            source: r.source,
            message: r.message.to_string(),
        });
    }
}

/// Runs `f` with the process's umask set to `mask`, restoring it after;
/// one at a time in the process.
pub fn with_umask<T>(mask: u32, f: impl FnOnce() -> T) -> T {
    use nix::sys::stat::{Mode, umask};
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let old = umask(Mode::from_bits_truncate(mask as _));
    let out = f();
    umask(old);
    out
}

/// The permission bits of `path` (not following a symlink).
///
/// # Panics
///
/// When `path` cannot be read: this is for tests.
pub fn mode(path: &Path) -> u32 {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.mode() & 0o7777,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}
