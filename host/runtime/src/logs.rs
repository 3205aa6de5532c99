//! Where task logs go: the guest's `log` calls, its captured stdout and
//! stderr, and the host's own notes about the task.

use serde::Serialize;
use std::fmt;
pub use wasmjob_vocab::LogLevel;

/// Which channel a line came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogSource {
    /// The guest's `log` import.
    Guest,
    /// The guest's stdout.
    Stdout,
    /// The guest's stderr.
    Stderr,
    /// The host, about the task.
    Host,
}

/// One log line of a task.
#[derive(Debug, Clone, Copy)]
pub struct LogRecord<'a> {
    /// The instance the task belongs to.
    pub instance_id: u64,
    /// The task.
    pub task_id: &'a str,
    /// Severity.
    pub level: LogLevel,
    /// Channel.
    pub source: LogSource,
    /// The text (already truncated to the task's limit).
    pub message: &'a str,
}

/// Receives the log lines of tasks; implementations must be cheap, as the
/// guest waits while a line is recorded.
pub trait LogSink: Send + Sync + fmt::Debug {
    /// Records one line.
    fn record(&self, record: LogRecord<'_>);
}

/// Writes task logs as `tracing` events (target `wasmjob::task`).
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingLogSink;

impl LogSink for TracingLogSink {
    fn record(&self, r: LogRecord<'_>) {
        let source = match r.source {
            LogSource::Guest => "guest",
            LogSource::Stdout => "stdout",
            LogSource::Stderr => "stderr",
            LogSource::Host => "host",
        };
        match r.level {
            LogLevel::Debug => {
                tracing::debug!(target: "wasmjob::task", instance = r.instance_id, task = r.task_id, source, "{}", r.message)
            }
            LogLevel::Info => {
                tracing::info!(target: "wasmjob::task", instance = r.instance_id, task = r.task_id, source, "{}", r.message)
            }
            LogLevel::Warn => {
                tracing::warn!(target: "wasmjob::task", instance = r.instance_id, task = r.task_id, source, "{}", r.message)
            }
            LogLevel::Error => {
                tracing::error!(target: "wasmjob::task", instance = r.instance_id, task = r.task_id, source, "{}", r.message)
            }
            // A threshold, never a line's level.
            LogLevel::Off => {}
        }
    }
}

/// Drops every line (for benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardLogSink;

impl LogSink for DiscardLogSink {
    fn record(&self, _record: LogRecord<'_>) {}
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the
/// cut.
pub fn truncate(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated {} bytes]", &text[..end], text.len() - end).into()
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("short", 10), "short");
        let cut = truncate("ééé", 3);
        assert!(cut.starts_with('é') && cut.contains("truncated 4 bytes"), "{cut}");
    }
}
