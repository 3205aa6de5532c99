//! The task context handed to every processor call.

use crate::bindings::host;
use crate::workflow::WorkflowContext;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The name of the root task of every instance.
pub const ROOT_TASK_NAME: &str = "ROOT_TASK";

/// A parameter or payload that could not be decoded.
#[derive(Debug)]
pub struct DecodeError {
    what: &'static str,
    source: serde_json::Error,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid {}: {}", self.what, self.source)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Subtasks that could not be emitted; nothing of the batch was emitted.
#[derive(Debug)]
pub enum MapError {
    /// A subtask could not be serialized to JSON.
    Encode(serde_json::Error),
    /// The host refused the batch (wrong execution kind, reserved name,
    /// limits); the message says which.
    Refused(String),
}

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapError::Encode(e) => write!(f, "cannot encode subtask: {e}"),
            MapError::Refused(msg) => write!(f, "subtasks refused: {msg}"),
        }
    }
}

impl std::error::Error for MapError {}

/// Everything a processor knows about the task it is running (PowerJob's
/// `TaskContext`), plus the means to emit subtasks.
#[derive(Debug, Clone)]
pub struct TaskContext {
    inner: host::TaskContext,
}

impl TaskContext {
    /// Fetches the context of the current task from the host.
    pub fn current() -> Self {
        Self { inner: host::current_task() }
    }

    /// Id of the job.
    pub fn job_id(&self) -> u64 {
        self.inner.job_id
    }

    /// Id of the job instance (this run of the job).
    pub fn instance_id(&self) -> u64 {
        self.inner.instance_id
    }

    /// This task's id: `0` for the root, `<parent>.<n>` below it.
    pub fn task_id(&self) -> &str {
        &self.inner.task_id
    }

    /// The name this task was emitted under ([`ROOT_TASK_NAME`] for the root).
    pub fn task_name(&self) -> &str {
        &self.inner.task_name
    }

    /// True for the root task of the instance.
    pub fn is_root(&self) -> bool {
        self.inner.is_root
    }

    /// The job's parameters, as configured.
    pub fn job_params(&self) -> &str {
        &self.inner.job_params
    }

    /// The parameters given to this run; empty when none.
    pub fn instance_params(&self) -> &str {
        &self.inner.instance_params
    }

    /// Retries of this task so far (0 on the first attempt).
    pub fn current_retry(&self) -> u32 {
        self.inner.current_retry
    }

    /// Retries this task may have in all.
    pub fn max_retry(&self) -> u32 {
        self.inner.max_retry
    }

    /// The effective parameters as JSON: the job's parameters with the
    /// instance's laid over them. When both are JSON objects their keys are
    /// merged (the instance's win); otherwise non-empty instance parameters
    /// replace the job's. Empty parameters read as `{}`.
    pub fn params_json(&self) -> Result<Value, DecodeError> {
        effective_params(self.job_params(), self.instance_params())
    }

    /// The effective parameters (see [`TaskContext::params_json`]) decoded
    /// into `T`.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let value = self.params_json()?;
        serde_json::from_value(value).map_err(|source| DecodeError { what: "params", source })
    }

    /// The raw payload this subtask was emitted with; `None` for the root
    /// and for broadcast tasks.
    pub fn subtask_bytes(&self) -> Option<&[u8]> {
        self.inner.subtask.as_deref()
    }

    /// The subtask payload decoded from JSON (as [`TaskContext::map`]
    /// encodes it); `Ok(None)` when this task has no payload.
    pub fn subtask<T: DeserializeOwned>(&self) -> Result<Option<T>, DecodeError> {
        self.subtask_bytes()
            .map(|bytes| serde_json::from_slice(bytes))
            .transpose()
            .map_err(|source| DecodeError { what: "subtask payload", source })
    }

    /// Emits one subtask per item, each encoded as JSON, under `task_name`
    /// (PowerJob's `map`). Only MAP and MAP_REDUCE jobs may emit.
    ///
    /// Items are encoded and handed to the host [`MAP_CHUNK`] at a time, so
    /// a million subtasks never sit in the guest's memory at once; when a
    /// chunk is refused, the chunks before it stay emitted.
    pub fn map<T, I>(&self, subtasks: I, task_name: &str) -> Result<(), MapError>
    where
        T: Serialize,
        I: IntoIterator<Item = T>,
    {
        let mut chunk = Vec::with_capacity(MAP_CHUNK);
        for item in subtasks {
            chunk.push(serde_json::to_vec(&item).map_err(MapError::Encode)?);
            if chunk.len() == MAP_CHUNK {
                self.map_bytes(&chunk, task_name)?;
                chunk.clear();
            }
        }
        if chunk.is_empty() { Ok(()) } else { self.map_bytes(&chunk, task_name) }
    }

    /// Emits one subtask per raw payload under `task_name`.
    pub fn map_bytes(&self, payloads: &[Vec<u8>], task_name: &str) -> Result<(), MapError> {
        host::emit_subtasks(payloads, task_name).map_err(MapError::Refused)
    }

    /// The workflow context of the instance.
    pub fn workflow(&self) -> WorkflowContext {
        WorkflowContext::new()
    }
}

/// Subtasks [`TaskContext::map`] hands to the host per call.
pub const MAP_CHUNK: usize = 1024;

/// Lays instance parameters over job parameters (see
/// [`TaskContext::params_json`]).
fn effective_params(job: &str, instance: &str) -> Result<Value, DecodeError> {
    let job = parse_params(job, "job params")?;
    let instance = parse_params(instance, "instance params")?;
    Ok(match (job, instance) {
        (Some(Value::Object(mut base)), Some(Value::Object(over))) => {
            base.extend(over);
            Value::Object(base)
        }
        (_, Some(over)) => over,
        (Some(job), None) => job,
        (None, None) => Value::Object(Map::new()),
    })
}

fn parse_params(text: &str, what: &'static str) -> Result<Option<Value>, DecodeError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some).map_err(|source| DecodeError { what, source })
}

#[cfg(test)]
mod tests {
    use super::effective_params;
    use serde_json::json;

    #[test]
    fn instance_keys_override_job_keys() {
        let merged = effective_params(r#"{"a":1,"b":1}"#, r#"{"b":2,"c":3}"#).unwrap();
        assert_eq!(merged, json!({"a":1,"b":2,"c":3}));
    }

    #[test]
    fn empty_params_read_as_an_empty_object() {
        assert_eq!(effective_params("", "  ").unwrap(), json!({}));
        assert_eq!(effective_params(r#"{"a":1}"#, "").unwrap(), json!({"a":1}));
    }

    #[test]
    fn non_object_instance_params_replace_the_job_params() {
        assert_eq!(effective_params(r#"{"a":1}"#, "[1,2]").unwrap(), json!([1, 2]));
        assert_eq!(effective_params("5", "").unwrap(), json!(5));
    }

    #[test]
    fn invalid_json_names_which_params() {
        let err = effective_params("{oops", "").unwrap_err().to_string();
        assert!(err.starts_with("invalid job params"), "{err}");
        let err = effective_params("{}", "nope").unwrap_err().to_string();
        assert!(err.starts_with("invalid instance params"), "{err}");
    }
}
