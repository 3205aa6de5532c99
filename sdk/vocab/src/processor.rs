//! What runs a job: a WebAssembly component or one of the official
//! processors.

use crate::word::word;
use serde::{Deserialize, Serialize};

/// What runs a job (PowerJob's `ProcessorType`, with the official
/// processors as kinds of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProcessorType {
    /// A WebAssembly component; `processorInfo` is `container[@version]`.
    Wasm,
    /// A shell script (workers that opt in only).
    Shell,
    /// A Python script (workers that opt in only).
    Python,
    /// An HTTP request.
    Http,
    /// A SQL statement on a worker's datasource.
    Sql,
    /// Deletes old files on every worker.
    FileCleanup,
    /// Pushes a configuration to every worker.
    Config,
    /// Appends to the workflow context.
    InjectWorkflowContext,
}

word!(ProcessorType, "processor type", [Wasm, Shell, Python, Http, Sql, FileCleanup, Config, InjectWorkflowContext]);

impl ProcessorType {
    /// Whether this is one of the official processors (run by the worker
    /// host itself, not a component).
    pub fn is_official(self) -> bool {
        !matches!(self, Self::Wasm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Word;

    #[test]
    fn names_round_trip() {
        crate::word::tests::round_trips::<ProcessorType>();
        assert_eq!(ProcessorType::InjectWorkflowContext.name(), "INJECT_WORKFLOW_CONTEXT");
        assert_eq!(ProcessorType::FileCleanup.flag(), "file-cleanup");
    }
}
