//! Misbehaving guest: allocates (and touches) 1 MiB at a time until the
//! host's memory limit stops it.

use wasmjob_sdk::{BasicProcessor, ProcessResult, TaskContext, log};

#[derive(Default)]
struct Hog;

impl BasicProcessor for Hog {
    fn process(&self, _ctx: &TaskContext) -> ProcessResult {
        log::info("allocating without bound");
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![0xAB; 1 << 20]);
            std::hint::black_box(&hoard);
        }
    }
}

wasmjob_sdk::export_basic!(Hog);
