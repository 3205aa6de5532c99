//! The frames of the worker link.

use crate::model::{Capabilities, InstanceProgress, Metrics, PeerToken, ProcessorSpec, ReportedStatus, RunSchedule};
use serde::{Deserialize, Serialize};
use wasmjob_vocab::{ExecuteType, LogLevel};

/// A frame from a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkerMessage {
    /// The first frame: who the worker is.
    Register(Register),
    /// Liveness, metrics and what runs.
    Heartbeat(Heartbeat),
    /// An instance's status changed.
    Status(StatusReport),
    /// A FIXED_RATE / FIXED_DELAY sub-run ended.
    SubRun(SubRunReport),
    /// Log lines of instances.
    Logs(LogBatch),
    /// How the tasks of a distributed instance stand (from its coordinator).
    Progress(ProgressReport),
    /// How an artifact the worker prefetches or loaded stands.
    Artifact(crate::ArtifactReport),
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerMessage {
    /// Registration accepted.
    Welcome(Welcome),
    /// Run an instance.
    Dispatch(Box<Dispatch>),
    /// Stop an instance.
    Stop(Stop),
    /// Take part in an instance another worker coordinates.
    Join(Box<Join>),
    /// Fetch and precompile artifacts ahead of use; drop cached ones no
    /// longer usable.
    Prefetch(crate::Prefetch),
    /// The link is refused or broken; the message says why.
    #[serde(rename_all = "camelCase")]
    Error {
        /// Why.
        message: String,
    },
}

/// Who a worker is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Register {
    /// [`crate::PROTOCOL_VERSION`] of the worker.
    pub protocol: u32,
    /// The worker's address: unique among the app's workers, matched by
    /// jobs' designated workers and SPECIFY.
    pub address: String,
    /// Tags, matched by jobs' designated workers.
    pub tags: Vec<String>,
    /// What it can run.
    pub capabilities: Capabilities,
    /// Its machine now.
    pub metrics: Metrics,
    /// The worker program's version.
    pub version: String,
    /// Where the workers of an instance reach this one when it coordinates
    /// (`host:port` of its peer listener); `None`: it runs instances alone
    /// and takes part in no other's.
    #[serde(default)]
    pub peer_address: Option<String>,
}

/// The server's answer to [`Register`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Welcome {
    /// The app the worker serves; `None` for a shared pool worker.
    pub app: Option<String>,
    /// Send a heartbeat this often.
    pub heartbeat_interval_ms: u64,
    /// The server's clock (Unix ms), to spot skew.
    pub server_time: i64,
}

/// A running instance, as heartbeats list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningInstance {
    /// The instance.
    pub instance_id: i64,
    /// Its attempt.
    pub attempt: i64,
}

/// Liveness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// The machine now.
    pub metrics: Metrics,
    /// Instances running on the worker (the server stops those it no
    /// longer considers running).
    pub running: Vec<RunningInstance>,
    /// Instances it takes part in, coordinated by other workers (stopped
    /// the same way).
    #[serde(default)]
    pub participating: Vec<RunningInstance>,
}

/// Run an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dispatch {
    /// The instance.
    pub instance_id: i64,
    /// Its job.
    pub job_id: i64,
    /// Its attempt (1 for the first run): echo it in every report.
    pub attempt: i64,
    /// How its work is spread.
    pub execute_type: ExecuteType,
    /// What runs it.
    pub processor: ProcessorSpec,
    /// The job's parameters.
    pub job_params: String,
    /// This run's parameters.
    pub instance_params: String,
    /// Milliseconds the whole instance may take (0: no limit).
    pub time_limit_ms: u64,
    /// Tasks of the instance that may run at once on the worker.
    pub concurrency: u32,
    /// Retries of a failed task.
    pub task_retry_num: u32,
    /// Once, or FIXED_RATE / FIXED_DELAY sub-runs.
    pub schedule: RunSchedule,
    /// Lowest log level to ship.
    pub log_level: LogLevel,
    /// Whether logs go to the server (the job's log type is ONLINE).
    pub ship_logs: bool,
    /// BROADCAST, MAP, MAP_REDUCE: addresses of the other workers asked to
    /// take part; they connect to the coordinator's peer listener with
    /// [`Dispatch::peer_token`].
    #[serde(default)]
    pub participants: Vec<String>,
    /// The secret a participant presents to the coordinator (fresh for
    /// every attempt).
    #[serde(default)]
    pub peer_token: PeerToken,
    /// PADDLING: the coordinator runs no tasks itself while a participant
    /// can.
    #[serde(default)]
    pub paddling: bool,
    /// MAP_REDUCE: fail without reducing when a task failed.
    #[serde(default)]
    pub skip_reduce_on_failure: bool,
}

/// Take part in an instance: run the tasks its coordinator hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Join {
    /// The instance as its coordinator was sent it (with the peer token).
    pub dispatch: Dispatch,
    /// The coordinator's worker address.
    pub coordinator: String,
    /// Its peer listener, `host:port`.
    pub coordinator_peer: String,
}

/// The tasks and workers of a distributed instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressReport {
    /// The instance.
    pub instance_id: i64,
    /// The attempt from its [`Dispatch`].
    pub attempt: i64,
    /// Its tasks and workers.
    #[serde(flatten)]
    pub progress: InstanceProgress,
}

/// Stop an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    /// The instance.
    pub instance_id: i64,
    /// Only this attempt (a stale one the worker still holds); `None`:
    /// whatever the worker runs or takes part in of the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<i64>,
    /// Why, for the log.
    pub reason: String,
}

/// An instance's status on the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    /// The instance.
    pub instance_id: i64,
    /// The attempt from its [`Dispatch`].
    pub attempt: i64,
    /// Where it stands.
    pub status: ReportedStatus,
    /// The result message (final statuses).
    pub result: String,
    /// When the status was reached (Unix ms, worker clock).
    pub time: i64,
    /// A distributed instance's final tasks and workers, with its final
    /// status (so both are stored at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<InstanceProgress>,
    /// Workflow context pairs the instance's tasks appended, in order (with
    /// a final status).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workflow_appends: Vec<(String, String)>,
}

/// One FIXED_RATE / FIXED_DELAY sub-run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubRunReport {
    /// The instance.
    pub instance_id: i64,
    /// The attempt from its [`Dispatch`].
    pub attempt: i64,
    /// 1, 2, ... within the instance.
    pub sub_instance_id: u64,
    /// When it started (Unix ms).
    pub started_at: i64,
    /// When it ended (Unix ms).
    pub finished_at: i64,
    /// Whether it succeeded.
    pub success: bool,
    /// Its result message.
    pub result: String,
}

/// Log lines, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogBatch {
    /// The lines.
    pub lines: Vec<LogLine>,
}

/// One log line of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// The instance.
    pub instance_id: i64,
    /// When (Unix ms).
    pub time: i64,
    /// Severity.
    pub level: LogLevel,
    /// The task (`0` the root, `0.3` a subtask; a FIXED_RATE sub-run
    /// prefixes its number: `#17/0`).
    pub task_id: String,
    /// `guest`, `stdout`, `stderr` or `host`.
    pub source: String,
    /// The text.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_json() {
        let stop = ServerMessage::Stop(Stop { instance_id: 7, attempt: None, reason: "asked".into() });
        let text = serde_json::to_string(&stop).unwrap();
        assert_eq!(text, r#"{"type":"STOP","instanceId":7,"reason":"asked"}"#);
        assert_eq!(serde_json::from_str::<ServerMessage>(&text).unwrap(), stop);
        let report = WorkerMessage::Status(StatusReport {
            instance_id: 1,
            attempt: 2,
            status: ReportedStatus::Succeed,
            result: "ok".into(),
            time: 3,
            progress: None,
            workflow_appends: Vec::new(),
        });
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.starts_with(r#"{"type":"STATUS","instanceId":1"#), "{text}");
        assert_eq!(serde_json::from_str::<WorkerMessage>(&text).unwrap(), report);
    }

    #[test]
    fn peer_tokens_travel_as_strings_and_never_print() {
        let token = PeerToken("s3cret".into());
        assert_eq!(serde_json::to_string(&token).unwrap(), r#""s3cret""#);
        assert_eq!(format!("{token:?}"), "PeerToken(<redacted>)");
        assert!(PeerToken::default().is_empty());
    }

    #[test]
    fn health_prefers_free_machines() {
        let idle = Metrics {
            cpu_cores: 4.0,
            load_average: 0.0,
            memory_total_gb: 8.0,
            memory_available_gb: 6.0,
            disk_total_gb: 100.0,
            disk_available_gb: 50.0,
        };
        let busy = Metrics { load_average: 4.0, memory_available_gb: 1.0, ..idle };
        assert!(idle.health_score() > busy.health_score());
        assert_eq!(busy.free_cpu_cores(), 0.0);
    }
}
