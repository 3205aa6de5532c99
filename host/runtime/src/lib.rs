//! The wasmjob runtime core: loads processor components with wasmtime and
//! runs them as PowerJob-style tasks, sandboxed and in microseconds.
//!
//! This crate is the bottom of the host side: the worker agent
//! (`wasmjob-host`), the official processors (`wasmjob-official`), the
//! server (which inspects uploaded components) and `wasmjob run-local`
//! build on it, and it knows nothing of them.
//!
//! - [`Runtime`] (`runtime`) owns the process's one engine, its linker and
//!   the compiled-code cache (`cache`), and turns component bytes into a
//!   [`Processor`] (`processor`): validated (`inspect` names the worlds it
//!   satisfies), compiled once, pre-instantiated once.
//! - [`Processor::run`] runs one task from a [`TaskRequest`] (`task`): a fresh
//!   store whose data (`state`) implements the `wasmjob:processor` host
//!   interface (`bindings`), WASI with nothing granted, stdout/stderr
//!   captured and truncated (`output`), a memory cap and an epoch deadline
//!   (`engine`).
//! - Reduce and post-process read outcomes through an [`OutcomeSource`]
//!   (`outcomes`); logs go to a [`LogSink`] (`logs`).
//! - [`local`] runs a whole instance of any kind in one process — the
//!   guest author's inner loop (`wasmjob run-local`) and the runners of a
//!   distributed instance.
//! - [`private`] creates files and directories only their owner can read;
//!   [`ProcessGroup`] ends every process a task or a build started.
#![deny(missing_docs)]

mod bindings;
mod cache;
pub mod config;
mod engine;
mod error;
mod inspect;
pub mod local;
mod logs;
mod outcomes;
mod output;
pub mod private;
mod process_group;
mod processor;
mod runtime;
mod state;
mod task;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cache::{LoadSource, content_digest};
pub use config::{PoolingConfig, RuntimeConfig, TaskLimits};
pub use error::{Error, Result, error_chain};
pub use inspect::ComponentInfo;
pub use logs::{DiscardLogSink, LogLevel, LogRecord, LogSink, LogSource, TracingLogSink, truncate};
pub use outcomes::{OutcomeSource, TaskOutcome, VecOutcomes};
pub use process_group::ProcessGroup;
pub use processor::Processor;
pub use runtime::Runtime;
pub use task::{
    ROOT_TASK_ID, ROOT_TASK_NAME, SubtaskBatch, SubtaskSink, TaskCall, TaskControl, TaskFailure, TaskProcessor,
    TaskRequest, TaskResult, TaskRun, TaskSpec,
};
