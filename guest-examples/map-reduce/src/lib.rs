//! MAP_REDUCE example after PowerJob's `MapReduceProcessorDemo`: the root
//! splits `num` ids into batches of `batchSize`; each batch succeeds with
//! probability `successRate`%, after `sleepMs` milliseconds of waiting
//! (0 by default: tiny work); reduce counts what happened.
//! Params: `{"num":100000,"batchSize":100,"successRate":80,"sleepMs":0}`.

use serde::{Deserialize, Serialize};
use wasmjob_sdk::{MapReduceProcessor, ProcessResult, TaskContext, TaskResults, log};

#[derive(Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Params {
    num: u64,
    batch_size: u64,
    success_rate: u32,
    sleep_ms: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self { num: 1000, batch_size: 100, success_rate: 100, sleep_ms: 0 }
    }
}

/// One batch of ids: `[first, first + count)`.
#[derive(Serialize, Deserialize)]
struct Batch {
    first: u64,
    count: u64,
}

#[derive(Default)]
struct BatchDemo;

impl MapReduceProcessor for BatchDemo {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        let params: Params = match ctx.params() {
            Ok(p) => p,
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        if ctx.is_root() {
            let batch_size = params.batch_size.max(1);
            let batches = (0..params.num.div_ceil(batch_size))
                .map(|i| Batch { first: i * batch_size, count: batch_size.min(params.num - i * batch_size) });
            return match ctx.map(batches, "BATCH") {
                Ok(()) => {
                    log::info(format!("root split {} ids into batches of {batch_size}", params.num));
                    ProcessResult::success("mapped")
                }
                Err(e) => ProcessResult::failure(e.to_string()),
            };
        }
        let batch: Batch = match ctx.subtask() {
            Ok(Some(b)) => b,
            Ok(None) => return ProcessResult::failure("a subtask without a payload"),
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        if params.sleep_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(params.sleep_ms));
        }
        let roll = random_percent();
        if roll < params.success_rate {
            ProcessResult::success(format!("processed {} ids from {}", batch.count, batch.first))
        } else {
            ProcessResult::failure(format!("batch from {} failed (roll {roll})", batch.first))
        }
    }

    fn reduce(&self, _ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult {
        let (mut succeeded, mut failed) = (0u64, 0u64);
        let mut root_failure = None;
        for outcome in results {
            if outcome.task_id == "0" {
                if !outcome.success {
                    root_failure = Some(outcome.msg);
                }
            } else if outcome.success {
                succeeded += 1;
            } else {
                failed += 1;
            }
        }
        if let Some(msg) = root_failure {
            return ProcessResult::failure(format!("the root task failed: {msg}"));
        }
        let msg = format!("{{\"succeeded\":{succeeded},\"failed\":{failed}}}");
        log::info(format!("reduce: {msg}"));
        ProcessResult { success: failed == 0, msg }
    }
}

/// A number in 0..100 drawn from the host's entropy: std seeds
/// `RandomState` from WASI's random source.
fn random_percent() -> u32 {
    use std::hash::BuildHasher;
    (std::collections::hash_map::RandomState::new().hash_one(0u8) % 100) as u32
}

wasmjob_sdk::export_map_reduce!(BatchDemo);
