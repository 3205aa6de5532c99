//! Validating an upload with the worker's own runtime: the bytes must be
//! a component that satisfies at least one processor world and imports
//! nothing a worker does not provide. One runtime per server, built on
//! first use; compiling runs on tokio's blocking pool.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;
use wasmjob_host::{ComponentInfo, Runtime, RuntimeConfig};

/// Why an upload was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The bytes are not a usable processor; the message says why.
    #[error("{0}")]
    Rejected(String),
    /// The runtime itself failed (its cache, its engine): not the
    /// uploader's fault.
    #[error("cannot inspect the component: {0}")]
    Failed(String),
}

/// Inspects uploaded components.
#[derive(Debug)]
pub struct Inspector {
    config: RuntimeConfig,
    runtime: OnceCell<Arc<Runtime>>,
}

impl Inspector {
    /// An inspector whose compiled components are cached in `cache_dir`
    /// (workers then find them compiled when they share it).
    pub fn new(cache_dir: PathBuf) -> Self {
        // No pooling: nothing runs here, instances are never created. The
        // epoch only matters to running tasks: tick rarely.
        let config = RuntimeConfig {
            cache_dir,
            pooling: None,
            epoch_tick: Duration::from_millis(500),
            ..RuntimeConfig::default()
        };
        Self { config, runtime: OnceCell::new() }
    }

    /// What `bytes` are, or why they are no processor.
    pub async fn inspect(&self, bytes: Vec<u8>) -> Result<ComponentInfo, InspectError> {
        let runtime = self
            .runtime
            .get_or_try_init(|| async {
                let config = self.config.clone();
                tokio::task::spawn_blocking(move || Runtime::new(config).map(Arc::new))
                    .await
                    .map_err(|e| InspectError::Failed(e.to_string()))?
                    .map_err(|e| InspectError::Failed(e.to_string()))
            })
            .await?;
        match runtime.load_blocking(bytes).await {
            Ok(processor) => Ok(processor.info().clone()),
            Err(error) => Err(classify(error)),
        }
    }
}

fn classify(error: wasmjob_host::Error) -> InspectError {
    use wasmjob_host::Error;
    match error {
        Error::NotWasm
        | Error::CoreModule
        | Error::Invalid(_)
        | Error::NoWorld(_)
        | Error::WrongWorld { .. }
        | Error::UnsatisfiedImport(_) => InspectError::Rejected(error.to_string()),
        // Engine, cache and read failures, and the worker's own errors, are
        // the server's problem, not the upload's.
        _ => InspectError::Failed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_is_no_component_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let inspector = Inspector::new(dir.path().join("compiled"));
        let garbage = inspector.inspect(b"hello".to_vec()).await.unwrap_err();
        assert!(matches!(&garbage, InspectError::Rejected(m) if m.contains("not a WebAssembly file")), "{garbage}");
        let module = inspector.inspect(b"\0asm\x01\0\0\0".to_vec()).await.unwrap_err();
        assert!(matches!(&module, InspectError::Rejected(m) if m.contains("core WebAssembly module")), "{module}");
    }
}
