//! The workflow context: key/value pairs shared by the jobs of a workflow
//! instance (PowerJob's `WorkflowContext`).

use crate::bindings::host;
use serde::Serialize;

/// Read and append access to the workflow context of the running instance.
///
/// Outside a workflow the context is empty and appends are kept only for
/// the instance's own record.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkflowContext {
    _private: (),
}

impl WorkflowContext {
    pub(crate) fn new() -> Self {
        Self { _private: () }
    }

    /// Every key/value pair, in the order they were written; a key written
    /// twice appears twice, the later value being current.
    pub fn all(&self) -> Vec<(String, String)> {
        host::workflow_context()
    }

    /// The current value of `key`, if any (the last write wins).
    pub fn get(&self, key: &str) -> Option<String> {
        host::workflow_context().into_iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Appends `key` = `value`. Fails when the context would exceed the
    /// host's size limit or the key is empty; the context is then unchanged.
    pub fn append(&self, key: &str, value: &str) -> Result<(), String> {
        host::append_workflow_context(key, value)
    }

    /// Appends `key` = the JSON encoding of `value`.
    pub fn append_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), String> {
        let json = serde_json::to_string(value).map_err(|e| e.to_string())?;
        self.append(key, &json)
    }
}
