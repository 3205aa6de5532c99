//! What a processor call returns.

use crate::bindings::types::TaskResult;

/// The result of a processor call: success and a message (PowerJob's
/// `ProcessResult`). Hosts truncate long messages (8192 bytes of UTF-8 by
/// default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessResult {
    /// True when the task did what it was asked to do.
    pub success: bool,
    /// A short summary, shown in the console and handed to reduce.
    pub msg: String,
}

impl ProcessResult {
    /// A successful result with a message.
    pub fn success(msg: impl Into<String>) -> Self {
        Self { success: true, msg: msg.into() }
    }

    /// A failed result with a message saying why.
    pub fn failure(msg: impl Into<String>) -> Self {
        Self { success: false, msg: msg.into() }
    }
}

/// `Ok(msg)` succeeds with `msg`; `Err(e)` fails with `e`'s text, so `?`
/// works in a helper returning `Result<String, E>`.
impl<E: std::fmt::Display> From<Result<String, E>> for ProcessResult {
    fn from(value: Result<String, E>) -> Self {
        match value {
            Ok(msg) => Self::success(msg),
            Err(e) => Self::failure(e.to_string()),
        }
    }
}

impl From<ProcessResult> for TaskResult {
    fn from(r: ProcessResult) -> Self {
        TaskResult { success: r.success, msg: r.msg }
    }
}
