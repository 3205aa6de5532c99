//! Misbehaving guest: panics, so the instance ends in a trap.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext};

#[derive(Default)]
struct Crash;

impl BasicProcessor for Crash {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        panic!("deliberate failure in task {}", ctx.task_id());
    }
}

wasmjob_sdk::export_basic!(Crash);
