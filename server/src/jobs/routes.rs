//! Job routes. An app's token reaches its own jobs only; administrators
//! reach every app's.

use super::model::{Job, JobPage, JobSpec};
use super::store::{self, JobFilter, JobOrder, JobStatus};
use crate::api::params::{AppIdPath, JobIdPath};
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

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_job, list_jobs))
        .routes(routes!(import_jobs))
        .routes(routes!(get_job, update_job, delete_job))
        .routes(routes!(copy_job))
        .routes(routes!(export_job))
        .routes(routes!(enable_job))
        .routes(routes!(disable_job))
}

/// A live job the caller may touch.
async fn authorized_job(state: &AppState, principal: &Principal, id: Id) -> ApiResult<Job> {
    let job = store::fetch(&state.db, id).await?.ok_or(ApiError::NotFound("job"))?;
    principal.require_app(job.app_id)?;
    Ok(job)
}

async fn insert(state: &AppState, app: Id, spec: JobSpec) -> ApiResult<Job> {
    let now = now_ms() as i64;
    let job = Job { id: state.ids.next(), app_id: app, spec, created_at: now, updated_at: now };
    store::insert(&state.db, state.db.pool(), &job).await?;
    state.scheduler.jobs_changed();
    Ok(job)
}

/// Creates a job in an app.
#[utoipa::path(post, path = "/apps/{id}/jobs", tag = "jobs",
    params(AppIdPath), request_body = JobSpec,
    responses((status = 201, body = Job), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_job(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    body: ValidJson<JobSpec>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    let spec = body.get()?;
    Ok((StatusCode::CREATED, Json(insert(&state, app, spec).await?)))
}

/// Filters, paging and order of a job listing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Case-insensitive part of the name.
    name: Option<String>,
    /// `true` for enabled jobs, `false` for disabled ones.
    enabled: Option<bool>,
    /// Exact tag.
    tag: Option<String>,
    /// `CRON`, `API`, `FIXED_RATE`, ...
    #[param(value_type = Option<super::model::TimeExpressionType>)]
    time_expression_type: Option<String>,
    /// `STANDALONE`, `BROADCAST`, `MAP`, `MAP_REDUCE`.
    #[param(value_type = Option<super::model::ExecuteType>)]
    execute_type: Option<String>,
    /// `WASM`, `SHELL`, `HTTP`, ...
    #[param(value_type = Option<super::model::ProcessorType>)]
    processor_type: Option<String>,
    /// Page number from 0.
    #[param(value_type = Option<u64>, maximum = 4_294_967_295_u64)]
    page: Option<u32>,
    /// Page size, 1 to 500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    size: Option<u32>,
    /// `createdAt`, `name` or `updatedAt`; a leading `-` reverses.
    #[param(pattern = "^-?(createdAt|name|updatedAt)$")]
    sort: Option<String>,
}

fn check_enum<T: serde::de::DeserializeOwned>(field: &str, value: &Option<String>, problems: &mut Vec<FieldError>) {
    if let Some(v) = value
        && super::model::from_name::<T>(v).is_none()
    {
        problems.push(FieldError { field: field.into(), message: format!("`{v}` is not a valid value") });
    }
}

/// Lists an app's jobs with filters, paging and order.
#[utoipa::path(get, path = "/apps/{id}/jobs", tag = "jobs",
    params(AppIdPath, JobQuery),
    responses((status = 200, body = JobPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_jobs(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    query: Result<Query<JobQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<JobPage>> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut problems = Vec::new();
    check_enum::<super::model::TimeExpressionType>("timeExpressionType", &q.time_expression_type, &mut problems);
    check_enum::<super::model::ExecuteType>("executeType", &q.execute_type, &mut problems);
    check_enum::<super::model::ProcessorType>("processorType", &q.processor_type, &mut problems);
    let size = q.size.unwrap_or(20);
    if !(1..=500).contains(&size) {
        problems.push(FieldError { field: "size".into(), message: "must be between 1 and 500".into() });
    }
    let order = match q.sort.as_deref().unwrap_or("createdAt") {
        "createdAt" => JobOrder::Created,
        "-createdAt" => JobOrder::CreatedDesc,
        "name" => JobOrder::Name,
        "-name" => JobOrder::NameDesc,
        "updatedAt" => JobOrder::Updated,
        "-updatedAt" => JobOrder::UpdatedDesc,
        other => {
            problems.push(FieldError {
                field: "sort".into(),
                message: format!("`{other}` is not one of createdAt, name, updatedAt (prefix - to reverse)"),
            });
            JobOrder::Created
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let filter = JobFilter {
        name: q.name,
        status: q.enabled.map(|e| if e { "ENABLED" } else { "DISABLED" }),
        tag: q.tag,
        time_expression_type: q.time_expression_type,
        execute_type: q.execute_type,
        processor_type: q.processor_type,
    };
    let page = q.page.unwrap_or(0);
    let (items, total) = store::list(&state.db, app, &filter, order, (page, size)).await?;
    Ok(Json(JobPage { items, total, page, size }))
}

/// Job definitions to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportJobs {
    /// Definitions as `GET /jobs/{id}/export` returns them.
    pub jobs: Vec<JobSpec>,
}

impl Validate for ImportJobs {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.jobs.is_empty() || self.jobs.len() > 1000 {
            return Err(vec![FieldError { field: "jobs".into(), message: "import 1 to 1000 jobs at a time".into() }]);
        }
        let mut problems = Vec::new();
        for (i, spec) in self.jobs.iter().enumerate() {
            if let Err(found) = spec.validate() {
                problems.extend(found.into_iter().map(|f| FieldError { field: format!("jobs[{i}].{}", f.field), ..f }));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// Imports job definitions into an app (all or none), as new jobs.
#[utoipa::path(post, path = "/apps/{id}/jobs/import", tag = "jobs",
    params(AppIdPath), request_body = ImportJobs,
    responses((status = 201, body = Vec<Job>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_jobs(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    body: ValidJson<ImportJobs>,
) -> ApiResult<(StatusCode, Json<Vec<Job>>)> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    let request = body.get()?;
    let now = now_ms() as i64;
    let jobs: Vec<Job> = request
        .jobs
        .into_iter()
        .map(|spec| Job { id: state.ids.next(), app_id: app, spec, created_at: now, updated_at: now })
        .collect();
    let mut tx = state.db.begin().await?;
    for job in &jobs {
        store::insert(&state.db, &mut *tx, job).await?;
    }
    tx.commit().await?;
    state.scheduler.jobs_changed();
    Ok((StatusCode::CREATED, Json(jobs)))
}

/// Fetches a job.
#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs", params(JobIdPath),
    responses((status = 200, body = Job), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_job(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<Json<Job>> {
    Ok(Json(authorized_job(&state, &principal, id).await?))
}

/// Replaces a job's definition.
#[utoipa::path(put, path = "/jobs/{id}", tag = "jobs", params(JobIdPath),
    request_body = JobSpec,
    responses((status = 200, body = Job), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_job(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
    body: ValidJson<JobSpec>,
) -> ApiResult<Json<Job>> {
    authorized_job(&state, &principal, id).await?;
    let spec = body.get()?;
    if !store::update(&state.db, id, &spec, now_ms() as i64).await? {
        return Err(ApiError::NotFound("job"));
    }
    crate::scheduler::job_changed(&state, id).await?;
    Ok(Json(authorized_job(&state, &principal, id).await?))
}

/// Deletes a job (soft: its instances' history stays).
#[utoipa::path(delete, path = "/jobs/{id}", tag = "jobs", params(JobIdPath),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_job(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    set_status(&state, &principal, id, JobStatus::Deleted).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_status(state: &AppState, principal: &Principal, id: Id, status: JobStatus) -> ApiResult<()> {
    authorized_job(state, principal, id).await?;
    if !store::set_status(&state.db, id, status, now_ms() as i64).await? {
        return Err(ApiError::NotFound("job"));
    }
    crate::scheduler::job_changed(state, id).await?;
    Ok(())
}

/// Enables a job's schedule.
#[utoipa::path(post, path = "/jobs/{id}/enable", tag = "jobs", params(JobIdPath),
    responses((status = 200, body = Job), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn enable_job(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<Json<Job>> {
    set_status(&state, &principal, id, JobStatus::Enabled).await?;
    Ok(Json(authorized_job(&state, &principal, id).await?))
}

/// Disables a job's schedule.
#[utoipa::path(post, path = "/jobs/{id}/disable", tag = "jobs", params(JobIdPath),
    responses((status = 200, body = Job), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn disable_job(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<Json<Job>> {
    set_status(&state, &principal, id, JobStatus::Disabled).await?;
    Ok(Json(authorized_job(&state, &principal, id).await?))
}

/// What a copy is called.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyJob {
    /// The copy's name, 1 to 255 characters (not all spaces); default: the
    /// original's with ` (copy)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub name: Option<String>,
}

impl Validate for CopyJob {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.name {
            Some(n) if n.trim().is_empty() || n.chars().count() > 255 => {
                Err(vec![FieldError { field: "name".into(), message: "must be 1 to 255 characters".into() }])
            }
            _ => Ok(()),
        }
    }
}

/// Copies a job into a new one (new id; disabled until enabled).
#[utoipa::path(post, path = "/jobs/{id}/copy", tag = "jobs", params(JobIdPath),
    request_body = CopyJob,
    responses((status = 201, body = Job), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn copy_job(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
    body: ValidJson<CopyJob>,
) -> ApiResult<(StatusCode, Json<Job>)> {
    let original = authorized_job(&state, &principal, id).await?;
    let request = body.get()?;
    let mut spec = original.spec;
    spec.name = request.name.unwrap_or_else(|| {
        let name: String = spec.name.chars().take(248).collect();
        format!("{name} (copy)")
    });
    spec.enabled = false;
    Ok((StatusCode::CREATED, Json(insert(&state, original.app_id, spec).await?)))
}

/// A job's definition, ready for `POST /apps/{id}/jobs/import`.
#[utoipa::path(get, path = "/jobs/{id}/export", tag = "jobs", params(JobIdPath),
    responses((status = 200, body = JobSpec), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_job(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<JobSpec>> {
    let job = authorized_job(&state, &principal, id).await?;
    tracing::debug!(job = %id, kind = %job.spec.execute_type, "exported");
    Ok(Json(job.spec))
}
