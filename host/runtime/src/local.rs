//! Runs a whole instance of any execution kind inside one process, over a
//! number of simulated workers (threads): the semantics a cluster gives,
//! without a cluster. This is `wasmjob run-local`, the guest author's
//! inner loop, and the reference the distributed executor is tested
//! against.
//!
//! - STANDALONE: the root task's `process`.
//! - MAP / MAP_REDUCE: the root task, then every emitted subtask at every
//!   depth (ids `<parent>.<n>`), spread over the workers; a failed task
//!   with retries left runs again. MAP succeeds when no task failed;
//!   MAP_REDUCE then calls `reduce` with every outcome (even when some
//!   failed) and its result is the instance's.
//! - BROADCAST: `pre-process` once, `process` once per worker,
//!   `post-process` with every outcome; post-process's result is the
//!   instance's.

use crate::config::TaskLimits;
use crate::logs::LogSink;
use crate::outcomes::{TaskOutcome, VecOutcomes};
use crate::task::{SubtaskBatch, TaskCall, TaskControl, TaskProcessor, TaskRequest, TaskRun, TaskSpec};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use wasmjob_vocab::ExecuteType;

/// One local run of an instance.
#[derive(Debug, Clone)]
pub struct LocalInstance {
    /// The job's id, as guests read it.
    pub job_id: u64,
    /// The instance's id, as guests read it and logs carry it.
    pub instance_id: u64,
    /// How the instance's work is spread.
    pub kind: ExecuteType,
    /// Simulated workers (threads); at least 1.
    pub workers: usize,
    /// The job's parameters.
    pub job_params: String,
    /// This run's parameters.
    pub instance_params: String,
    /// The workflow context the instance starts with.
    pub workflow_context: Vec<(String, String)>,
    /// Retries allowed per task.
    pub task_retry: u32,
    /// Limits of every task.
    pub limits: TaskLimits,
    /// Stops every task of the instance.
    pub control: TaskControl,
    /// Where task logs go.
    pub log: Arc<dyn LogSink>,
}

/// Task counts of a finished instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    /// Tasks run (retries of a task count once).
    pub total: u64,
    /// Tasks whose last attempt succeeded.
    pub succeeded: u64,
    /// Tasks whose last attempt failed.
    pub failed: u64,
}

/// The result of a local instance, printed by `run-local` as one JSON line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalOutcome {
    /// Whether the instance succeeded.
    pub success: bool,
    /// The instance's result message.
    pub msg: String,
    /// Task counts.
    pub tasks: TaskCounts,
    /// Workflow context pairs the tasks appended, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workflow_appends: Vec<(String, String)>,
    /// Wall time of the whole instance, in milliseconds.
    pub elapsed_ms: f64,
}

impl LocalInstance {
    /// Runs the instance to completion on `processor`.
    pub fn run(&self, processor: &dyn TaskProcessor) -> LocalOutcome {
        let started = Instant::now();
        let root = TaskSpec {
            max_retry: self.task_retry,
            workflow_context: Arc::new(self.workflow_context.clone()),
            ..TaskSpec::root(self.job_id, self.instance_id, &self.job_params, &self.instance_params)
        };
        let mut outcome = match self.kind {
            ExecuteType::Standalone => self.standalone(processor, root),
            ExecuteType::Broadcast => self.broadcast(processor, root),
            ExecuteType::Map | ExecuteType::MapReduce => self.map(processor, root),
        };
        outcome.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        outcome
    }

    fn request(&self, call: TaskCall, spec: TaskSpec) -> TaskRequest {
        TaskRequest {
            kind: self.kind,
            call,
            spec,
            limits: self.limits.clone(),
            control: self.control.clone(),
            log: self.log.clone(),
            subtasks: None,
        }
    }

    /// Runs a task, retrying it while it fails and retries remain. Once the
    /// instance is stopped, tasks still queued end at once as stopped
    /// instead of each starting a guest that the next epoch tick ends.
    ///
    /// As on a cluster, the subtasks an attempt emitted stay emitted: a
    /// retry's subtask `n` counts only if no earlier attempt emitted an
    /// `n`-th.
    fn run_with_retry(&self, processor: &dyn TaskProcessor, call: fn() -> TaskCall, mut spec: TaskSpec) -> TaskRun {
        let mut emitted: Vec<SubtaskBatch> = Vec::new();
        loop {
            if self.control.is_stopped() {
                return TaskRun {
                    outcome: Err(crate::TaskFailure::Stopped),
                    subtasks: emitted,
                    workflow_appends: Vec::new(),
                    elapsed: Default::default(),
                };
            }
            let mut run = processor.run(self.request(call(), spec.clone()));
            keep_new_subtasks(&mut emitted, std::mem::take(&mut run.subtasks));
            if run.succeeded() || spec.current_retry >= spec.max_retry || self.control.is_stopped() {
                run.subtasks = emitted;
                return run;
            }
            spec.current_retry += 1;
        }
    }

    fn standalone(&self, processor: &dyn TaskProcessor, root: TaskSpec) -> LocalOutcome {
        let run = self.run_with_retry(processor, || TaskCall::Process, root);
        let mut counts = TaskCounts::default();
        count(&mut counts, run.succeeded());
        finish(run.succeeded(), run.message(), counts, run.workflow_appends)
    }

    fn broadcast(&self, processor: &dyn TaskProcessor, root: TaskSpec) -> LocalOutcome {
        let pre = self.run_with_retry(processor, || TaskCall::PreProcess, root.clone());
        if !pre.succeeded() {
            let msg = format!("pre-process failed: {}", pre.message());
            return finish(false, msg, TaskCounts::default(), pre.workflow_appends);
        }
        let mut appends = pre.workflow_appends;
        let workers = self.workers.max(1);
        let runs: Vec<(String, TaskRun)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let spec = root.child(format!("0.{w}"), "BROADCAST".into(), None);
                    let id = spec.task_id.clone();
                    (id, scope.spawn(move || self.run_with_retry(processor, || TaskCall::Process, spec)))
                })
                .collect();
            handles.into_iter().map(|(id, h)| (id, join_task(h))).collect()
        });
        let mut counts = TaskCounts::default();
        let mut outcomes = Vec::with_capacity(runs.len());
        for (task_id, run) in runs {
            count(&mut counts, run.succeeded());
            appends.extend(run.workflow_appends.iter().cloned());
            outcomes.push(outcome_of(task_id, "BROADCAST".into(), &run));
        }
        let source = VecOutcomes::new(outcomes);
        let post = processor.run(self.request(TaskCall::PostProcess(Box::new(source)), root));
        appends.extend(post.workflow_appends.iter().cloned());
        let msg =
            if post.outcome.is_ok() { post.message() } else { format!("post-process failed: {}", post.message()) };
        finish(post.succeeded(), msg, counts, appends)
    }

    fn map(&self, processor: &dyn TaskProcessor, root: TaskSpec) -> LocalOutcome {
        let queue = TaskQueue::new(root.clone());
        let workers = self.workers.max(1);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while let Some(spec) = queue.next() {
                        let run = self.run_with_retry(processor, || TaskCall::Process, spec.clone());
                        queue.complete(&spec, run);
                    }
                });
            }
        });
        let done = queue.into_done();
        let mut counts = TaskCounts::default();
        let mut first_failure = None;
        for outcome in &done.outcomes {
            count(&mut counts, outcome.success);
            if !outcome.success && first_failure.is_none() {
                first_failure = Some(format!("task {}: {}", outcome.task_id, outcome.msg));
            }
        }
        if self.kind == ExecuteType::MapReduce && !self.control.is_stopped() {
            let source = VecOutcomes::new(done.outcomes);
            let reduce = processor.run(self.request(TaskCall::Reduce(Box::new(source)), root));
            let mut appends = done.appends;
            appends.extend(reduce.workflow_appends.iter().cloned());
            let msg =
                if reduce.outcome.is_ok() { reduce.message() } else { format!("reduce failed: {}", reduce.message()) };
            return finish(reduce.succeeded(), msg, counts, appends);
        }
        let msg = match first_failure {
            None => format!("all {} tasks succeeded", counts.total),
            Some(first) => format!("{} of {} tasks failed; first: {first}", counts.failed, counts.total),
        };
        finish(counts.failed == 0, msg, counts, done.appends)
    }
}

/// Adds to `kept` the subtasks of `attempt` past the ones kept already.
fn keep_new_subtasks(kept: &mut Vec<SubtaskBatch>, attempt: Vec<SubtaskBatch>) {
    let mut skip: usize = kept.iter().map(|b| b.payloads.len()).sum();
    for mut batch in attempt {
        if skip >= batch.payloads.len() {
            skip -= batch.payloads.len();
            continue;
        }
        batch.payloads.drain(..skip);
        skip = 0;
        kept.push(batch);
    }
}

fn join_task(handle: std::thread::ScopedJoinHandle<'_, TaskRun>) -> TaskRun {
    handle.join().unwrap_or_else(|_| TaskRun {
        outcome: Err(crate::TaskFailure::Trapped { message: "the worker thread panicked".into() }),
        subtasks: Vec::new(),
        workflow_appends: Vec::new(),
        elapsed: Default::default(),
    })
}

fn count(counts: &mut TaskCounts, success: bool) {
    counts.total += 1;
    if success {
        counts.succeeded += 1;
    } else {
        counts.failed += 1;
    }
}

fn outcome_of(task_id: String, task_name: String, run: &TaskRun) -> TaskOutcome {
    TaskOutcome { task_id, task_name, success: run.succeeded(), msg: run.message() }
}

fn finish(success: bool, msg: String, tasks: TaskCounts, workflow_appends: Vec<(String, String)>) -> LocalOutcome {
    LocalOutcome { success, msg, tasks, workflow_appends, elapsed_ms: 0.0 }
}

/// The pending tasks of a map instance, shared by the simulated workers.
struct TaskQueue {
    state: Mutex<QueueState>,
    changed: Condvar,
}

#[derive(Default)]
struct QueueState {
    pending: VecDeque<TaskSpec>,
    running: usize,
    done: Done,
}

#[derive(Default)]
struct Done {
    outcomes: Vec<TaskOutcome>,
    appends: Vec<(String, String)>,
}

impl TaskQueue {
    fn new(root: TaskSpec) -> Self {
        let mut state = QueueState::default();
        state.pending.push_back(root);
        Self { state: Mutex::new(state), changed: Condvar::new() }
    }

    /// The next task, waiting while others run and may emit more; `None`
    /// once nothing is pending or running.
    fn next(&self) -> Option<TaskSpec> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(spec) = state.pending.pop_front() {
                state.running += 1;
                return Some(spec);
            }
            if state.running == 0 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Records a finished task and queues what it emitted.
    fn complete(&self, spec: &TaskSpec, mut run: TaskRun) {
        let subtasks = std::mem::take(&mut run.subtasks);
        let outcome = outcome_of(spec.task_id.clone(), spec.task_name.clone(), &run);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut n = 0usize;
        for batch in subtasks {
            for payload in batch.payloads {
                let id = format!("{}.{n}", spec.task_id);
                state.pending.push_back(spec.child(id, batch.task_name.clone(), Some(payload)));
                n += 1;
            }
        }
        state.done.outcomes.push(outcome);
        state.done.appends.append(&mut run.workflow_appends);
        state.running -= 1;
        drop(state);
        self.changed.notify_all();
    }

    fn into_done(self) -> Done {
        self.state.into_inner().unwrap_or_else(|p| p.into_inner()).done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(name: &str, payloads: &[u8]) -> SubtaskBatch {
        SubtaskBatch { task_name: name.into(), payloads: payloads.iter().map(|p| vec![*p]).collect() }
    }

    #[test]
    fn a_retry_adds_only_the_subtasks_past_those_of_earlier_attempts() {
        let mut kept = Vec::new();
        keep_new_subtasks(&mut kept, vec![batch("A", &[0, 1]), batch("A", &[2])]);
        keep_new_subtasks(&mut kept, vec![batch("B", &[9]), batch("B", &[9, 9, 3, 4])]);
        keep_new_subtasks(&mut kept, vec![batch("C", &[9])]);
        let flat: Vec<(String, u8)> =
            kept.iter().flat_map(|b| b.payloads.iter().map(|p| (b.task_name.clone(), p[0]))).collect();
        let expected = [("A", 0), ("A", 1), ("A", 2), ("B", 3), ("B", 4)];
        assert_eq!(flat, expected.map(|(n, p)| (n.to_string(), p)));
    }
}
