//! INJECT_WORKFLOW_CONTEXT: the parameters, a JSON object, are appended to
//! the workflow context key by key (strings as they are, other values as
//! JSON), within the context's size limit.

use super::{Ended, Official, Outcome, Run, Task};
use serde_json::{Map, Value};

const EXAMPLE: &str = r#"{"region":"eu","day":"2026-12-01"}"#;

/// Checks parameters without running anything: a JSON object.
pub(crate) fn check(params: &str) -> Result<(), String> {
    super::params::json::<Map<String, Value>>(params, EXAMPLE).map(|_| ())
}

/// The context's size limit, keys and values, in bytes (as for guests).
const LIMIT: usize = 8192;

/// The INJECT_WORKFLOW_CONTEXT processor.
#[derive(Debug)]
pub(crate) struct Inject;

impl Inject {
    fn append(task: &Task<'_>) -> Outcome {
        let entries: Map<String, Value> = super::params::json(task.params, EXAMPLE)?;
        let mut size: usize = task.spec.workflow_context.iter().map(|(k, v)| k.len() + v.len()).sum();
        let mut appends = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if key.is_empty() {
                return Err("a workflow context key is empty".into());
            }
            let value = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            size += key.len() + value.len();
            if size > LIMIT {
                return Err(format!(
                    "the workflow context would grow to {size} bytes, over its limit of {LIMIT} bytes"
                ));
            }
            appends.push((key, value));
        }
        let msg = format!("appended {} keys to the workflow context", appends.len());
        Ok(Ended { success: true, msg, appends })
    }
}

impl Official for Inject {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(async move { Self::append(task) })
    }
}
