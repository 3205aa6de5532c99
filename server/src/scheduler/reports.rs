//! What workers report, and how instances end: a report counts only when
//! it comes from the instance's coordinator for its current attempt; a
//! failed instance with retries left waits the job's retry interval (times
//! the backoff per attempt) and goes back to the queue; the end of a
//! FIXED_RATE / FIXED_DELAY instance re-arms its job.

use crate::ids::{Id, now_ms};
use crate::instances::logs;
use crate::instances::model::{Instance, InstanceProgress, InstanceStatus};
use crate::instances::store;
use crate::jobs::model::Job;
use crate::state::AppState;
use crate::workers::ConnectedWorker;
use std::sync::Arc;
use wasmjob_vocab::{LogLevel, Word};
use wasmjob_wire::{ReportedStatus, StatusReport, SubRunReport};

/// Longest stored result message, in characters.
const MAX_RESULT: usize = 8192;

/// Applies a status report.
pub async fn on_status(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    report: StatusReport,
) -> Result<(), sqlx::Error> {
    let id = Id(report.instance_id);
    let now = now_ms() as i64;
    let Some(assignment) = adopt(state, worker, report.instance_id).await?.filter(|a| !a.participant) else {
        tracing::debug!(instance = id.0, address = %worker.address, "report for an instance that is not this worker's");
        return Ok(());
    };
    let status = match report.status {
        ReportedStatus::Running => {
            store::mark_running(&state.db, id, report.attempt, &worker.address, now).await?;
            return Ok(());
        }
        ReportedStatus::Succeed => InstanceStatus::Succeed,
        ReportedStatus::Failed => InstanceStatus::Failed,
        ReportedStatus::Stopped => InstanceStatus::Stopped,
    };
    let result = clip(&report.result);
    let progress = report.progress.map(bounded);
    let mut appends = report.workflow_appends;
    appends.truncate(MAX_APPENDS);
    // A failure the job retries goes back to the queue in the same write.
    let job = match status {
        InstanceStatus::Failed => crate::jobs::store::fetch(&state.db, assignment.job_id).await?,
        _ => None,
    };
    let retry = job.as_ref().and_then(|job| retry_plan(job, report.attempt));
    let ending = store::Ending {
        status,
        result: &result,
        progress: progress.as_ref(),
        appends: &appends,
        retry_at: retry.map(|r| r.due(now)),
    };
    if !store::finish(&state.db, id, report.attempt, &worker.address, &ending, now).await? {
        tracing::debug!(instance = id.0, attempt = report.attempt, "stale or foreign report ignored");
        return Ok(());
    }
    for holder in state.workers.holding(report.instance_id) {
        holder.finished(report.instance_id);
    }
    if status != InstanceStatus::Succeed {
        // The worker logged the ending; say it on the server's side when it
        // is not a success, so a failure stands out in the log.
        let note = format!("{} on worker {}: {}", status.name(), worker.address, first_line(&result));
        logs::append(&state.db, id, "WARN", &note).await?;
    }
    if let Some(retry) = retry {
        return retried(state, id, retry, now).await;
    }
    // Only a failure fetched the job.
    if let Some(job) = job.filter(|_| assignment.frequent) {
        return super::triggers::rearm_after_failure(state, &job).await;
    }
    if assignment.frequent {
        super::triggers::rearm(state, assignment.job_id).await?;
    }
    Ok(())
}

/// Records a FIXED_RATE / FIXED_DELAY sub-run: a log line, and the
/// running summary as the instance's result.
pub async fn on_sub_run(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    report: SubRunReport,
) -> Result<(), sqlx::Error> {
    if adopt(state, worker, report.instance_id).await?.is_none() {
        return Ok(());
    }
    let took = report.finished_at - report.started_at;
    let verdict = if report.success { "succeeded" } else { "failed" };
    let note = format!("sub-run {} {verdict} in {took} ms: {}", report.sub_instance_id, first_line(&report.result));
    let line = wasmjob_wire::LogLine {
        instance_id: report.instance_id,
        time: report.finished_at,
        level: if report.success { LogLevel::Info } else { LogLevel::Warn },
        task_id: format!("#{}", report.sub_instance_id),
        source: "host".into(),
        message: note,
    };
    logs::append_lines(&state.db, &[line]).await?;
    let summary = format!("sub-run {} {verdict}: {}", report.sub_instance_id, clip(&report.result));
    sqlx::query(&state.db.sql(
        "UPDATE job_instance SET result = ?, updated_at = ? WHERE id = ? AND running_times = ? AND coordinator = ? \
         AND status = 'RUNNING'",
    ))
    .bind(summary)
    .bind(now_ms() as i64)
    .bind(report.instance_id)
    .bind(report.attempt)
    .bind(&worker.address)
    .execute(state.db.pool())
    .await?;
    Ok(())
}

/// The assignment of an instance to this worker: the link's own record, or
/// — after the worker reconnected, or when another server dispatched it —
/// the database's, if the instance's coordinator is this worker.
pub async fn adopt(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    instance: i64,
) -> Result<Option<crate::workers::Assignment>, sqlx::Error> {
    if let Some(assignment) = worker.assignment(instance) {
        return Ok(Some(assignment));
    }
    let Some(found) = store::fetch(&state.db, Id(instance)).await? else { return Ok(None) };
    let serves = worker.app_id.is_none_or(|app| app == found.app_id);
    if !serves || found.coordinator.as_deref() != Some(worker.address.as_str()) {
        return Ok(None);
    }
    let Some(job) = crate::jobs::store::fetch(&state.db, found.job_id).await? else { return Ok(None) };
    let assignment = crate::workers::Assignment {
        job_id: job.id,
        frequent: job.spec.time_expression_type.is_frequent(),
        participant: false,
        finished_at: None,
    };
    worker.adopt(found.id, assignment);
    Ok(Some(assignment))
}

/// Ends an unfinished instance with a verdict of the server's own (no
/// worker available, worker lost, time limit, job deleted), then retries
/// it if the job allows.
pub async fn server_failure(
    state: &AppState,
    instance: &Instance,
    job: Option<&Job>,
    why: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms() as i64;
    let retry = job.and_then(|job| retry_plan(job, instance.running_times));
    let ending =
        store::Ending { retry_at: retry.map(|r| r.due(now)), ..store::Ending::new(InstanceStatus::Failed, why) };
    if !store::fail_unfinished(&state.db, instance.id, instance.running_times, &ending, now).await? {
        return Ok(());
    }
    logs::append(&state.db, instance.id, "ERROR", why).await?;
    if let Some(retry) = retry {
        return retried(state, instance.id, retry, now).await;
    }
    if let Some(job) = job.filter(|j| j.spec.time_expression_type.is_frequent()) {
        super::triggers::rearm_after_failure(state, job).await?;
    }
    Ok(())
}

/// The next attempt of a failed instance, when its job has retries left.
#[derive(Debug, Clone, Copy)]
struct Retry {
    /// Which retry this is, from 1.
    number: u32,
    /// How many the job allows.
    allowed: u32,
    /// How long after the failure it is due, in milliseconds.
    delay_ms: u64,
}

impl Retry {
    fn due(self, now: i64) -> i64 {
        now + self.delay_ms as i64
    }
}

/// Whether the job retries a failure of attempt `attempt`, and when.
fn retry_plan(job: &Job, attempt: i64) -> Option<Retry> {
    let retries_done = attempt - 1;
    if retries_done >= i64::from(job.spec.instance_retry_num) {
        return None;
    }
    let number = (retries_done + 1) as u32;
    let delay_ms = wasmjob_schedule::retry_delay_ms(
        job.spec.instance_retry_interval,
        job.spec.instance_retry_backoff,
        number,
        86_400_000,
    );
    Some(Retry { number, allowed: job.spec.instance_retry_num, delay_ms })
}

/// Says in the log when a requeued failure runs again, and tells the
/// scheduler.
async fn retried(state: &AppState, id: Id, retry: Retry, now: i64) -> Result<(), sqlx::Error> {
    let note = format!("retry {} of {} in {} ms", retry.number, retry.allowed, retry.delay_ms);
    logs::append(&state.db, id, "INFO", &note).await?;
    state.scheduler.instance_due(id, retry.due(now));
    Ok(())
}

/// Stops unfinished instances on the server's word (a FIXED_RATE job
/// changed or was disabled): STOPPED with `why`, their workers told, a log
/// line each.
pub async fn stop_instances(state: &AppState, ids: &[i64], why: &str) -> Result<(), sqlx::Error> {
    use InstanceStatus::{Running, Stopped, WaitingDispatch, WaitingWorkerReceive};
    for id in ids {
        let Some(instance) = store::fetch(&state.db, Id(*id)).await? else { continue };
        let from = [WaitingDispatch, WaitingWorkerReceive, Running];
        if store::transition(&state.db, instance.id, &from, Stopped, why, now_ms() as i64).await? {
            stop_on_worker(state, &instance, why);
            logs::append(&state.db, instance.id, "INFO", why).await?;
        }
    }
    Ok(())
}

/// Tells the workers of an instance that ended on the server (stopped,
/// canceled, failed by the sweeper) to stop it: its coordinator and the
/// participants connected here (the coordinator stops the others).
pub fn stop_on_worker(state: &AppState, instance: &Instance, reason: &str) {
    let coordinator = instance.coordinator.as_deref().and_then(|address| state.workers.find(instance.app_id, address));
    let mut told = state.workers.holding(instance.id.0);
    if let Some(coordinator) = coordinator.filter(|c| !told.iter().any(|w| Arc::ptr_eq(w, c))) {
        told.push(coordinator);
    }
    for worker in told {
        worker.send(wasmjob_wire::ServerMessage::Stop(wasmjob_wire::Stop {
            instance_id: instance.id.0,
            attempt: None,
            reason: reason.to_string(),
        }));
        worker.finished(instance.id.0);
    }
}

/// Records the task counts and workers a coordinator reports.
pub async fn on_progress(
    state: &AppState,
    worker: &Arc<ConnectedWorker>,
    report: wasmjob_wire::ProgressReport,
) -> Result<(), sqlx::Error> {
    let progress = bounded(report.progress);
    store::set_progress(&state.db, Id(report.instance_id), report.attempt, &worker.address, &progress).await?;
    Ok(())
}

/// A reported progress cut to what the server keeps.
fn bounded(mut progress: InstanceProgress) -> InstanceProgress {
    progress.workers.truncate(MAX_REPORTED_WORKERS);
    for share in &mut progress.workers {
        share.address = share.address.chars().take(255).collect();
        share.state = share.state.chars().take(16).collect();
    }
    progress
}

/// Workflow context pairs kept from one report at most.
const MAX_APPENDS: usize = 1000;

/// Workers of one instance kept in its progress at most.
const MAX_REPORTED_WORKERS: usize = 1000;

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_RESULT {
        return text.to_string();
    }
    let kept: String = text.chars().take(MAX_RESULT).collect();
    format!("{kept}… [truncated]")
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(500) {
        Some((end, _)) => &line[..end],
        None => line,
    }
}
