//! Values the messages carry.

use serde::{Deserialize, Serialize};
use std::fmt;
use wasmjob_vocab::ProcessorType;

/// A worker's machine, as HEALTH_FIRST and the job minimums read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// CPU cores.
    pub cpu_cores: f64,
    /// One-minute load average.
    pub load_average: f64,
    /// Memory in all, GB.
    pub memory_total_gb: f64,
    /// Memory available, GB.
    pub memory_available_gb: f64,
    /// Disk in all (of the worker's data directory), GB.
    pub disk_total_gb: f64,
    /// Disk available, GB.
    pub disk_available_gb: f64,
}

impl Metrics {
    /// Free CPU cores: cores less the load, never below zero.
    pub fn free_cpu_cores(&self) -> f64 {
        (self.cpu_cores - self.load_average).max(0.0)
    }

    /// PowerJob-style health score: more free memory, CPU and disk is
    /// better. Higher is healthier.
    pub fn health_score(&self) -> f64 {
        let memory = if self.memory_total_gb > 0.0 { self.memory_available_gb / self.memory_total_gb } else { 0.0 };
        let disk = if self.disk_total_gb > 0.0 { self.disk_available_gb / self.disk_total_gb } else { 0.0 };
        let cpu = if self.cpu_cores > 0.0 { self.free_cpu_cores() / self.cpu_cores } else { 0.0 };
        memory * 2.0 + cpu * 2.0 + disk
    }
}

/// What a worker can run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Processor kinds it runs, as job `processorType` names (`WASM`,
    /// `HTTP`, `SHELL`, ...).
    pub processor_types: Vec<String>,
    /// Tasks it runs at once.
    pub max_concurrent_tasks: u32,
    /// The wasm engine it runs components with.
    pub engine: String,
}

/// What runs an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProcessorSpec {
    /// A component version of a container.
    #[serde(rename_all = "camelCase")]
    Wasm {
        /// The container's name.
        container: String,
        /// The version's label.
        version: String,
        /// sha256 of the component, hex: fetch it from
        /// [`crate::ARTIFACT_PATH`]`{digest}`.
        digest: String,
        /// Its size in bytes.
        size: u64,
    },
    /// One of the official processors (`processorType` and its
    /// `processorInfo`).
    #[serde(rename_all = "camelCase")]
    Official {
        /// The job's `processorType` (never `WASM`).
        processor_type: ProcessorType,
        /// The job's `processorInfo`.
        processor_info: String,
    },
}

/// How often the processor runs within one instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunSchedule {
    /// Once (CRON, API, DAILY_TIME_INTERVAL, WORKFLOW).
    #[default]
    Once,
    /// Sub-runs every `interval_ms`, start to start, until stopped or
    /// `until` passes.
    #[serde(rename_all = "camelCase")]
    FixedRate {
        /// Milliseconds between starts.
        interval_ms: u64,
        /// No sub-run starts after this time (Unix ms).
        until: Option<i64>,
    },
    /// Sub-runs `interval_ms` after the previous one ended.
    #[serde(rename_all = "camelCase")]
    FixedDelay {
        /// Milliseconds from an end to the next start.
        interval_ms: u64,
        /// No sub-run starts after this time (Unix ms).
        until: Option<i64>,
    },
}

/// A status a worker reports for an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportedStatus {
    /// Received and started.
    Running,
    /// Ended in success.
    Succeed,
    /// Ended in failure.
    Failed,
    /// Ended because a stop was requested.
    Stopped,
}

impl ReportedStatus {
    /// Whether the instance ended.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Running)
    }
}

/// How the tasks of an instance stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaskTally {
    /// Tasks known (emitted so far, the root included).
    pub total: u64,
    /// Waiting for a worker.
    pub waiting: u64,
    /// Running on a worker.
    pub running: u64,
    /// Ended in success (after their retries).
    pub succeeded: u64,
    /// Ended in failure (after their retries).
    pub failed: u64,
}

/// The part one worker takes in an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkerShare {
    /// The worker's address.
    pub address: String,
    /// Whether it coordinates the instance.
    pub coordinator: bool,
    /// `ACTIVE` (running tasks), `LEFT` (done), `LOST` (it went away and
    /// its tasks went to others), `JOINING` (asked, not connected yet),
    /// `ABSENT` (never joined), `COORDINATING` (a PADDLING coordinator
    /// that runs no tasks).
    pub state: String,
    /// Its tasks running now.
    pub running: u64,
    /// Its tasks that succeeded.
    pub succeeded: u64,
    /// Its task attempts that failed (retries included).
    pub failed: u64,
}

/// The tasks and workers of a distributed instance (BROADCAST, MAP,
/// MAP_REDUCE), as its coordinator sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InstanceProgress {
    /// Task counts; absent for STANDALONE instances and before the first
    /// report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<TaskTally>,
    /// Every worker that takes part or was asked to, with its share of the
    /// tasks.
    #[serde(default)]
    pub workers: Vec<WorkerShare>,
}

/// The secret the workers of one attempt of a distributed instance share
/// (participants present it to the coordinator). Its `Debug` form hides
/// it, so it cannot reach a log line by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerToken(pub String);

impl PeerToken {
    /// Whether there is no token (an instance that runs on one worker).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PeerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "PeerToken(none)" } else { "PeerToken(<redacted>)" })
    }
}
