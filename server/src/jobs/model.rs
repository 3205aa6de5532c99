//! A job as the API reads and writes it, with PowerJob's fields and names
//! (camelCase JSON, enums as names).

use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
pub use wasmjob_vocab::{ExecuteType, LogLevel, ProcessorType, TimeExpressionType};

/// How workers are picked (PowerJob's `DispatchStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DispatchStrategy {
    /// The least loaded worker first.
    #[default]
    HealthFirst,
    /// Any eligible worker.
    Random,
    /// The workers named by `dispatchStrategyConfig`.
    Specify,
}

/// Whether the coordinating worker of a BROADCAST, MAP or MAP_REDUCE
/// instance runs tasks itself (PowerJob's TaskTracker behaviour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskTrackerBehavior {
    /// The coordinator runs tasks like every other worker of the instance.
    #[default]
    Normal,
    /// The coordinator only coordinates (and reduces), while another
    /// worker takes part.
    Paddling,
}

/// When a job may fire, in Unix milliseconds; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Not before this time.
    #[serde(default)]
    pub start: Option<i64>,
    /// Not after this time.
    #[serde(default)]
    pub end: Option<i64>,
}

// Unbounded `u32` fields below say `value_type = u64` with the `u32`
// maximum: utoipa writes a `u32` as `int32`, whose range ends at 2^31 - 1,
// while the server takes up to 2^32 - 1.

/// Who is told when instances fail, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct AlarmConfig {
    /// Receivers (user names, e-mail addresses or webhook names), at most 100.
    #[schema(max_items = 100)]
    pub receivers: Vec<String>,
    /// Failures within the statistic window before an alarm (0: every failure).
    #[schema(value_type = u64, maximum = 4_294_967_295_u64)]
    pub alert_threshold: u32,
    /// The window failures are counted in, in seconds.
    #[schema(value_type = u64, maximum = 4_294_967_295_u64)]
    pub statistic_window_len: u32,
    /// Quiet time after an alarm, in seconds.
    #[schema(value_type = u64, maximum = 4_294_967_295_u64)]
    pub silence_window_len: u32,
}

/// Where instance logs go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LogType {
    /// Shipped to the server: the online log.
    #[default]
    Online,
    /// Kept on the worker.
    Local,
    /// Printed by the worker.
    Stdout,
    /// Dropped.
    Null,
}

/// Log settings of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Destination.
    #[serde(rename = "type")]
    pub kind: LogType,
    /// Lowest level kept.
    pub level: LogLevel,
}

fn yes() -> bool {
    true
}

fn five() -> u32 {
    5
}

fn one() -> u32 {
    1
}

fn unit_backoff() -> f64 {
    1.0
}

/// What to do with a trigger whose time passed while no server fired it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MisfirePolicy {
    /// Fire the overdue trigger once, now; skip the ones missed in between.
    #[default]
    FireOnceNow,
    /// Skip overdue triggers; wait for the next one.
    Skip,
}

/// Everything that defines a job: the body of create, update and import,
/// and what export returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JobSpec {
    /// Name, 1 to 255 characters.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub name: String,
    /// Free text.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// Parameters handed to every instance (often JSON).
    #[serde(default)]
    #[schema(max_length = 65536)]
    pub job_params: String,
    /// A label for filtering.
    #[serde(default)]
    #[schema(max_length = 255)]
    pub tag: String,
    /// Free-form extra data.
    #[serde(default)]
    #[schema(max_length = 65536)]
    pub extra: String,
    /// Whether the schedule is active.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How the job is triggered.
    pub time_expression_type: TimeExpressionType,
    /// CRON expression, interval in milliseconds, or daily-interval JSON;
    /// empty for API and WORKFLOW.
    #[serde(default)]
    pub time_expression: String,
    /// IANA time zone of the CRON expression; empty for the server's.
    #[serde(default)]
    pub time_zone: String,
    /// When the job may fire.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// How the work is spread.
    pub execute_type: ExecuteType,
    /// What runs it.
    pub processor_type: ProcessorType,
    /// For WASM: `container` or `container@version`.
    #[serde(default)]
    pub processor_info: String,
    /// Instances running at once (0: unlimited).
    #[serde(default)]
    #[schema(value_type = u64, maximum = 4_294_967_295_u64)]
    pub max_instance_num: u32,
    /// Tasks per worker at once (1..=1000).
    #[serde(default = "five")]
    #[schema(minimum = 1, maximum = 1000)]
    pub concurrency: u32,
    /// Instance time limit in milliseconds (0: none).
    #[serde(default)]
    pub instance_time_limit: u64,
    /// Retries of a failed instance (0..=100).
    #[serde(default)]
    #[schema(maximum = 100)]
    pub instance_retry_num: u32,
    /// Milliseconds before a failed instance is retried (0: at once).
    #[serde(default)]
    #[schema(maximum = 86_400_000)]
    pub instance_retry_interval: u64,
    /// Each further retry waits this many times longer than the one
    /// before (1 to 10; 1 keeps the interval fixed).
    #[serde(default = "unit_backoff")]
    #[schema(minimum = 1.0, maximum = 10.0)]
    pub instance_retry_backoff: f64,
    /// What to do with a CRON or daily-interval trigger missed while no
    /// server was running.
    #[serde(default)]
    pub misfire_policy: MisfirePolicy,
    /// Retries of a failed task (0..=100).
    #[serde(default = "one")]
    #[schema(maximum = 100)]
    pub task_retry_num: u32,
    /// Minimum free CPU cores of a worker.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1_000_000.0)]
    pub min_cpu_cores: f64,
    /// Minimum free memory of a worker, in GB.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1_000_000.0)]
    pub min_memory_space: f64,
    /// Minimum free disk of a worker, in GB.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1_000_000.0)]
    pub min_disk_space: f64,
    /// Worker addresses or tags the job may run on (empty: any).
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub designated_workers: Vec<String>,
    /// Workers taking part at most (0: unlimited).
    #[serde(default)]
    #[schema(value_type = u64, maximum = 4_294_967_295_u64)]
    pub max_worker_count: u32,
    /// Whether the coordinator of a BROADCAST, MAP or MAP_REDUCE instance
    /// runs tasks itself.
    #[serde(default)]
    pub task_tracker_behavior: TaskTrackerBehavior,
    /// MAP_REDUCE: fail the instance without calling reduce when a task
    /// failed (by default reduce runs and sees the failures).
    #[serde(default)]
    pub skip_reduce_on_failure: bool,
    /// How workers are picked.
    #[serde(default)]
    pub dispatch_strategy: DispatchStrategy,
    /// Settings of the strategy (SPECIFY: the workers).
    #[serde(default)]
    #[schema(max_length = 65536)]
    pub dispatch_strategy_config: String,
    /// Failure alarms.
    #[serde(default)]
    pub alarm_config: AlarmConfig,
    /// Online log settings.
    #[serde(default)]
    pub log_config: LogConfig,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The app it belongs to.
    #[schema(value_type = String)]
    pub app_id: Id,
    /// Its definition.
    #[serde(flatten)]
    pub spec: JobSpec,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last change, Unix milliseconds.
    pub updated_at: i64,
}

/// A page of jobs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    /// The jobs of this page.
    pub items: Vec<Job>,
    /// Jobs matching the filters, over all pages.
    pub total: i64,
    /// This page's number, from 0.
    pub page: u32,
    /// Page size.
    pub size: u32,
}

/// Names of enum values as stored.
pub(crate) fn name_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// An enum value from its stored name.
pub(crate) fn from_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}
