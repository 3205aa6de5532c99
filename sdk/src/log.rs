//! The processor's logger: lines go to the instance's online log, tagged
//! with the task id and level (PowerJob's `OmsLogger`).
//!
//! Text written to stdout or stderr is captured too, but only when the call
//! ends, at a fixed level (INFO for stdout, WARN for stderr) and truncated
//! by the host; prefer these functions.

use crate::bindings::host::{self, LogLevel};

/// Logs a line at DEBUG.
pub fn debug(message: impl AsRef<str>) {
    host::log(LogLevel::Debug, message.as_ref());
}

/// Logs a line at INFO.
pub fn info(message: impl AsRef<str>) {
    host::log(LogLevel::Info, message.as_ref());
}

/// Logs a line at WARN.
pub fn warn(message: impl AsRef<str>) {
    host::log(LogLevel::Warn, message.as_ref());
}

/// Logs a line at ERROR.
pub fn error(message: impl AsRef<str>) {
    host::log(LogLevel::Error, message.as_ref());
}
