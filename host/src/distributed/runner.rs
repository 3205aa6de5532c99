//! The ProcessorTracker: runs the tasks a coordinator hands it on a fixed
//! number of threads (the job's per-worker concurrency), each in a fresh
//! store, and reports through a [`RunnerOutput`] each task's subtasks as
//! they are emitted and its end.

use super::{Children, TaskAssignment, TaskDone};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use wasmjob_runtime::LogSink;
use wasmjob_runtime::TaskLimits;
use wasmjob_runtime::{SubtaskBatch, SubtaskSink, TaskCall, TaskControl, TaskProcessor, TaskRequest, TaskSpec};
use wasmjob_vocab::ExecuteType;

/// Where a runner's reports go: to the coordinator in this process, or
/// over the network to a coordinator elsewhere.
pub trait RunnerOutput: Send + Sync + fmt::Debug {
    /// Subtasks a running task emitted; an error is the guest's.
    fn children(&self, children: Children) -> Result<(), String>;
    /// A task ended.
    fn done(&self, done: TaskDone);
}

/// What every task of the instance shares.
#[derive(Debug, Clone)]
pub struct RunnerSpec {
    /// What runs the instance's tasks.
    pub processor: Arc<dyn TaskProcessor>,
    /// The instance's kind.
    pub kind: ExecuteType,
    /// The root task's context: job and instance ids and params, retries
    /// allowed, workflow context. Each task is a child of it.
    pub root: TaskSpec,
    /// Limits of every task.
    pub limits: TaskLimits,
    /// Where task logs go.
    pub log: Arc<dyn LogSink>,
    /// Stops every task of the runner.
    pub control: TaskControl,
}

/// Runs assigned tasks until closed or stopped.
#[derive(Debug, Clone)]
pub struct Runner {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    spec: RunnerSpec,
    output: Arc<dyn RunnerOutput>,
    queue: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct Queue {
    tasks: VecDeque<TaskAssignment>,
    closed: bool,
    threads_left: usize,
}

impl Runner {
    /// Starts `threads` threads (at least one) that run what [`Runner::push`] hands them.
    pub fn start(spec: RunnerSpec, threads: usize, output: Arc<dyn RunnerOutput>) -> Self {
        let threads = threads.max(1);
        let queue = Queue { threads_left: threads, ..Queue::default() };
        let shared = Arc::new(Shared { spec, output, queue: Mutex::new(queue), ready: Condvar::new() });
        for n in 0..threads {
            let shared = shared.clone();
            let spawned = std::thread::Builder::new().name(format!("wasmjob-task-{n}")).spawn(move || work(&shared));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a task thread");
            }
        }
        Self { shared }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.shared.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues tasks (dropped once the runner is stopped).
    pub fn push(&self, tasks: Vec<TaskAssignment>) {
        if self.shared.spec.control.is_stopped() {
            return;
        }
        let mut queue = self.lock();
        queue.tasks.extend(tasks);
        drop(queue);
        self.shared.ready.notify_all();
    }

    /// Stops the running tasks at the next epoch tick and drops the queued
    /// ones.
    pub fn stop(&self) {
        self.shared.spec.control.stop();
        let mut queue = self.lock();
        queue.tasks.clear();
        queue.closed = true;
        drop(queue);
        self.shared.ready.notify_all();
    }

    /// Lets the threads finish what is queued, then end.
    pub fn close(&self) {
        self.lock().closed = true;
        self.shared.ready.notify_all();
    }

    /// Tasks queued, not yet started.
    pub fn queued(&self) -> usize {
        self.lock().tasks.len()
    }

    /// Whether every thread has ended (after [`Runner::close`] or [`Runner::stop`]).
    pub fn is_finished(&self) -> bool {
        self.lock().threads_left == 0
    }
}

fn work(shared: &Shared) {
    loop {
        let next = {
            let mut queue = shared.queue.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(task) = queue.tasks.pop_front() {
                    break Some(task);
                }
                if queue.closed {
                    break None;
                }
                queue = shared.ready.wait(queue).unwrap_or_else(|p| p.into_inner());
            }
        };
        let Some(task) = next else { break };
        let done = run_one(shared, task);
        shared.output.done(done);
    }
    shared.queue.lock().unwrap_or_else(|p| p.into_inner()).threads_left -= 1;
}

fn run_one(shared: &Shared, task: TaskAssignment) -> TaskDone {
    let spec = &shared.spec;
    let TaskAssignment { seq, retry, id, name, payload } = task;
    let mut task_spec = spec.root.child(id, name, payload);
    task_spec.current_retry = retry;
    let sink = ChildSink { seq, retry, output: shared.output.clone() };
    let request = TaskRequest {
        kind: spec.kind,
        call: TaskCall::Process,
        spec: task_spec,
        limits: spec.limits.clone(),
        control: spec.control.clone(),
        log: spec.log.clone(),
        subtasks: Some(Arc::new(sink)),
    };
    let run = spec.processor.run(request);
    TaskDone {
        seq,
        retry,
        success: run.succeeded(),
        msg: run.message(),
        elapsed_us: u64::try_from(run.elapsed.as_micros()).unwrap_or(u64::MAX),
    }
}

/// Passes a task's subtasks on as the guest emits them.
#[derive(Debug)]
struct ChildSink {
    seq: u64,
    retry: u32,
    output: Arc<dyn RunnerOutput>,
}

impl SubtaskSink for ChildSink {
    fn emit(&self, first: u32, batch: SubtaskBatch) -> Result<(), String> {
        let SubtaskBatch { task_name, payloads } = batch;
        self.output.children(Children { seq: self.seq, retry: self.retry, first, name: task_name, payloads })
    }
}
