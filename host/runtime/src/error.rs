//! The runtime's error type.

use std::path::PathBuf;

/// Everything that can go wrong while preparing the runtime or loading a
/// processor.
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
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Renders a wasmtime error with its whole chain of causes on one line.
pub(crate) fn chain(error: &wasmtime::Error) -> String {
    error_chain(error.as_ref())
}

/// An error and its causes on one line (reqwest's own message is terse).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}
