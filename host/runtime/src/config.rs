//! Runtime configuration: engine sizing, the compiled-code cache and the
//! default limits of every task.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// How a [`crate::Runtime`] is built.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RuntimeConfig {
    /// Directory for precompiled components (created with mode 0700; one
    /// another user owns or may write is refused).
    pub cache_dir: PathBuf,
    /// Pooling allocator sizing; `None` allocates instances on demand.
    pub pooling: Option<PoolingConfig>,
    /// How often the epoch advances: the granularity of deadlines and stop
    /// requests.
    #[serde(with = "millis")]
    pub epoch_tick: Duration,
    /// Limits applied to each task unless the caller gives others.
    pub task_limits: TaskLimits,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            cache_dir: default_cache_dir(),
            pooling: Some(PoolingConfig::default()),
            epoch_tick: Duration::from_millis(5),
            task_limits: TaskLimits::default(),
        }
    }
}

/// `$XDG_CACHE_HOME/wasmjob/compiled`, else `~/.cache/wasmjob/compiled`,
/// else `.wasmjob-cache/compiled` in the working directory — never the
/// system's shared temporary directory, where another user could prepare
/// the directory before this process (compiled code is loaded unchecked).
pub fn default_cache_dir() -> PathBuf {
    let var = |name| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    match (var("XDG_CACHE_HOME"), var("HOME")) {
        (Some(cache), _) => cache.join("wasmjob").join("compiled"),
        (None, Some(home)) => home.join(".cache").join("wasmjob").join("compiled"),
        (None, None) => PathBuf::from(".wasmjob-cache").join("compiled"),
    }
}

/// Sizing of wasmtime's pooling allocator: slots are reserved once and
/// reused, which makes instantiation a matter of microseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PoolingConfig {
    /// Component instances (tasks) that may run at once in this process.
    pub max_concurrent_tasks: u32,
    /// The largest linear memory any task may be given, in MiB; per-task
    /// limits above it are lowered to it.
    pub max_memory_mb: u64,
    /// Core instances one component may create (CPython-based components
    /// need a dozen or more).
    pub max_core_instances_per_component: u32,
    /// Table elements per table.
    pub table_elements: usize,
    /// Bytes of each linear memory (and table) zeroed in place when a task
    /// ends instead of handed back to the kernel: the next task in the
    /// slot then touches no fresh pages (page faults and the process-wide
    /// memory-map lock cost more than the memset). The rest is released.
    pub keep_resident_kb: usize,
}

impl Default for PoolingConfig {
    fn default() -> Self {
        Self {
            max_concurrent_tasks: 64,
            max_memory_mb: 1024,
            max_core_instances_per_component: 32,
            table_elements: 100_000,
            keep_resident_kb: 2048,
        }
    }
}

/// What one task may use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "kebab-case")]
pub struct TaskLimits {
    /// Linear memory across all of the task's memories, in bytes.
    pub memory_bytes: u64,
    /// Wall-clock time for one call; `None` for no limit.
    #[serde(with = "opt_millis")]
    pub timeout: Option<Duration>,
    /// Bytes of stdout and of stderr kept per task; the rest is dropped
    /// (the guest never notices).
    pub output_bytes: usize,
    /// Log lines accepted per task through the `log` import.
    pub log_lines: usize,
    /// Longest kept log line or result message, in bytes.
    pub message_bytes: usize,
    /// Subtasks one task may emit, over all its `emit-subtasks` calls.
    pub subtasks_per_task: usize,
    /// Largest subtask payload, in bytes.
    pub subtask_bytes: usize,
    /// Size of the workflow context, keys and values, in bytes.
    pub workflow_context_bytes: usize,
}

impl Default for TaskLimits {
    fn default() -> Self {
        Self {
            memory_bytes: 256 << 20,
            timeout: None,
            output_bytes: 64 << 10,
            log_lines: 10_000,
            message_bytes: 8192,
            subtasks_per_task: 1_000_000,
            subtask_bytes: 1 << 20,
            workflow_context_bytes: 8192,
        }
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

mod opt_millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&(d.as_millis() as u64)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}
