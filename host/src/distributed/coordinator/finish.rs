//! How an instance ends once its tasks have: MAP succeeds when none failed;
//! MAP_REDUCE calls `reduce` with every outcome, paged from the store (or
//! fails without it, for a job that asks so, when a task failed);
//! BROADCAST calls `post-process` with every worker's outcome. Broadcast's
//! `pre-process` runs here too, before anything else.

use super::{Coordinator, InstanceEnd};
use crate::distributed::Progress;
use crate::distributed::runner::RunnerSpec;
use crate::distributed::store::StoreError;
use wasmjob_runtime::{TaskCall, TaskRequest, TaskRun};
use wasmjob_vocab::ExecuteType;

/// Runs broadcast's `pre-process`; the instance's failure message when it
/// failed.
pub(super) fn pre_process(spec: &RunnerSpec) -> Result<(), String> {
    let run = call(spec, TaskCall::PreProcess);
    if run.succeeded() { Ok(()) } else { Err(format!("pre-process failed: {}", run.message())) }
}

/// An instance that ended before it began.
pub(super) fn failed(msg: String) -> InstanceEnd {
    InstanceEnd { success: false, msg, stopped: false, progress: Progress::default() }
}

fn call(spec: &RunnerSpec, call: TaskCall) -> TaskRun {
    spec.processor.run(TaskRequest {
        kind: spec.kind,
        call,
        spec: spec.root.clone(),
        limits: spec.limits.clone(),
        control: spec.control.clone(),
        log: spec.log.clone(),
        subtasks: None,
    })
}

impl Coordinator {
    /// Every task has ended: release the runners and conclude.
    pub(super) fn finish(&mut self) -> InstanceEnd {
        self.tell_all(&crate::distributed::ToRunner::Finished);
        self.publish(true);
        match self.conclude() {
            Ok((success, msg)) => self.end(success, msg),
            Err(e) => self.end(false, format!("the coordinator's task store failed: {e}")),
        }
    }

    fn conclude(&mut self) -> Result<(bool, String), StoreError> {
        let tally = self.queue.tally();
        let kind = self.spec.runner.kind;
        let failure = |queue: &super::TaskQueue| -> Result<String, StoreError> {
            let first = queue.first_failure()?.map(|o| format!("task {}: {}", o.task_id, o.msg)).unwrap_or_default();
            Ok(format!("{} of {} tasks failed; first: {first}", tally.failed, tally.total))
        };
        if kind == ExecuteType::Map || (kind == ExecuteType::MapReduce && self.spec.skip_reduce_on_failure) {
            if tally.failed > 0 {
                let mut msg = failure(&self.queue)?;
                if kind == ExecuteType::MapReduce {
                    msg = format!("{msg} (reduce skipped: the job skips reduce when a task failed)");
                }
                return Ok((false, msg));
            }
            if kind == ExecuteType::Map {
                return Ok((true, format!("all {} tasks succeeded", tally.total)));
            }
        }
        let outcomes = Box::new(self.queue.outcome_reader()?);
        let (call_of, what): (TaskCall, &str) = match kind {
            ExecuteType::Broadcast => (TaskCall::PostProcess(outcomes), "post-process"),
            _ => (TaskCall::Reduce(outcomes), "reduce"),
        };
        let run = call(&self.spec.runner, call_of);
        let msg = if run.outcome.is_ok() { run.message() } else { format!("{what} failed: {}", run.message()) };
        Ok((run.succeeded(), msg))
    }
}
