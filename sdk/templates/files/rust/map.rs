//! {{name}}: a MAP processor. The root task splits the numbers
//! `[0, end)` into batches and emits one subtask per batch; each subtask
//! counts the primes in its batch. The instance succeeds when every task
//! did.
//!
//! Params: `{"end":1000,"batchSize":100}`.

use serde::{Deserialize, Serialize};
use wasmjob_sdk::{MapProcessor, ProcessResult, TaskContext, log};

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

/// The processor. A new value is made for every call: keep no state in it.
#[derive(Default)]
struct PrimeCounter;

impl MapProcessor for PrimeCounter {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        run(ctx).into()
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
    let primes = (batch.start..batch.end).filter(|&n| is_prime(n)).count();
    Ok(format!("{primes} primes in [{}, {})", batch.start, batch.end))
}

/// Trial division: slow on purpose, a stand-in for real work.
fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
}

wasmjob_sdk::export_map!(PrimeCounter);
