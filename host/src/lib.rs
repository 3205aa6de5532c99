//! The wasmjob worker host: loads processor components with wasmtime and
//! runs them as PowerJob-style tasks, sandboxed and in microseconds.
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
//!   guest author's inner loop (`wasmjob run-local`).
//! - [`official`] holds PowerJob's official processors (Shell, Python,
//!   HTTP, SQL, file cleanup, config, workflow-context injection), run
//!   like components through [`TaskProcessor`].
//! - [`distributed`] runs a BROADCAST, MAP or MAP_REDUCE instance over
//!   several workers: a coordinator with its tasks on disk, and runners.
//! - [`worker`] is the worker agent (`wasmjob worker`): it connects to a
//!   server over the worker link, runs the instances dispatched to it and
//!   reports their statuses and logs.
#![deny(missing_docs)]

mod bindings;
mod cache;
pub mod config;
pub mod distributed;
mod engine;
mod error;
mod inspect;
pub mod local;
mod logs;
pub mod official;
mod outcomes;
mod output;
pub mod private;
mod process_group;
mod processor;
mod runtime;
mod state;
mod task;
pub mod worker;

pub use cache::{LoadSource, content_digest};
pub use config::{PoolingConfig, RuntimeConfig, TaskLimits};
pub use error::{Error, Result};
pub use inspect::ComponentInfo;
pub use logs::{DiscardLogSink, LogLevel, LogRecord, LogSink, LogSource, TracingLogSink};
pub use outcomes::{OutcomeSource, TaskOutcome, VecOutcomes};
pub use process_group::ProcessGroup;
pub use processor::Processor;
pub use runtime::Runtime;
pub use task::{
    ROOT_TASK_ID, ROOT_TASK_NAME, SubtaskBatch, SubtaskSink, TaskCall, TaskControl, TaskFailure, TaskProcessor,
    TaskRequest, TaskResult, TaskRun, TaskSpec,
};
