//! Workflow context example: reads what upstream jobs wrote and appends
//! this job's own keys. Params: `{"key":"greeting","value":"hello"}`.

use serde::Deserialize;
use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Params {
    key: String,
    value: String,
}

#[derive(Default)]
struct Append;

impl BasicProcessor for Append {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        let params: Params = match ctx.params() {
            Ok(p) => p,
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        let workflow = ctx.workflow();
        let before = workflow.all().len();
        log::info(format!("workflow context holds {before} entries"));
        let key = if params.key.is_empty() { "lastJob".to_string() } else { params.key };
        if let Err(e) = workflow.append(&key, &params.value) {
            return ProcessResult::failure(format!("cannot append {key}: {e}"));
        }
        let seen = workflow.get("visits").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        if let Err(e) = workflow.append("visits", &(seen + 1).to_string()) {
            return ProcessResult::failure(format!("cannot append visits: {e}"));
        }
        ProcessResult::success(format!("appended {key}; visits = {}", seen + 1))
    }
}

wasmjob_sdk::export_basic!(Append);
