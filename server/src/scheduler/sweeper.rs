//! The sweeper, once a second: workers that went silent are dropped and
//! their instances failed (naming the lost worker) or retried; instances a
//! worker never acknowledged go back to the queue; instances past their
//! time limit fail and are stopped; the live instance of a FIXED_RATE /
//! FIXED_DELAY job that was disabled is stopped; old log lines go.

use super::reports;
use crate::ids::{Id, now_ms};
use crate::instances::{logs, store};
use crate::state::AppState;
use std::time::Duration;

/// How often the sweeper runs.
const EVERY: Duration = Duration::from_millis(1000);

/// An instance its worker has not acknowledged after this long is sent
/// again (unless its worker's link here is alive: frames arrive in order,
/// so the dispatch is in the worker's hands; a backlog is not a loss).
const RECEIVE_TIMEOUT_MS: i64 = 30_000;

/// Time limits are enforced by the worker; the server steps in this much
/// later if the worker did not.
const TIME_LIMIT_GRACE_MS: i64 = 2000;

/// The sweeper loop.
pub(super) async fn run(state: AppState) {
    let mut last_retention = 0i64;
    loop {
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = state.scheduler.sweep.notified() => {}
        }
        if let Err(e) = sweep(&state).await {
            tracing::error!(error = %e, "sweep failed");
        }
        let now = now_ms() as i64;
        if now - last_retention > 3_600_000 {
            last_retention = now;
            let before = now - state.config.log_retention_days as i64 * 86_400_000;
            match logs::delete_before(&state.db, before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(lines = n, "deleted log lines past their retention"),
                Err(e) => tracing::error!(error = %e, "log retention failed"),
            }
        }
    }
}

async fn sweep(state: &AppState) -> Result<(), sqlx::Error> {
    let now = now_ms() as i64;
    let timeout = state.config.worker_timeout_ms as i64;
    for worker in state.workers.all() {
        if now - worker.last_seen() > timeout && state.workers.remove(&worker) {
            tracing::warn!(address = %worker.address, "worker silent for {timeout} ms: dropped");
            crate::workers::store::disconnected(&state.db, worker.id, state.workers.server_id()).await?;
        }
    }
    lost_instances(state, now, timeout).await?;
    over_time(state, now).await?;
    disabled_frequent(state).await
}

type HeldRow = (i64, i64, i64, String, Option<String>, i64);

/// Instances with workers that are gone.
async fn lost_instances(state: &AppState, now: i64, timeout: i64) -> Result<(), sqlx::Error> {
    let held: Vec<HeldRow> = sqlx::query_as(&state.db.sql(
        "SELECT i.id, i.job_id, i.app_id, i.status, i.coordinator, i.updated_at FROM job_instance i \
         WHERE i.status IN ('WAITING_WORKER_RECEIVE', 'RUNNING') AND NOT EXISTS (SELECT 1 FROM worker w \
         WHERE w.address = i.coordinator AND (w.app_id = i.app_id OR w.app_id IS NULL) AND w.connected = 1 \
         AND w.last_heartbeat >= ?) LIMIT 1000",
    ))
    .bind(now - timeout)
    .fetch_all(state.db.pool())
    .await?;
    for (id, job_id, _app, status, coordinator, updated_at) in held {
        // A worker that just registered may not have its row yet.
        if now - updated_at < 1000 {
            continue;
        }
        let Some(instance) = store::fetch(&state.db, Id(id)).await? else { continue };
        let address = coordinator.unwrap_or_default();
        let job = crate::jobs::store::fetch(&state.db, Id(job_id)).await?;
        let why = format!("worker {address} was lost ({status} when it stopped answering)");
        reports::server_failure(state, &instance, job.as_ref(), &why).await?;
    }
    let stuck: Vec<(i64, i64, i64, Option<String>)> = sqlx::query_as(&state.db.sql(
        "SELECT id, running_times, app_id, coordinator FROM job_instance WHERE status = 'WAITING_WORKER_RECEIVE' \
         AND updated_at < ? LIMIT 1000",
    ))
    .bind(now - RECEIVE_TIMEOUT_MS)
    .fetch_all(state.db.pool())
    .await?;
    let heard_within = 3 * state.config.heartbeat_interval_ms as i64;
    for (id, attempt, app, coordinator) in stuck {
        let linked = coordinator
            .and_then(|address| state.workers.find(Id(app), &address))
            .is_some_and(|w| now - w.last_seen() < heard_within);
        if linked {
            continue;
        }
        if store::requeue(&state.db, Id(id), attempt, now).await? {
            logs::append(&state.db, Id(id), "WARN", "the worker did not acknowledge the dispatch: sending it again")
                .await?;
            state.scheduler.instance_due(Id(id), now);
        }
    }
    Ok(())
}

/// Running instances past their job's time limit (for FIXED_RATE /
/// FIXED_DELAY the limit is each sub-run's, enforced by the worker).
async fn over_time(state: &AppState, now: i64) -> Result<(), sqlx::Error> {
    let late: Vec<(i64, i64, i64)> = sqlx::query_as(&state.db.sql(
        "SELECT i.id, i.job_id, j.instance_time_limit FROM job_instance i JOIN job j ON j.id = i.job_id \
         WHERE i.status IN ('WAITING_WORKER_RECEIVE', 'RUNNING') AND j.instance_time_limit > 0 \
         AND j.time_expression_type NOT IN ('FIXED_RATE', 'FIXED_DELAY') \
         AND i.actual_trigger_time + j.instance_time_limit + ? < ? LIMIT 1000",
    ))
    .bind(TIME_LIMIT_GRACE_MS)
    .bind(now)
    .fetch_all(state.db.pool())
    .await?;
    for (id, job_id, limit) in late {
        let Some(instance) = store::fetch(&state.db, Id(id)).await? else { continue };
        let job = crate::jobs::store::fetch(&state.db, Id(job_id)).await?;
        let why = format!("the instance exceeded its time limit of {limit} ms");
        reports::stop_on_worker(state, &instance, &why);
        reports::server_failure(state, &instance, job.as_ref(), &why).await?;
    }
    Ok(())
}

/// Live instances of FIXED_RATE / FIXED_DELAY jobs that are no longer
/// enabled.
async fn disabled_frequent(state: &AppState) -> Result<(), sqlx::Error> {
    let orphans: Vec<(i64,)> = sqlx::query_as(&state.db.sql(
        "SELECT i.id FROM job_instance i JOIN job j ON j.id = i.job_id \
         WHERE i.status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE', 'RUNNING') \
         AND j.time_expression_type IN ('FIXED_RATE', 'FIXED_DELAY') AND j.status <> 'ENABLED' LIMIT 1000",
    ))
    .fetch_all(state.db.pool())
    .await?;
    let ids: Vec<i64> = orphans.into_iter().map(|(id,)| id).collect();
    reports::stop_instances(state, &ids, "stopped: the job was disabled").await
}
