//! An instance as the API shows it.

use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
pub use wasmjob_vocab::InstanceStatus;

/// What created an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TriggerType {
    /// `POST /jobs/{id}/run`.
    Api,
    /// The job's schedule.
    Schedule,
    /// A workflow.
    Workflow,
}

/// One run of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The job.
    #[schema(value_type = String)]
    pub job_id: Id,
    /// The job's app.
    #[schema(value_type = String)]
    pub app_id: Id,
    /// Where it stands.
    pub status: InstanceStatus,
    /// What created it.
    pub trigger_type: TriggerType,
    /// Parameters of this run.
    pub instance_params: String,
    /// When it is due, Unix milliseconds.
    pub expected_trigger_time: i64,
    /// When it was dispatched.
    pub actual_trigger_time: Option<i64>,
    /// When it ended.
    pub finished_time: Option<i64>,
    /// The processor's result message, or why it ended.
    pub result: String,
    /// Address of the coordinating worker.
    pub coordinator: Option<String>,
    /// Attempts so far (retries included).
    pub running_times: i64,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// WASM jobs: the container version the current attempt runs,
    /// `container@label` (resolved when the attempt was dispatched: a
    /// retry runs the version deployed at its own dispatch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_version: Option<String>,
    /// WASM jobs: the sha256 of that version's component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_digest: Option<String>,
    /// BROADCAST, MAP, MAP_REDUCE: the tasks and workers, as the
    /// coordinator last reported them (every second while it runs).
    #[serde(flatten)]
    pub progress: InstanceProgress,
    /// Workflow context entries the instance's tasks appended (the last
    /// write of a key wins); empty for most.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub workflow_appends: std::collections::BTreeMap<String, String>,
}

pub use wasmjob_wire::InstanceProgress;

/// A page of instances.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstancePage {
    /// The instances of this page.
    pub items: Vec<Instance>,
    /// Matches over all pages.
    pub total: i64,
    /// Page number from 0.
    pub page: u32,
    /// Page size.
    pub size: u32,
}
