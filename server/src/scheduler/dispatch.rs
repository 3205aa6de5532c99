//! Dispatch: a waiting instance whose time has come goes to a worker
//! chosen by the job's rules, or fails with the reason there is none.

use super::reports;
use crate::containers::resolve;
use crate::ids::{Id, now_ms};
use crate::instances::model::{Instance, InstanceStatus};
use crate::instances::store;
use crate::jobs::model::{Job, LogType, ProcessorType, TaskTrackerBehavior, TimeExpressionType};
use crate::state::AppState;
use crate::workers::{Assignment, ConnectedWorker, select, store as worker_store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use wasmjob_wire::{Dispatch, Join, PeerToken, ProcessorSpec, RunSchedule, ServerMessage};

/// How often the database is scanned for waiting instances this server
/// did not create (delayed runs after a restart, other servers' instances
/// for workers connected here).
const POLL_EVERY: Duration = Duration::from_millis(1000);

/// Dispatches at most this many instances at once.
const PARALLEL: usize = 32;

/// The dispatcher loop: instances from the due queue at their time, and
/// waiting instances found in the database.
pub(super) async fn run(state: AppState) {
    let permits = Arc::new(Semaphore::new(PARALLEL));
    let mut next_poll = tokio::time::Instant::now();
    loop {
        let now = now_ms() as i64;
        for id in state.scheduler.due.take_due(now) {
            let Ok(permit) = permits.clone().acquire_owned().await else { return };
            let state = state.clone();
            tokio::spawn(async move {
                dispatch_logged(&state, id).await;
                drop(permit);
            });
        }
        if tokio::time::Instant::now() >= next_poll {
            poll(&state).await;
            next_poll = tokio::time::Instant::now() + POLL_EVERY;
        }
        let wake = state.scheduler.due.next_at().map_or(next_poll, |at| {
            let wait = Duration::from_millis((at - now_ms() as i64).max(0) as u64);
            next_poll.min(tokio::time::Instant::now() + wait)
        });
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = state.scheduler.due.changed() => {}
            () = state.scheduler.poll.notified() => next_poll = tokio::time::Instant::now(),
        }
    }
}

async fn poll(state: &AppState) {
    let horizon = now_ms() as i64 + POLL_EVERY.as_millis() as i64;
    match store::in_status(&state.db, InstanceStatus::WaitingDispatch, horizon, 1000).await {
        Ok(waiting) => {
            for instance in waiting {
                // Instances of apps without a worker here are another
                // server's to dispatch (or to fail, if none has one).
                if !state.workers.of_app(instance.app_id).is_empty()
                    || instance.expected_trigger_time <= now_ms() as i64
                {
                    state.scheduler.instance_due(instance.id, instance.expected_trigger_time);
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot scan for waiting instances"),
    }
}

async fn dispatch_logged(state: &AppState, id: Id) {
    if let Err(e) = dispatch(state, id).await {
        tracing::error!(instance = id.0, error = %e, "cannot dispatch an instance");
    }
}

/// Dispatches one instance if it is still waiting and due.
pub async fn dispatch(state: &AppState, id: Id) -> Result<(), sqlx::Error> {
    let Some(instance) = store::fetch(&state.db, id).await? else { return Ok(()) };
    if instance.status != InstanceStatus::WaitingDispatch {
        return Ok(());
    }
    let now = now_ms() as i64;
    if instance.expected_trigger_time > now + 2 {
        state.scheduler.instance_due(id, instance.expected_trigger_time);
        return Ok(());
    }
    let Some(job) = crate::jobs::store::fetch(&state.db, instance.job_id).await? else {
        return reports::server_failure(state, &instance, None, "the job was deleted").await;
    };
    dispatch_to_worker(state, &instance, &job).await
}

/// Where an instance of a job can go: a worker, the workers that take
/// part with it, and what they run.
#[derive(Debug)]
pub struct Plan {
    worker: Arc<ConnectedWorker>,
    participants: Vec<Arc<ConnectedWorker>>,
    processor: ProcessorSpec,
}

impl Plan {
    /// The chosen worker's address (the instance's coordinator).
    pub fn address(&self) -> &str {
        &self.worker.address
    }

    /// What a WASM job runs: `container@label` and the digest (`None`s for
    /// official processors), recorded on the instance.
    pub fn ran(&self) -> (Option<String>, Option<String>) {
        match &self.processor {
            ProcessorSpec::Wasm { container, version, digest, .. } => {
                (Some(format!("{container}@{version}")), Some(digest.clone()))
            }
            ProcessorSpec::Official { .. } => (None, None),
        }
    }
}

/// Why an instance of a job cannot go to a worker of this server.
#[derive(Debug)]
pub enum NoPlan {
    /// It fails, for this reason.
    Fail(String),
    /// A worker of the app is connected to another server: leave it to it.
    Elsewhere,
}

/// Applies PowerJob's dispatch rules to an instance of `job`.
pub async fn plan(state: &AppState, job: &Job, instance_params: &str) -> Result<Result<Plan, NoPlan>, sqlx::Error> {
    let frequent = job.spec.time_expression_type.is_frequent();
    if job.spec.max_instance_num > 0 && !frequent {
        let live = store::live_count(&state.db, job.id).await?;
        if live >= i64::from(job.spec.max_instance_num) {
            let why = format!(
                "too many instances: {live} of this job are running and maxInstanceNum is {}",
                job.spec.max_instance_num
            );
            return Ok(Err(NoPlan::Fail(why)));
        }
    }
    let processor = match processor_of(state, job).await? {
        Ok(processor) => processor,
        Err(why) => return Ok(Err(NoPlan::Fail(why))),
    };
    // Official processors read the instance's params, else the job's.
    let params = if instance_params.trim().is_empty() { &job.spec.job_params } else { instance_params };
    let capability = wasmjob_official::required_capability(job.spec.processor_type, params);
    let candidates = state.workers.serving(job.app_id, capability);
    if candidates.is_empty() {
        let since = now_ms() as i64 - state.config.worker_timeout_ms as i64;
        if worker_store::live_elsewhere(&state.db, job.app_id, state.workers.server_id(), since).await? {
            return Ok(Err(NoPlan::Elsewhere));
        }
        let present = state.workers.of_app(job.app_id);
        let pool_only = present.iter().all(|w| w.app_id.is_none());
        let why = if present.is_empty() {
            "no worker available: no worker of this app is connected".to_string()
        } else if pool_only && job.spec.processor_type.is_official() {
            format!(
                "no worker enables processor {capability}: only shared pool workers are connected, and they run \
                 WASM processors only (start a worker of the app to run official processors)"
            )
        } else {
            format!("no worker enables processor {capability}")
        };
        return Ok(Err(NoPlan::Fail(why)));
    }
    let choice = match select::choose(job, candidates) {
        Ok(choice) => choice,
        Err(why) => return Ok(Err(NoPlan::Fail(why))),
    };
    let participants = participants(job, &choice);
    Ok(Ok(Plan { worker: choice.coordinator, participants, processor }))
}

/// The workers that take part in an instance besides its coordinator: for
/// BROADCAST, MAP and MAP_REDUCE jobs run once (of wasm or official
/// processors), every other eligible worker that (like the coordinator) has
/// a peer listener.
fn participants(job: &Job, choice: &select::Choice) -> Vec<Arc<ConnectedWorker>> {
    let spread = job.spec.execute_type.is_distributed()
        && !job.spec.time_expression_type.is_frequent()
        && choice.coordinator.peer_address.is_some();
    if !spread {
        return Vec::new();
    }
    choice.others.iter().filter(|w| w.peer_address.is_some()).cloned().collect()
}

/// A fresh secret for the workers of one attempt.
fn peer_token() -> PeerToken {
    PeerToken(hex::encode(rand::random::<[u8; 16]>()))
}

/// Picks a worker for a waiting instance of `job` and sends it there.
pub async fn dispatch_to_worker(state: &AppState, instance: &Instance, job: &Job) -> Result<(), sqlx::Error> {
    let plan = match plan(state, job, &instance.instance_params).await? {
        Ok(plan) => plan,
        Err(NoPlan::Elsewhere) => return Ok(()),
        Err(NoPlan::Fail(why)) => return reports::server_failure(state, instance, Some(job), &why).await,
    };
    if !store::claim(&state.db, instance.id, plan.address(), plan.ran(), now_ms() as i64).await? {
        return Ok(()); // stopped, canceled or taken meanwhile
    }
    send(state, plan, instance, job).await
}

/// Sends an instance claimed for the plan's worker to it (back to the
/// queue if the link just closed).
pub async fn send(state: &AppState, plan: Plan, instance: &Instance, job: &Job) -> Result<(), sqlx::Error> {
    let Plan { worker, participants, processor } = plan;
    let frequent = job.spec.time_expression_type.is_frequent();
    let assignment = Assignment { job_id: job.id, frequent, participant: false, finished_at: None };
    worker.assign(instance.id, assignment);
    let dispatch = Dispatch {
        instance_id: instance.id.0,
        job_id: job.id.0,
        attempt: instance.running_times,
        execute_type: job.spec.execute_type,
        processor,
        job_params: job.spec.job_params.clone(),
        instance_params: instance.instance_params.clone(),
        time_limit_ms: job.spec.instance_time_limit,
        concurrency: job.spec.concurrency,
        task_retry_num: job.spec.task_retry_num,
        schedule: run_schedule(job),
        log_level: job.spec.log_config.level,
        ship_logs: job.spec.log_config.kind == LogType::Online,
        participants: participants.iter().map(|w| w.address.clone()).collect(),
        peer_token: if participants.is_empty() { PeerToken::default() } else { peer_token() },
        paddling: job.spec.task_tracker_behavior == TaskTrackerBehavior::Paddling,
        skip_reduce_on_failure: job.spec.skip_reduce_on_failure,
    };
    let join = worker.peer_address.clone().map(|peer| Join {
        dispatch: dispatch.clone(),
        coordinator: worker.address.clone(),
        coordinator_peer: peer,
    });
    // The worker's first log line says it received the instance: no
    // server note here, one write less per instance.
    if !worker.send(ServerMessage::Dispatch(Box::new(dispatch))) {
        let now = now_ms() as i64;
        store::requeue(&state.db, instance.id, instance.running_times, now).await?;
        state.scheduler.instance_due(instance.id, now + 100);
        return Ok(());
    }
    if let Some(join) = join {
        for participant in participants {
            participant.assign(instance.id, Assignment { participant: true, ..assignment });
            participant.send(ServerMessage::Join(Box::new(join.clone())));
        }
    }
    Ok(())
}

async fn processor_of(state: &AppState, job: &Job) -> Result<Result<ProcessorSpec, String>, sqlx::Error> {
    if job.spec.processor_type != ProcessorType::Wasm {
        return Ok(Ok(ProcessorSpec::Official {
            processor_type: job.spec.processor_type,
            processor_info: job.spec.processor_info.clone(),
        }));
    }
    let key = (job.app_id, job.spec.processor_info.clone());
    let now = now_ms() as i64;
    if let Some(known) = state.scheduler.resolved.get(&key, now) {
        return Ok(known);
    }
    let resolved = resolve(&state.db, job.app_id, &job.spec.processor_info).await?.map(|a| ProcessorSpec::Wasm {
        container: a.container,
        version: a.version,
        digest: a.digest,
        size: a.size,
    });
    if let Ok(spec) = &resolved {
        state.scheduler.resolved.put(key, now, spec.clone());
    }
    Ok(resolved)
}

/// What `container[@version]` resolved to, per app, for a second: a burst
/// of dispatches of one job reads the container once. A new deployment is
/// seen within that second; a name that did not resolve is asked again.
#[derive(Debug, Default)]
pub(super) struct ResolvedContainers {
    entries: std::sync::Mutex<std::collections::HashMap<(Id, String), (i64, ProcessorSpec)>>,
}

/// How long a resolution is reused, in milliseconds.
const RESOLVED_FOR_MS: i64 = 1000;

impl ResolvedContainers {
    fn get(&self, key: &(Id, String), now: i64) -> Option<Result<ProcessorSpec, String>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(at, _)| now - at < RESOLVED_FOR_MS).map(|(_, spec)| Ok(spec.clone()))
    }

    /// Forgets every resolution.
    pub(super) fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn put(&self, key: (Id, String), now: i64, resolved: ProcessorSpec) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| now - *at < RESOLVED_FOR_MS);
        }
        entries.insert(key, (now, resolved));
    }
}

fn run_schedule(job: &Job) -> RunSchedule {
    let interval_ms = job.spec.time_expression.trim().parse::<u64>().unwrap_or(1000);
    let until = job.spec.lifecycle.end;
    match job.spec.time_expression_type {
        TimeExpressionType::FixedRate => RunSchedule::FixedRate { interval_ms, until },
        TimeExpressionType::FixedDelay => RunSchedule::FixedDelay { interval_ms, until },
        _ => RunSchedule::Once,
    }
}
