//! STANDALONE example: works (spinning, so a stop or a time limit still
//! interrupts it) for the `ms` milliseconds its parameters ask, then
//! answers `slow-echo: <params>`. Tests deploy it next to `standalone`
//! (which answers `echo: <params>`) to see which version ran.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Default)]
struct SlowEcho;

impl BasicProcessor for SlowEcho {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        let params = match ctx.params_json() {
            Ok(params) => params,
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        let ms = params.get("ms").and_then(serde_json::Value::as_u64).unwrap_or(0).min(600_000);
        log::info(format!("slow-echo: working for {ms} ms"));
        let started = std::time::Instant::now();
        let mut n: u64 = 0;
        while started.elapsed().as_millis() < u128::from(ms) {
            n = std::hint::black_box(n.wrapping_add(1));
        }
        ProcessResult::success(format!("slow-echo: {params}"))
    }
}

wasmjob_sdk::export_basic!(SlowEcho);
