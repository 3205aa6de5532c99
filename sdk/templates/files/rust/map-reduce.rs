//! {{name}}: a MAP_REDUCE processor. The root task splits the numbers
//! `[0, end)` into batches and emits one subtask per batch; each subtask
//! counts the primes in its batch; `reduce` adds the counts up.
//!
//! Params: `{"end":1000,"batchSize":100}`. The instance's result is
//! `{"primes":168,"batches":10,"failed":0}`.

use serde::{Deserialize, Serialize};
use wasmjob_sdk::{MapReduceProcessor, ProcessResult, TaskContext, TaskResults, log};

/// The job's params; missing fields take their defaults.
#[derive(Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Params {
    end: u64,
    batch_size: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self { end: 1000, batch_size: 100 }
    }
}

/// One subtask's payload: the numbers `[start, end)`.
#[derive(Serialize, Deserialize)]
struct Batch {
    start: u64,
    end: u64,
}

/// What a subtask returns, as its message (JSON), for `reduce`.
#[derive(Serialize, Deserialize)]
struct Count {
    primes: u64,
}

/// The processor. A new value is made for every call: keep no state in it.
#[derive(Default)]
struct PrimeCounter;

impl MapReduceProcessor for PrimeCounter {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        run(ctx).into()
    }

    fn reduce(&self, _ctx: &TaskContext, results: TaskResults<'_>) -> ProcessResult {
        let (mut primes, mut batches, mut failed) = (0u64, 0u64, 0u64);
        // Every task's outcome, the root's ("0") included: a root that
        // failed (bad params, say) emitted nothing.
        for outcome in results {
            if outcome.task_id == "0" {
                if !outcome.success {
                    return ProcessResult::failure(format!("the root failed: {}", outcome.msg));
                }
                continue;
            }
            match outcome.msg_json::<Count>() {
                Ok(count) if outcome.success => {
                    primes += count.primes;
                    batches += 1;
                }
                _ => failed += 1,
            }
        }
        let msg = format!(r#"{{"primes":{primes},"batches":{batches},"failed":{failed}}}"#);
        log::info(format!("reduce: {msg}"));
        ProcessResult { success: failed == 0, msg }
    }
}

/// The root splits, every other task counts; `?` turns errors into
/// failures.
fn run(ctx: &TaskContext) -> Result<String, Box<dyn std::error::Error>> {
    if ctx.is_root() {
        let params: Params = ctx.params()?;
        let size = params.batch_size.max(1);
        let batches =
            (0..params.end.div_ceil(size)).map(|i| Batch { start: i * size, end: ((i + 1) * size).min(params.end) });
        ctx.map(batches, "BATCH")?;
        log::info(format!("split [0, {}) into batches of {size}", params.end));
        return Ok("split".into());
    }
    let batch: Batch = ctx.subtask()?.ok_or("a subtask without a payload")?;
    let primes = (batch.start..batch.end).filter(|&n| is_prime(n)).count() as u64;
    Ok(serde_json::to_string(&Count { primes })?)
}

/// Trial division: slow on purpose, a stand-in for real work.
fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
}

wasmjob_sdk::export_map_reduce!(PrimeCounter);
