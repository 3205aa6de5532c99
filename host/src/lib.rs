//! The wasmjob worker agent (`wasmjob worker`): it connects to a server
//! over the worker link, runs the instances dispatched to it on the
//! runtime (`wasmjob-runtime`) and the official processors
//! (`wasmjob-official`), and reports their statuses and logs.
//!
//! - [`worker`] is the agent: the link to the server, the artifacts it
//!   fetches and caches, the instances it runs, the peer link between
//!   workers.
//! - [`distributed`] runs a BROADCAST, MAP or MAP_REDUCE instance over
//!   several workers: a coordinator with its tasks on disk, and runners.
#![deny(missing_docs)]

pub mod distributed;
mod error;
pub mod worker;

pub use error::{Error, Result};
