//! Built from `wit/processor.wit`, a frozen copy of the 0.1.0 contract.
//! Never update that copy: this guest stands for every component already
//! deployed when the contract grows.

wit_bindgen::generate!({ path: "wit", world: "wasmjob:processor/basic@0.1.0" });

use wasmjob::processor::host::{LogLevel, current_task, log};

struct Frozen;

impl Guest for Frozen {
    fn process() -> TaskResult {
        let task = current_task();
        log(LogLevel::Info, "built against wasmjob:processor@0.1.0");
        TaskResult { success: true, msg: format!("0.1.0 guest ran task {} with {}", task.task_id, task.job_params) }
    }
}

export!(Frozen);
