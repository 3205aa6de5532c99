//! Distributed execution of one BROADCAST, MAP or MAP_REDUCE instance over
//! several workers: PowerJob's TaskTracker and ProcessorTracker, without
//! the network (the worker agent carries these messages between
//! processes; see `worker::peer`).
//!
//! - [`coordinator`]: the TaskTracker. It runs on the instance's
//!   coordinating worker, keeps every task in a [`store::TaskStore`] on disk
//!   and a bounded window of them in memory, hands tasks to the runners of
//!   the instance in batches (as many as each can start within ~50 ms),
//!   retries failed tasks (elsewhere when it can), re-runs the tasks of a
//!   runner that was lost, and ends the instance: MAP succeeds when no task
//!   failed, MAP_REDUCE reduces every outcome (paged from disk), BROADCAST
//!   runs pre-process, one task per worker and post-process.
//! - [`runner`]: the ProcessorTracker. It runs the tasks it is given on a
//!   number of threads and reports each one's end and the subtasks it
//!   emits, as it emits them.
//! - The types below are what the two say to each other.

pub mod coordinator;
pub mod runner;
pub mod store;

use serde::{Deserialize, Serialize};
pub use wasmjob_wire::{TaskTally, WorkerShare};

/// A runner of the instance, numbered by the coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PeerId(pub u32);

/// One task handed to a runner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAssignment {
    /// The coordinator's number for the task (echo it).
    pub seq: u64,
    /// Retries of the task so far (echo it).
    pub retry: u32,
    /// `0` for the root, `<parent>.<n>` below it.
    pub id: String,
    /// The name it was emitted under.
    pub name: String,
    /// Its payload.
    pub payload: Option<Vec<u8>>,
}

/// A task's end, as its runner reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDone {
    /// The assignment's `seq`.
    pub seq: u64,
    /// The assignment's `retry`.
    pub retry: u32,
    /// Whether the processor returned success.
    pub success: bool,
    /// Its message, or the failure's description.
    pub msg: String,
    /// How long the task ran, in microseconds.
    pub elapsed_us: u64,
}

/// Subtasks a running task emitted: `payloads[i]` is subtask
/// `first + i` of the task (id `<task id>.<first + i>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Children {
    /// The emitting task's `seq`.
    pub seq: u64,
    /// The emitting task's `retry`.
    pub retry: u32,
    /// Index of the first subtask of this batch among all the task emitted.
    pub first: u32,
    /// The name they were emitted under.
    pub name: String,
    /// One payload per subtask.
    pub payloads: Vec<Vec<u8>>,
}

/// What a coordinator tells a runner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToRunner {
    /// Run these.
    Tasks(Vec<TaskAssignment>),
    /// Stop what runs and take nothing more.
    Stop(String),
    /// The instance ended: finish what runs and leave.
    Finished,
}

impl From<Progress> for wasmjob_wire::InstanceProgress {
    fn from(progress: Progress) -> Self {
        Self { tasks: Some(progress.tasks), workers: progress.workers }
    }
}

/// A running instance's tasks and workers, as the coordinator last saw
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Task counts.
    pub tasks: TaskTally,
    /// Every worker that took part or was asked to.
    pub workers: Vec<WorkerShare>,
}
