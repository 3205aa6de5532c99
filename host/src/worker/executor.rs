//! One dispatched instance, from `DISPATCH` to its final `STATUS`: it
//! waits for an instance slot, reports `RUNNING`, loads its processor and
//! runs it as a [`LocalInstance`] on tokio's blocking pool — once, or as
//! FIXED_RATE / FIXED_DELAY sub-runs (`schedule`).
//!
//! STANDALONE runs its one task here. BROADCAST, MAP and MAP_REDUCE are
//! coordinated here (`coordinate`): a [`crate::distributed::coordinator`]
//! keeps their tasks on disk and hands them to this worker's own runner
//! (`concurrency` threads, unless PADDLING) and to the runners of the
//! participants the dispatch names, which connect through the peer
//! listener; every second its progress goes to the server.

use super::instances::{InstanceHandle, StopCause, final_status};
use super::logs::InstanceLog;
use super::peer::Route;
use super::slots::MAX_INSTANCE_WORKERS;
use super::{Shared, loader, now_ms, schedule};
use crate::distributed::Progress;
use crate::distributed::coordinator::{
    self, Coordination, CoordinatorHandle, CoordinatorSettings, CoordinatorSpec, Inbox,
};
use crate::distributed::runner::RunnerSpec;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmjob_runtime::LogLevel;
use wasmjob_runtime::local::{LocalInstance, LocalOutcome, TaskCounts};
use wasmjob_runtime::{TaskControl, TaskProcessor, TaskSpec};
use wasmjob_vocab::ExecuteType;
use wasmjob_wire::{Dispatch, ProgressReport, ReportedStatus, RunSchedule, StatusReport, WorkerMessage};

/// How often a coordinated instance's progress goes to the server.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Takes a dispatch in: registers it (a repeated one is ignored) and runs
/// it on its own task.
pub(crate) fn dispatch(shared: &Arc<Shared>, dispatch: Dispatch) {
    let (instance, attempt) = (dispatch.instance_id, dispatch.attempt);
    if let Some((status, result)) = shared.instances.ending(instance, attempt) {
        tracing::debug!(instance, attempt, "a dispatch of an attempt that ended here: reporting its ending again");
        shared.reports.frame(WorkerMessage::Status(StatusReport {
            instance_id: instance,
            attempt,
            status,
            result,
            time: now_ms(),
            progress: None,
            workflow_appends: Vec::new(),
        }));
        return;
    }
    let Some(handle) = shared.instances.register(instance, attempt) else {
        tracing::debug!(instance, attempt, "ignoring a repeated dispatch");
        return;
    };
    tracing::info!(instance, attempt, job = dispatch.job_id, kind = ?dispatch.execute_type, "dispatched");
    let log = InstanceLog::new(shared.reports.clone(), &dispatch);
    log.host(LogLevel::Info, &format!("received by worker {}", shared.config.address));
    let inbox = open_to_participants(shared, &dispatch);
    let run =
        InstanceRun { shared: shared.clone(), dispatch, handle, log, inbox: Mutex::new(inbox), last: Mutex::default() };
    tokio::spawn(run.execute());
}

/// Opens a distributed instance to its participants at once: they may
/// connect while its processor loads; their events wait in the inbox.
fn open_to_participants(shared: &Shared, dispatch: &Dispatch) -> Option<(CoordinatorHandle, Inbox)> {
    let distributed = dispatch.schedule == RunSchedule::Once
        && dispatch.execute_type.is_distributed()
        && !dispatch.participants.is_empty()
        && !dispatch.peer_token.is_empty()
        && shared.peer_address.is_some();
    if !distributed {
        return None;
    }
    let (handle, inbox) = coordinator::inbox();
    let route = Route {
        attempt: dispatch.attempt,
        token: dispatch.peer_token.clone(),
        participants: dispatch.participants.clone(),
        handle: handle.clone(),
    };
    shared.routes.open(dispatch.instance_id, route);
    Some((handle, inbox))
}

/// The root task of a dispatched instance: its ids, params and task
/// retries (every other task is a child of it).
pub(crate) fn root_task(dispatch: &Dispatch) -> TaskSpec {
    TaskSpec {
        max_retry: dispatch.task_retry_num,
        ..TaskSpec::root(
            u64::try_from(dispatch.job_id).unwrap_or_default(),
            u64::try_from(dispatch.instance_id).unwrap_or_default(),
            &dispatch.job_params,
            &dispatch.instance_params,
        )
    }
}

/// A dispatched instance and what it needs.
pub(crate) struct InstanceRun {
    pub(crate) shared: Arc<Shared>,
    pub(crate) dispatch: Dispatch,
    pub(crate) handle: Arc<InstanceHandle>,
    pub(crate) log: InstanceLog,
    /// A distributed instance's coordinator inbox, open to participants.
    inbox: Mutex<Option<(CoordinatorHandle, Inbox)>>,
    /// What the final status carries besides the result.
    last: Mutex<Carried>,
}

/// What a run leaves for its final status.
#[derive(Debug, Default)]
struct Carried {
    /// A coordinated instance's last progress.
    progress: Option<Progress>,
    /// Workflow context pairs the run appended.
    appends: Vec<(String, String)>,
}

impl InstanceRun {
    async fn execute(self) {
        let permit = tokio::select! {
            permit = self.shared.slots.instance() => permit,
            () = self.handle.stopped() => None,
        };
        let (status, result) = match self.handle.cause() {
            Some(cause) => final_status(false, String::new(), Some(&cause)),
            None => {
                self.report_status(ReportedStatus::Running, String::new());
                self.run().await
            }
        };
        let level = match status {
            ReportedStatus::Succeed | ReportedStatus::Running => LogLevel::Info,
            ReportedStatus::Stopped => LogLevel::Warn,
            ReportedStatus::Failed => LogLevel::Error,
        };
        self.log.host(level, &format!("finished: {result}"));
        tracing::info!(instance = self.dispatch.instance_id, ?status, "instance ended");
        let (instance, attempt) = (self.dispatch.instance_id, self.dispatch.attempt);
        self.shared.instances.record_ending(instance, attempt, status, &result);
        self.shared.routes.close(instance, attempt);
        self.report_status(status, result);
        self.shared.instances.remove(&self.handle);
        drop(permit);
    }

    /// Loads the processor and runs the instance; the final status.
    async fn run(&self) -> (ReportedStatus, String) {
        // A FIXED_RATE / FIXED_DELAY time limit applies to each sub-run.
        let limit = self.dispatch.time_limit_ms;
        let timer = (limit > 0 && self.dispatch.schedule == RunSchedule::Once).then(|| {
            let handle = self.handle.clone();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(limit)).await;
                handle.stop(StopCause::TimeLimit(limit));
            })
        });
        let ended = self.load_and_run().await;
        if let Some(timer) = timer {
            timer.abort();
        }
        ended
    }

    async fn load_and_run(&self) -> (ReportedStatus, String) {
        let loaded = tokio::select! {
            loaded = loader::task_processor(&self.shared, &self.dispatch, &self.log) => loaded,
            () = self.handle.stopped() => Err(String::new()),
        };
        let processor = match loaded {
            Ok(processor) => processor,
            Err(msg) => return final_status(false, msg, self.handle.cause().as_ref()),
        };
        match self.dispatch.schedule {
            RunSchedule::Once => {
                let outcome = self.once(&processor, self.handle.next_control(), self.log.clone()).await;
                final_status(outcome.success, outcome.msg, self.handle.cause().as_ref())
            }
            RunSchedule::FixedRate { .. } | RunSchedule::FixedDelay { .. } => {
                schedule::lifecycle(self, &processor).await
            }
        }
    }

    /// One full run of the processor under `control`, logging to `log`.
    pub(crate) async fn once(
        &self,
        processor: &Arc<dyn TaskProcessor>,
        control: TaskControl,
        log: InstanceLog,
    ) -> LocalOutcome {
        let kind = self.dispatch.execute_type;
        if kind != ExecuteType::Standalone {
            return self.coordinate(processor, control, log).await;
        }
        let slots = tokio::select! {
            slots = self.shared.slots.tasks(1) => slots,
            () = self.handle.stopped() => return failed_outcome("the instance was stopped before it started"),
        };
        let instance = LocalInstance {
            job_id: u64::try_from(self.dispatch.job_id).unwrap_or_default(),
            instance_id: u64::try_from(self.dispatch.instance_id).unwrap_or_default(),
            kind,
            workers: slots.workers,
            job_params: self.dispatch.job_params.clone(),
            instance_params: self.dispatch.instance_params.clone(),
            workflow_context: Vec::new(),
            task_retry: self.dispatch.task_retry_num,
            limits: self.shared.runtime.config().task_limits.clone(),
            control,
            log: Arc::new(log),
        };
        let processor = processor.clone();
        let outcome = tokio::task::spawn_blocking(move || instance.run(processor.as_ref())).await;
        drop(slots);
        let mut outcome = outcome.unwrap_or_else(|e| failed_outcome(&format!("the instance's thread failed: {e}")));
        if self.dispatch.schedule == RunSchedule::Once {
            self.last.lock().unwrap_or_else(|p| p.into_inner()).appends = std::mem::take(&mut outcome.workflow_appends);
        }
        outcome
    }

    /// Coordinates a BROADCAST, MAP or MAP_REDUCE run: over the
    /// dispatch's participants too when it names some (FIXED_RATE and
    /// FIXED_DELAY sub-runs stay on this worker).
    async fn coordinate(
        &self,
        processor: &Arc<dyn TaskProcessor>,
        control: TaskControl,
        log: InstanceLog,
    ) -> LocalOutcome {
        let dispatch = &self.dispatch;
        let want = dispatch.concurrency.clamp(1, MAX_INSTANCE_WORKERS);
        let slots = tokio::select! {
            slots = self.shared.slots.tasks(want) => slots,
            () = self.handle.stopped() => return failed_outcome("the instance was stopped before it started"),
        };
        let once = dispatch.schedule == RunSchedule::Once;
        let early = self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take();
        let participants = if early.is_some() { dispatch.participants.clone() } else { Vec::new() };
        let store_dir = self.shared.config.data_dir.join("tasks");
        if let Err(e) = wasmjob_runtime::private::create_dir(&store_dir) {
            return failed_outcome(&format!("cannot create the task store directory {}: {e}", store_dir.display()));
        }
        let tuning = self.shared.config.coordinator;
        let spec = CoordinatorSpec {
            runner: RunnerSpec {
                processor: processor.clone(),
                kind: dispatch.execute_type,
                root: root_task(dispatch),
                limits: self.shared.runtime.config().task_limits.clone(),
                log: Arc::new(log),
                control,
            },
            address: self.shared.config.address.clone(),
            local_threads: slots.workers,
            paddling: dispatch.paddling,
            participants,
            skip_reduce_on_failure: dispatch.skip_reduce_on_failure,
            settings: CoordinatorSettings {
                store_dir,
                window_tasks: tuning.window_tasks,
                window_bytes: tuning.window_bytes,
                join_timeout: tuning.join_timeout,
            },
        };
        let (handle, inbox) = early.unwrap_or_else(coordinator::inbox);
        let Coordination { handle, progress, mut ended } = match coordinator::start_with(spec, handle, inbox) {
            Ok(coordination) => coordination,
            Err(e) => return failed_outcome(&format!("cannot start the coordinator: {e}")),
        };
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        let mut sent = None;
        let mut stop_sent = false;
        let end = loop {
            tokio::select! {
                end = &mut ended => break end,
                _ = tick.tick(), if once => self.report_progress(&progress, &mut sent),
                () = self.handle.stopped(), if !stop_sent => {
                    handle.stop();
                    stop_sent = true;
                }
            }
        };
        drop(slots);
        let Ok(end) = end else { return failed_outcome("the coordinator's thread failed") };
        if once {
            self.last.lock().unwrap_or_else(|p| p.into_inner()).progress = Some(end.progress.clone());
        }
        let tasks = end.progress.tasks;
        LocalOutcome {
            success: end.success,
            msg: end.msg,
            tasks: TaskCounts { total: tasks.total, succeeded: tasks.succeeded, failed: tasks.failed },
            workflow_appends: Vec::new(),
            elapsed_ms: 0.0,
        }
    }

    /// Sends the coordinator's progress when it changed.
    fn report_progress(&self, progress: &Mutex<Progress>, sent: &mut Option<Progress>) {
        let now = progress.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if sent.as_ref() == Some(&now) {
            return;
        }
        self.shared.reports.frame(WorkerMessage::Progress(ProgressReport {
            instance_id: self.dispatch.instance_id,
            attempt: self.dispatch.attempt,
            progress: now.clone().into(),
        }));
        *sent = Some(now);
    }

    /// Reports a status; a final one carries the last progress and the
    /// workflow appends, so the server stores them with it.
    fn report_status(&self, status: ReportedStatus, result: String) {
        let carried = if status.is_final() {
            std::mem::take(&mut *self.last.lock().unwrap_or_else(|p| p.into_inner()))
        } else {
            Carried::default()
        };
        self.shared.reports.frame(WorkerMessage::Status(StatusReport {
            instance_id: self.dispatch.instance_id,
            attempt: self.dispatch.attempt,
            status,
            result,
            time: now_ms(),
            progress: carried.progress.map(Into::into),
            workflow_appends: carried.appends,
        }));
    }
}

fn failed_outcome(msg: &str) -> LocalOutcome {
    LocalOutcome {
        success: false,
        msg: msg.to_string(),
        tasks: TaskCounts::default(),
        workflow_appends: Vec::new(),
        elapsed_ms: 0.0,
    }
}
