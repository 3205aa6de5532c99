//! {{name}}: a BROADCAST processor. `pre_process` runs once, `process`
//! once on every worker of the instance, and `post_process` once with
//! every worker's outcome; its result is the instance's.
//!
//! Params: `{"minWorkers":1}`: fewer workers that succeed fail the instance.

use serde::Deserialize;
use wasmjob_sdk::{BroadcastProcessor, ProcessResult, TaskContext, TaskResults, log};

/// The job's params; missing fields take their defaults.
#[derive(Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Params {
    min_workers: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self { min_workers: 1 }
    }
}

/// The processor. A new value is made for every call: keep no state in it.
#[derive(Default)]
struct RollCall;

impl BroadcastProcessor for RollCall {
    fn pre_process(&self, ctx: &TaskContext) -> ProcessResult {
        // Reject bad params once, before any worker runs.
        match ctx.params::<Params>() {
            Ok(params) => {
                log::info(format!(
                    "instance {}: a roll call of at least {} workers",
                    ctx.instance_id(),
                    params.min_workers
                ));
                ProcessResult::success("prepared")
            }
            Err(e) => ProcessResult::failure(e.to_string()),
        }
    }

    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        // Runs on every worker: do each worker's share of the work here.
        log::info(format!("task {} reporting", ctx.task_id()));
        ProcessResult::success(format!("task {} present", ctx.task_id()))
    }

    fn post_process(&self, ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult {
        let min_workers = ctx.params::<Params>().map(|p| p.min_workers).unwrap_or(1);
        let total = results.total();
        let absent: Vec<String> = results.filter(|o| !o.success).map(|o| o.task_id).collect();
        let present = total - absent.len() as u64;
        let msg = format!("{present} of {total} workers present");
        log::info(&msg);
        if present >= min_workers && absent.is_empty() {
            ProcessResult::success(msg)
        } else if absent.is_empty() {
            ProcessResult::failure(format!("{msg}; at least {min_workers} needed"))
        } else {
            ProcessResult::failure(format!("{msg}; failed: {}", absent.join(", ")))
        }
    }
}

wasmjob_sdk::export_broadcast!(RollCall);
