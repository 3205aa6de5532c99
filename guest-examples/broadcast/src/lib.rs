//! BROADCAST example: every worker reports in, post-process counts them.

use wasmjob_sdk::{BroadcastProcessor, ProcessResult, TaskContext, TaskResults, log};

#[derive(Default)]
struct RollCall;

impl BroadcastProcessor for RollCall {
    fn pre_process(&self, ctx: &TaskContext) -> ProcessResult {
        log::info(format!("instance {}: preparing the broadcast", ctx.instance_id()));
        ProcessResult::success("prepared")
    }

    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        log::info(format!("task {} reporting", ctx.task_id()));
        ProcessResult::success(format!("task {} done", ctx.task_id()))
    }

    fn post_process(&self, _ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult {
        let total = results.total();
        let failed: Vec<String> = results.filter(|o| !o.success).map(|o| o.task_id).collect();
        let msg = format!("{} of {total} workers succeeded", total - failed.len() as u64);
        log::info(&msg);
        if failed.is_empty() {
            ProcessResult::success(msg)
        } else {
            ProcessResult::failure(format!("{msg}; failed: {}", failed.join(", ")))
        }
    }
}

wasmjob_sdk::export_broadcast!(RollCall);
