//! `GET /apps/{id}/overview`: an app's dashboard in one call: how many
//! jobs it has, how its instances stand (now and over the last day), its
//! newest failures and its workers. Plain `COUNT`s, the same on SQLite,
//! PostgreSQL and MySQL.

use crate::api::params::AppIdPath;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::ids::{Id, now_ms};
use crate::instances::model::{Instance, InstanceStatus};
use crate::instances::store::{self as instances, InstanceFilter};
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How many failures the overview lists.
pub const RECENT_FAILURES: u32 = 10;

/// The window of the overview's day counts.
const DAY_MS: i64 = 86_400_000;

/// An app's dashboard.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppOverview {
    /// The app's jobs.
    pub jobs: JobCounts,
    /// Its instances.
    pub instances: InstanceCounts,
    /// Its newest `FAILED` instances (up to 10), newest first, as the
    /// instance list shows them.
    pub recent_failures: Vec<Instance>,
    /// The workers that serve it: its own and the shared pool's.
    pub workers: WorkerCounts,
}

/// Jobs of an app (deleted ones not counted).
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct JobCounts {
    /// Every job.
    pub total: i64,
    /// The enabled ones.
    pub enabled: i64,
}

/// Instances of an app.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InstanceCounts {
    /// `RUNNING` now.
    pub running: i64,
    /// Waiting for a worker now: `WAITING_DISPATCH` and
    /// `WAITING_WORKER_RECEIVE`.
    pub waiting: i64,
    /// Finished `SUCCEED` within the last 24 hours.
    pub succeeded_last24h: i64,
    /// Finished `FAILED` within the last 24 hours.
    pub failed_last24h: i64,
}

/// Workers that serve an app.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WorkerCounts {
    /// Connected, with a heartbeat within the worker timeout.
    pub alive: i64,
    /// Every worker registered for it, alive or not.
    pub total: i64,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(app_overview))
}

/// An app's dashboard: job and worker counts, instances running, waiting
/// and finished in the last 24 hours, and the newest failures.
#[utoipa::path(get, path = "/apps/{id}/overview", tag = "apps",
    params(AppIdPath),
    responses((status = 200, body = AppOverview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn app_overview(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
) -> ApiResult<Json<AppOverview>> {
    principal.require_app(app)?;
    let db = &state.db;
    crate::apps::require_exists(db, app).await?;
    let now = now_ms() as i64;
    let jobs = job_counts(&state, app).await?;
    let instances = instance_counts(&state, app, now - DAY_MS).await?;
    let failed = InstanceFilter { statuses: vec![InstanceStatus::Failed], ..Default::default() };
    let (recent_failures, _) = instances::list(db, app, &failed, true, (0, RECENT_FAILURES)).await?;
    let workers = worker_counts(&state, app, now - state.config.worker_timeout_ms as i64).await?;
    Ok(Json(AppOverview { jobs, instances, recent_failures, workers }))
}

async fn job_counts(state: &AppState, app: Id) -> Result<JobCounts, sqlx::Error> {
    let (total, enabled): (i64, i64) = sqlx::query_as(&state.db.sql(
        "SELECT (SELECT COUNT(*) FROM job WHERE app_id = ? AND status <> 'DELETED'), \
         (SELECT COUNT(*) FROM job WHERE app_id = ? AND status = 'ENABLED')",
    ))
    .bind(app.0)
    .bind(app.0)
    .fetch_one(state.db.pool())
    .await?;
    Ok(JobCounts { total, enabled })
}

async fn instance_counts(state: &AppState, app: Id, since: i64) -> Result<InstanceCounts, sqlx::Error> {
    let (running, waiting, succeeded_last24h, failed_last24h): (i64, i64, i64, i64) = sqlx::query_as(&state.db.sql(
        "SELECT (SELECT COUNT(*) FROM job_instance WHERE app_id = ? AND status = 'RUNNING'), \
             (SELECT COUNT(*) FROM job_instance WHERE app_id = ? \
              AND status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE')), \
             (SELECT COUNT(*) FROM job_instance WHERE app_id = ? AND status = 'SUCCEED' AND finished_time >= ?), \
             (SELECT COUNT(*) FROM job_instance WHERE app_id = ? AND status = 'FAILED' AND finished_time >= ?)",
    ))
    .bind(app.0)
    .bind(app.0)
    .bind(app.0)
    .bind(since)
    .bind(app.0)
    .bind(since)
    .fetch_one(state.db.pool())
    .await?;
    Ok(InstanceCounts { running, waiting, succeeded_last24h, failed_last24h })
}

/// The workers `GET /apps/{id}/workers` lists: the app's own and the
/// shared pool's (`app_id IS NULL`).
async fn worker_counts(state: &AppState, app: Id, alive_since: i64) -> Result<WorkerCounts, sqlx::Error> {
    let (alive, total): (i64, i64) = sqlx::query_as(&state.db.sql(
        "SELECT (SELECT COUNT(*) FROM worker WHERE (app_id = ? OR app_id IS NULL) AND connected = 1 \
              AND last_heartbeat >= ?), \
         (SELECT COUNT(*) FROM worker WHERE app_id = ? OR app_id IS NULL)",
    ))
    .bind(app.0)
    .bind(alive_since)
    .bind(app.0)
    .fetch_one(state.db.pool())
    .await?;
    Ok(WorkerCounts { alive, total })
}
