//! {{name}}: a STANDALONE processor. One task per instance, run on one
//! worker; it greets whoever the params name.
//!
//! Params (the job's, with the instance's laid over them):
//! `{"name":"world","shout":false}`.

use serde::Deserialize;
use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

/// The job's params; missing fields take their defaults.
#[derive(Deserialize)]
#[serde(default)]
struct Params {
    name: String,
    shout: bool,
}

impl Default for Params {
    fn default() -> Self {
        Self { name: "world".into(), shout: false }
    }
}

/// The processor. A new value is made for every call: keep no state in it.
#[derive(Default)]
struct Greeter;

impl BasicProcessor for Greeter {
    fn process(&self, ctx: &TaskContext) -> ProcessResult {
        let params: Params = match ctx.params() {
            Ok(params) => params,
            Err(e) => return ProcessResult::failure(e.to_string()),
        };
        log::info(format!("job {} instance {}: greeting {}", ctx.job_id(), ctx.instance_id(), params.name));
        let greeting = format!("hello, {}", params.name);
        if params.shout { ProcessResult::success(greeting.to_uppercase()) } else { ProcessResult::success(greeting) }
    }
}

wasmjob_sdk::export_basic!(Greeter);
