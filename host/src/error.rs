//! The host crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading or preparing a processor, or
/// that ends a [`crate::worker::Worker`].
/// Failures *of a task* are not errors: they are [`crate::TaskFailure`]s
/// in the task's [`crate::TaskRun`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not WebAssembly at all.
    #[error("not a WebAssembly file: it does not start with the `\\0asm` header")]
    NotWasm,
    /// A core module was given where a component is needed.
    #[error(
        "this is a core WebAssembly module, not a component: build it with \
         `cargo build --target wasm32-wasip2` or `cargo component build`"
    )]
    CoreModule,
    /// The component failed validation or compilation.
    #[error("invalid component: {0}")]
    Invalid(String),
    /// The component satisfies none of the processor worlds.
    #[error("the component satisfies no wasmjob processor world: {0}")]
    NoWorld(String),
    /// The component does not satisfy the world an execution kind needs.
    #[error("the component cannot run as {kind}: {reason}")]
    WrongWorld {
        /// The execution kind asked for.
        kind: wasmjob_vocab::ExecuteType,
        /// What is missing.
        reason: String,
    },
    /// The component imports something this host does not provide.
    #[error("the component needs an import this host does not provide: {0}")]
    UnsatisfiedImport(String),
    /// The engine could not be configured.
    #[error("cannot configure the wasm engine: {0}")]
    Engine(String),
    /// A component file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file of the compiled-code cache could not be read or written.
    #[error("compiled-code cache at {path}: {source}")]
    Cache {
        /// The file or directory at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
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

/// Renders a wasmtime error with its whole chain of causes on one line.
pub(crate) fn chain(error: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
