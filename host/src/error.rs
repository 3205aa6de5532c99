//! What ends a worker, or keeps it from starting.

use std::path::PathBuf;

/// Everything that ends a [`crate::worker::Worker`] or keeps it from
/// starting. Failures *of a task* are not errors: they are the task's
/// outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime could not be prepared, or a component loaded.
    #[error(transparent)]
    Runtime(#[from] wasmjob_runtime::Error),
    /// The official processors' settings cannot work.
    #[error(transparent)]
    Official(#[from] wasmjob_official::ConfigError),
    /// The worker could not log in to the server.
    #[error("cannot log in: {0}")]
    Login(String),
    /// The worker link failed for good (the server refused the worker).
    #[error("worker link: {0}")]
    Link(String),
    /// The worker's configuration cannot work.
    #[error("invalid worker configuration: {0}")]
    WorkerConfig(String),
    /// The worker's data directory could not be prepared.
    #[error("worker data directory {path}: {source}")]
    DataDir {
        /// The directory or file at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
