//! STANDALONE example: logs and echoes its parameters.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Default)]
struct Echo;

impl BasicProcessor for Echo {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        log::info(format!(
            "job {} instance {}: job params {:?}, instance params {:?}",
            ctx.job_id(),
            ctx.instance_id(),
            ctx.job_params(),
            ctx.instance_params()
        ));
        match ctx.params_json() {
            Ok(params) => ProcessResult::success(format!("echo: {params}")),
            Err(e) => ProcessResult::failure(e.to_string()),
        }
    }
}

wasmjob_sdk::export_basic!(Echo);
