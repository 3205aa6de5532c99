//! MAP example: the root splits a range in `fanout` parts, and each part
//! splits again until parts hold at most `leaf` numbers; leaves sum theirs.
//! Params: `{"start":0,"end":1000,"fanout":4,"leaf":10}`.

use serde::{Deserialize, Serialize};
use wasmjob_sdk::{MapProcessor, ProcessResult, TaskContext, log};

#[derive(Deserialize)]
#[serde(default)]
struct Params {
    start: u64,
    end: u64,
    fanout: u64,
    leaf: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self { start: 0, end: 1000, fanout: 4, leaf: 10 }
    }
}

#[derive(Serialize, Deserialize)]
struct Range {
    start: u64,
    end: u64,
}

#[derive(Default)]
struct Splitter;

impl MapProcessor for Splitter {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        let params: Params = match ctx.params() {
            Ok(p) => p,
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        let range = match ctx.subtask::<Range>() {
            Ok(Some(r)) => r,
            Ok(None) => Range { start: params.start, end: params.end },
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        let len = range.end.saturating_sub(range.start);
        if len <= params.leaf.max(1) {
            let sum: u64 = (range.start..range.end).sum();
            return ProcessResult::success(format!("sum {}..{} = {sum}", range.start, range.end));
        }
        let fanout = params.fanout.clamp(2, 1024);
        let step = len.div_ceil(fanout);
        let parts = (0..fanout)
            .map(|i| Range { start: range.start + i * step, end: (range.start + (i + 1) * step).min(range.end) })
            .filter(|r| r.start < r.end);
        match ctx.map(parts, "RANGE") {
            Ok(()) => {
                log::debug(format!("task {} split {}..{}", ctx.task_id(), range.start, range.end));
                ProcessResult::success("split")
            }
            Err(e) => ProcessResult::failure(e.to_string()),
        }
    }
}

wasmjob_sdk::export_map!(Splitter);
