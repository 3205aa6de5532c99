//! CONFIG (broadcast): the parameters, a JSON object, become this
//! worker's pushed configuration — kept in memory for other processors
//! and, when the worker names a file, written there (atomically).

use super::{Ended, Official, Outcome, Run, Task};
use serde_json::{Map, Value};
use wasmjob_runtime::{LogLevel, LogSource};

const EXAMPLE: &str = r#"{"featureX":true,"batch":100}"#;

/// Checks parameters without running anything: a JSON object.
pub(crate) fn check(params: &str) -> Result<(), String> {
    super::params::json::<Map<String, Value>>(params, EXAMPLE).map(|_| ())
}
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// The configuration the last CONFIG job pushed to this worker.
#[derive(Debug, Clone)]
pub struct PushedConfig {
    current: Arc<RwLock<Option<Map<String, Value>>>>,
    file: Option<PathBuf>,
}

impl PushedConfig {
    pub(crate) fn new(file: Option<PathBuf>) -> Self {
        Self { current: Arc::default(), file }
    }

    /// The configuration, if one was pushed.
    pub fn get(&self) -> Option<Map<String, Value>> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, config: Map<String, Value>) -> Result<Option<&PathBuf>, String> {
        if let Some(file) = &self.file {
            let text = serde_json::to_vec_pretty(&config).map_err(|e| e.to_string())?;
            let tmp = file.with_extension(format!("tmp-{}", std::process::id()));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, file))
                .map_err(|e| format!("cannot write the configuration to {}: {e}", file.display()))?;
        }
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(config);
        Ok(self.file.as_ref())
    }
}

/// The CONFIG processor.
#[derive(Debug)]
pub(crate) struct Push {
    pushed: PushedConfig,
}

impl Push {
    pub(crate) fn new(pushed: PushedConfig) -> Self {
        Self { pushed }
    }

    fn apply(&self, task: &Task<'_>) -> Outcome {
        let config: Map<String, Value> = super::params::json(task.params, EXAMPLE)?;
        let keys = config.len();
        let written = self.pushed.set(config)?;
        let msg = match written {
            Some(file) => format!("kept a configuration of {keys} keys, written to {}", file.display()),
            None => format!("kept a configuration of {keys} keys"),
        };
        task.log(LogLevel::Info, LogSource::Host, &msg);
        Ok(Ended::new(true, msg))
    }
}

impl Official for Push {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(async move { self.apply(task) })
    }
}
