//! Instance routes: run a job, detail, status, list, stop, cancel, retry.

use super::logs;
use super::model::{Instance, InstancePage, InstanceStatus, TriggerType};
use super::store::{self, InstanceFilter};
use crate::api::params::{AppIdPath, DecimalId, InstanceIdPath, JobIdPath};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::{Id, now_ms};
use crate::json::{IdPath, ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_vocab::Word;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run_job))
        .routes(routes!(get_instance))
        .routes(routes!(instance_status))
        .routes(routes!(list_instances))
        .routes(routes!(stop_instance))
        .routes(routes!(cancel_instance))
        .routes(routes!(retry_instance))
}

/// A run of a job.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct RunJob {
    /// Parameters of this run (laid over the job's by processors).
    #[schema(max_length = 65536)]
    pub instance_params: String,
    /// Run this many milliseconds from now (at most 30 days).
    #[schema(maximum = 2_592_000_000_u64)]
    pub delay_ms: u64,
}

const MAX_DELAY_MS: u64 = 30 * 24 * 3_600_000;

impl Validate for RunJob {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        if self.instance_params.len() > 65_536 {
            problems.push(FieldError { field: "instanceParams".into(), message: "at most 65536 bytes".into() });
        }
        if self.delay_ms > MAX_DELAY_MS {
            problems.push(FieldError { field: "delayMs".into(), message: format!("at most {MAX_DELAY_MS} (30 days)") });
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// Runs a job now or after a delay: a new instance waiting for dispatch.
#[utoipa::path(post, path = "/jobs/{id}/run", tag = "instances",
    params(JobIdPath), request_body = RunJob,
    responses((status = 201, body = Instance), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_job(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(job): IdPath,
    body: ValidJson<RunJob>,
) -> ApiResult<(StatusCode, Json<Instance>)> {
    let job = crate::jobs::store::fetch(&state.db, job).await?.ok_or(ApiError::NotFound("job"))?;
    principal.require_app(job.app_id)?;
    let request = body.get()?;
    let now = now_ms() as i64;
    let instance = Instance {
        id: state.ids.next(),
        job_id: job.id,
        app_id: job.app_id,
        status: InstanceStatus::WaitingDispatch,
        trigger_type: TriggerType::Api,
        instance_params: request.instance_params,
        expected_trigger_time: now + request.delay_ms as i64,
        actual_trigger_time: None,
        finished_time: None,
        result: String::new(),
        coordinator: None,
        running_times: 1,
        created_at: now,
        updated_at: now,
        container_version: None,
        container_digest: None,
        progress: Default::default(),
        workflow_appends: Default::default(),
    };
    store::insert(&state.db, state.db.pool(), &instance, None).await?;
    if request.delay_ms > 0 {
        let note = format!("run requested through the API, due in {} ms", request.delay_ms);
        logs::append(&state.db, instance.id, "INFO", &note).await?;
    }
    if request.delay_ms == 0 && !state.workers.of_app(job.app_id).is_empty() {
        // Due now and a worker is here: dispatch it from here, with the job
        // and instance in hand.
        let (state, instance, job) = (state.clone(), instance.clone(), job);
        tokio::spawn(async move {
            if let Err(e) = crate::scheduler::dispatch::dispatch_to_worker(&state, &instance, &job).await {
                tracing::error!(instance = instance.id.0, error = %e, "cannot dispatch an instance");
                state.scheduler.instance_due(instance.id, instance.expected_trigger_time);
            }
        });
    } else {
        state.scheduler.instance_due(instance.id, instance.expected_trigger_time);
    }
    Ok((StatusCode::CREATED, Json(instance)))
}

async fn authorized(state: &AppState, principal: &Principal, id: Id) -> ApiResult<Instance> {
    let instance = store::fetch(&state.db, id).await?.ok_or(ApiError::NotFound("instance"))?;
    principal.require_app(instance.app_id)?;
    Ok(instance)
}

/// An instance's detail.
#[utoipa::path(get, path = "/instances/{id}", tag = "instances", params(InstanceIdPath),
    responses((status = 200, body = Instance), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_instance(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Instance>> {
    Ok(Json(authorized(&state, &principal, id).await?))
}

/// Just the status of an instance.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusReply {
    /// Where it stands.
    pub status: InstanceStatus,
}

/// An instance's status.
#[utoipa::path(get, path = "/instances/{id}/status", tag = "instances", params(InstanceIdPath),
    responses((status = 200, body = StatusReply), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn instance_status(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<StatusReply>> {
    Ok(Json(StatusReply { status: authorized(&state, &principal, id).await?.status }))
}

/// Filters and paging of an instance listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InstanceQuery {
    /// Instances of this job.
    #[param(value_type = Option<DecimalId>)]
    job_id: Option<String>,
    /// In this status (`RUNNING`, `FAILED`, ...), or in any of several
    /// separated by commas (`WAITING_DISPATCH,WAITING_WORKER_RECEIVE`).
    #[param(
        pattern = r"^(WAITING_DISPATCH|WAITING_WORKER_RECEIVE|RUNNING|FAILED|SUCCEED|CANCELED|STOPPED)(,(WAITING_DISPATCH|WAITING_WORKER_RECEIVE|RUNNING|FAILED|SUCCEED|CANCELED|STOPPED))*$"
    )]
    status: Option<String>,
    /// Created at or after, Unix milliseconds.
    from: Option<i64>,
    /// Created before, Unix milliseconds.
    to: Option<i64>,
    /// Page number from 0.
    #[param(value_type = Option<u64>, maximum = 4_294_967_295_u64)]
    page: Option<u32>,
    /// Page size, 1 to 500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    size: Option<u32>,
    /// `-createdAt` (default) or `createdAt`.
    #[param(pattern = "^-?createdAt$")]
    sort: Option<String>,
}

/// Lists an app's instances, newest first.
#[utoipa::path(get, path = "/apps/{id}/instances", tag = "instances",
    params(AppIdPath, InstanceQuery),
    responses((status = 200, body = InstancePage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_instances(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    query: Result<Query<InstanceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<InstancePage>> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut problems = Vec::new();
    let job = match q.job_id.as_deref().map(str::parse::<Id>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            problems.push(FieldError { field: "jobId".into(), message: "not an id".into() });
            None
        }
    };
    let mut statuses = Vec::new();
    for name in q.status.as_deref().map(|s| s.split(',').map(str::trim).collect()).unwrap_or_else(Vec::new) {
        match InstanceStatus::from_name(name) {
            Some(status) if !statuses.contains(&status) => statuses.push(status),
            Some(_) => {}
            None => problems.push(FieldError {
                field: "status".into(),
                message: format!(
                    "`{name}` is not a status: use one of {}, or several separated by commas",
                    InstanceStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
    let size = q.size.unwrap_or(20);
    if !(1..=500).contains(&size) {
        problems.push(FieldError { field: "size".into(), message: "must be between 1 and 500".into() });
    }
    let newest_first = match q.sort.as_deref().unwrap_or("-createdAt") {
        "-createdAt" => true,
        "createdAt" => false,
        other => {
            problems.push(FieldError {
                field: "sort".into(),
                message: format!("`{other}` is not createdAt or -createdAt"),
            });
            true
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let filter = InstanceFilter { job, statuses, from: q.from, to: q.to };
    let page = q.page.unwrap_or(0);
    let (items, total) = store::list(&state.db, app, &filter, newest_first, (page, size)).await?;
    Ok(Json(InstancePage { items, total, page, size }))
}

/// Applies a status change or explains why it does not apply.
async fn change(
    state: &AppState,
    principal: &Principal,
    id: Id,
    (from, to): (&[InstanceStatus], InstanceStatus),
    note: &str,
) -> ApiResult<Json<Instance>> {
    let instance = authorized(state, principal, id).await?;
    if !store::transition(&state.db, id, from, to, note, now_ms() as i64).await? {
        let allowed = from.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
        return Err(ApiError::Conflict {
            field: "status",
            message: format!("the instance is {}; this applies only to {allowed}", instance.status.name()),
        });
    }
    logs::append(&state.db, id, "INFO", note).await?;
    // The instance as this request left it, read before the scheduler is
    // told: a retry it dispatches at once may already have failed again.
    let changed = authorized(state, principal, id).await?;
    match to {
        InstanceStatus::WaitingDispatch => state.scheduler.instance_due(id, now_ms() as i64),
        InstanceStatus::Stopped | InstanceStatus::Canceled => {
            crate::scheduler::reports::stop_on_worker(state, &instance, "requested through the API");
            // A stopped FIXED_RATE / FIXED_DELAY instance is replaced while
            // its job stays enabled (PowerJob does the same).
            crate::scheduler::triggers::rearm(state, instance.job_id).await?;
        }
        _ => {}
    }
    Ok(Json(changed))
}

/// Stops an instance that is waiting or running.
#[utoipa::path(post, path = "/instances/{id}/stop", tag = "instances", params(InstanceIdPath),
    responses((status = 200, body = Instance), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn stop_instance(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Instance>> {
    use InstanceStatus::*;
    change(&state, &principal, id, (&[WaitingDispatch, WaitingWorkerReceive, Running], Stopped), "stopped on request")
        .await
}

/// Cancels an instance that has not been dispatched yet (a delayed run).
#[utoipa::path(post, path = "/instances/{id}/cancel", tag = "instances", params(InstanceIdPath),
    responses((status = 200, body = Instance), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_instance(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Instance>> {
    change(
        &state,
        &principal,
        id,
        (&[InstanceStatus::WaitingDispatch], InstanceStatus::Canceled),
        "canceled on request",
    )
    .await
}

/// Runs a finished instance again (same id, one more run).
#[utoipa::path(post, path = "/instances/{id}/retry", tag = "instances", params(InstanceIdPath),
    responses((status = 200, body = Instance), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn retry_instance(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<Instance>> {
    use InstanceStatus::*;
    change(&state, &principal, id, (&[Failed, Stopped, Canceled], WaitingDispatch), "retry requested").await
}
