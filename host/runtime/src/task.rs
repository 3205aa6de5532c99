//! What one task is given and what it yields.

use crate::config::TaskLimits;
use crate::logs::LogSink;
use crate::outcomes::OutcomeSource;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmjob_vocab::ExecuteType;

/// The id of every instance's root task.
pub const ROOT_TASK_ID: &str = "0";
/// The name of every instance's root task.
pub const ROOT_TASK_NAME: &str = "ROOT_TASK";

/// The context of one task (PowerJob's `TaskContext`), as the guest reads
/// it through `current-task` and `workflow-context`.
#[derive(Debug, Clone, Default)]
pub struct TaskSpec {
    /// Id of the job.
    pub job_id: u64,
    /// Id of the job instance.
    pub instance_id: u64,
    /// `0` for the root, `<parent>.<n>` for subtasks.
    pub task_id: String,
    /// The name the task was emitted under.
    pub task_name: String,
    /// The job's parameters.
    pub job_params: Arc<str>,
    /// This run's parameters.
    pub instance_params: Arc<str>,
    /// Retries so far.
    pub current_retry: u32,
    /// Retries allowed.
    pub max_retry: u32,
    /// The subtask payload, if this task was emitted by another.
    pub subtask: Option<Vec<u8>>,
    /// The workflow context the instance started with.
    pub workflow_context: Arc<Vec<(String, String)>>,
}

impl TaskSpec {
    /// The root task of an instance.
    pub fn root(job_id: u64, instance_id: u64, job_params: &str, instance_params: &str) -> Self {
        Self {
            job_id,
            instance_id,
            task_id: ROOT_TASK_ID.to_string(),
            task_name: ROOT_TASK_NAME.to_string(),
            job_params: job_params.into(),
            instance_params: instance_params.into(),
            ..Self::default()
        }
    }

    /// A task of the same instance with another id, name and payload.
    pub fn child(&self, task_id: String, task_name: String, subtask: Option<Vec<u8>>) -> Self {
        Self {
            task_id,
            task_name,
            subtask,
            current_retry: 0,
            job_params: self.job_params.clone(),
            instance_params: self.instance_params.clone(),
            workflow_context: self.workflow_context.clone(),
            ..*self
        }
    }

    /// True for the instance's root task.
    pub fn is_root(&self) -> bool {
        self.task_id == ROOT_TASK_ID
    }
}

/// Which export of the component a task calls.
pub enum TaskCall {
    /// `process` (every kind).
    Process,
    /// Broadcast `pre-process`.
    PreProcess,
    /// Broadcast `post-process`, reading outcomes from the source.
    PostProcess(Box<dyn OutcomeSource>),
    /// Map-reduce `reduce`, reading outcomes from the source.
    Reduce(Box<dyn OutcomeSource>),
}

impl fmt::Debug for TaskCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.export_name())
    }
}

impl TaskCall {
    /// The WIT export this call invokes.
    pub fn export_name(&self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::PreProcess => "pre-process",
            Self::PostProcess(_) => "post-process",
            Self::Reduce(_) => "reduce",
        }
    }
}

/// Everything a processor needs to run one task: one struct, so new
/// settings never lengthen an argument list.
#[derive(Debug)]
pub struct TaskRequest {
    /// The instance's execution kind (decides the world and whether the
    /// task may emit subtasks).
    pub kind: ExecuteType,
    /// The export to call.
    pub call: TaskCall,
    /// The task's context.
    pub spec: TaskSpec,
    /// Its limits.
    pub limits: TaskLimits,
    /// Lets another thread stop the task.
    pub control: TaskControl,
    /// Where its log lines go.
    pub log: Arc<dyn LogSink>,
    /// Where emitted subtasks go as the guest emits them; `None` collects
    /// them in [`TaskRun::subtasks`].
    pub subtasks: Option<Arc<dyn SubtaskSink>>,
}

/// Runs one task of an instance: a wasm component ([`crate::Processor`])
/// or one of the official processors. Every executor — `run-local`, a
/// worker's own instance, a distributed instance's runners — runs tasks
/// through this one call.
pub trait TaskProcessor: Send + Sync + fmt::Debug {
    /// Runs the task; never panics on the task's behaviour: every failure
    /// is in the result.
    fn run(&self, request: TaskRequest) -> TaskRun;
}

impl<T: TaskProcessor + ?Sized> TaskProcessor for Arc<T> {
    fn run(&self, request: TaskRequest) -> TaskRun {
        T::run(self, request)
    }
}

/// Takes a task's subtasks batch by batch, while the task runs: a
/// coordinator stores them at once, so a task emitting a million subtasks
/// never holds them all in the host.
pub trait SubtaskSink: Send + Sync + fmt::Debug {
    /// Takes one `emit-subtasks` batch; `first` is the index of its first
    /// subtask among all the task emitted (subtask `n` gets the id
    /// `<task id>.<n>`). An error is returned to the guest as the call's.
    fn emit(&self, first: u32, batch: SubtaskBatch) -> Result<(), String>;
}

/// A handle to stop a running task from another thread; the guest is
/// interrupted at the next epoch tick.
#[derive(Debug, Clone, Default)]
pub struct TaskControl {
    stopped: Arc<AtomicBool>,
}

impl TaskControl {
    /// A fresh, not-stopped handle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the task (and every task sharing this handle) to stop.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

/// The processor's own verdict on a task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskResult {
    /// Whether the task succeeded.
    pub success: bool,
    /// The processor's message (truncated to the limit).
    pub msg: String,
}

/// Why a task ended without a verdict from the processor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskFailure {
    /// The call ran past its time limit and was interrupted.
    TimedOut {
        /// The limit.
        limit: Duration,
    },
    /// The guest tried to grow its memory past the limit and trapped.
    MemoryExceeded {
        /// The limit, in bytes.
        limit_bytes: u64,
    },
    /// A stop was requested and the guest was interrupted.
    Stopped,
    /// The guest trapped (a panic, an illegal operation, ...).
    Trapped {
        /// The trap and the guest's last words on stderr.
        message: String,
    },
    /// The component could not be instantiated for this task.
    Instantiate {
        /// Why.
        message: String,
    },
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut { limit } => {
                write!(f, "the task exceeded its time limit of {} ms and was stopped", limit.as_millis())
            }
            Self::MemoryExceeded { limit_bytes } => {
                write!(f, "the task exceeded its memory limit of {} MiB and was stopped", limit_bytes >> 20)
            }
            Self::Stopped => f.write_str("the task was stopped on request"),
            Self::Trapped { message } => write!(f, "the task trapped: {message}"),
            Self::Instantiate { message } => write!(f, "the task could not start: {message}"),
        }
    }
}

/// A batch of subtasks emitted by one `emit-subtasks` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtaskBatch {
    /// The name the subtasks were emitted under.
    pub task_name: String,
    /// One payload per subtask.
    pub payloads: Vec<Vec<u8>>,
}

/// Everything one task produced.
#[derive(Debug)]
pub struct TaskRun {
    /// The processor's result, or why there is none.
    pub outcome: Result<TaskResult, TaskFailure>,
    /// Subtasks emitted, in order (kept even when the task failed; the
    /// coordinator decides what to do with them).
    pub subtasks: Vec<SubtaskBatch>,
    /// Workflow context pairs the task appended.
    pub workflow_appends: Vec<(String, String)>,
    /// Wall time of instantiation and call.
    pub elapsed: Duration,
}

impl TaskRun {
    /// True when the processor returned success.
    pub fn succeeded(&self) -> bool {
        matches!(&self.outcome, Ok(r) if r.success)
    }

    /// The processor's message, or the failure's description.
    pub fn message(&self) -> String {
        match &self.outcome {
            Ok(r) => r.msg.clone(),
            Err(f) => f.to_string(),
        }
    }

    /// How many subtasks the task emitted.
    pub fn subtask_count(&self) -> usize {
        self.subtasks.iter().map(|b| b.payloads.len()).sum()
    }
}
