//! The wasmjob guest SDK: write job processors as WebAssembly components.
//!
//! A processor is a type implementing one of four traits — the same four
//! PowerJob offers — and exported with the matching macro:
//!
//! | execution kind | trait | macro |
//! |---|---|---|
//! | STANDALONE | [`BasicProcessor`] | [`export_basic!`] |
//! | BROADCAST | [`BroadcastProcessor`] | [`export_broadcast!`] |
//! | MAP | [`MapProcessor`] | [`export_map!`] |
//! | MAP_REDUCE | [`MapReduceProcessor`] | [`export_map_reduce!`] |
//!
//! Every call receives a [`TaskContext`]: ids, parameters (parsed with
//! serde, instance parameters overriding job parameters), the subtask
//! payload, [`TaskContext::map`] to emit subtasks, and the
//! [`WorkflowContext`]. [`log`] writes to the instance's online log. A call
//! returns a [`ProcessResult`]; reduce and post-process read every task's
//! [`TaskOutcome`] through the [`TaskResults`] iterator.
//!
//! Build with `cargo build --release --target wasm32-wasip2` or
//! `cargo component build --release`; see the README beside this crate.
#![deny(missing_docs)]

#[doc(hidden)]
pub mod bindings;
mod context;
pub mod log;
mod macros;
mod processor;
mod result;
mod results;
mod workflow;

pub use context::{DecodeError, MAP_CHUNK, MapError, ROOT_TASK_NAME, TaskContext};
pub use processor::{BasicProcessor, BroadcastProcessor, MapProcessor, MapReduceProcessor};
pub use result::ProcessResult;
pub use results::{TaskOutcome, TaskResults};
pub use workflow::WorkflowContext;

/// Glue used by the export macros; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::bindings;
    pub use crate::processor::glue;
}

/// The guide's code blocks compile as doctests, so the guide cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct GuideDoctests;
