//! Shared helpers: one runtime per test binary with a cache shared by
//! every test run, guest artifacts, and a log sink that keeps lines.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use wasmjob_runtime::local::LocalInstance;
pub use wasmjob_runtime::testing::KeptLogs;
use wasmjob_runtime::{Processor, Runtime, RuntimeConfig, TaskControl, TaskLimits};
use wasmjob_vocab::ExecuteType;

/// The directory `guest-examples/build.sh` writes to.
pub fn dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guest-examples/dist")
}

/// The bytes of a built guest example.
pub fn guest_bytes(name: &str) -> Vec<u8> {
    let path = dist_dir().join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; build the guest examples first with guest-examples/build.sh", path.display())
    })
}

/// Compiled code is cached under `target/` so debug-built cranelift
/// compiles each guest once per machine, not once per test run.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/wasmjob-test-cache")
}

/// The runtime shared by the tests of this binary.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let config = RuntimeConfig { cache_dir: cache_dir(), ..RuntimeConfig::default() };
        Runtime::new(config).expect("runtime")
    })
}

/// Loads a guest example.
pub fn processor(name: &str) -> Arc<Processor> {
    runtime().load(&guest_bytes(name)).unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// A local instance of `kind` with the given parameters, logging into
/// `logs`.
pub fn instance(kind: ExecuteType, params: &str, logs: Arc<KeptLogs>) -> LocalInstance {
    LocalInstance {
        job_id: 1,
        instance_id: 1,
        kind,
        workers: 2,
        job_params: params.to_string(),
        instance_params: String::new(),
        workflow_context: Vec::new(),
        task_retry: 0,
        limits: TaskLimits::default(),
        control: TaskControl::new(),
        log: logs,
    }
}
