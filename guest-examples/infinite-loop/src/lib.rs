//! Misbehaving guest: spins forever. The host must stop it at its deadline.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Default)]
struct Spin;

impl BasicProcessor for Spin {
    fn process(&self, _ctx: &TaskContext) -> ProcessResult {
        log::info("entering an endless loop");
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

wasmjob_sdk::export_basic!(Spin);
