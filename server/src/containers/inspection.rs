//! `POST /apps/{id}/containers/inspect`: what a component is, checked
//! exactly as an upload is checked, without storing anything: the console
//! shows it before the user commits to an upload. Each app has an
//! allowance of inspections a minute (429 beyond it) and the server
//! compiles a few at once (503 when too many wait); both answers carry
//! `Retry-After`.

use super::inspect::{Busy, InspectError};
use super::model::check_name;
use super::routes::{UploadError, internal, read_component};
use super::store;
use crate::api::params::AppIdPath;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use wasmjob_vocab::Word;

/// Options of an inspection.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectQuery {
    /// A container of the app: the reply then says which of its versions
    /// has these bytes already.
    #[param(value_type = Option<crate::api::params::ContainerName>)]
    name: Option<String>,
}

/// What a component is, as an upload would record it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ComponentReport {
    /// sha256 of the bytes, 64 lowercase hex digits, as versions show it.
    pub digest: String,
    /// Size of the component in bytes.
    pub size_bytes: i64,
    /// The processor worlds it satisfies (`basic`, `broadcast`, `map`,
    /// `map-reduce`).
    pub worlds: Vec<String>,
    /// What it imports.
    pub imports: Vec<String>,
    /// What it exports.
    pub exports: Vec<String>,
    /// The label of the version of container `name` that has these bytes
    /// already (an upload would return it); `null` when there is none or
    /// no `name` was given.
    pub existing_version: Option<String>,
}

/// Checks a component as an upload would (it must satisfy a processor
/// world and import only what workers provide) and says what it is;
/// nothing is stored.
#[utoipa::path(post, path = "/apps/{id}/containers/inspect", tag = "containers",
    params(AppIdPath, InspectQuery),
    request_body(description = "The component's bytes, at most 64 MiB.",
        content(("application/wasm"), ("application/octet-stream"))),
    responses((status = 200, body = ComponentReport, description = "A processor component; nothing was stored"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad `name`, or no processor component: the message says why"),
        (status = 429, body = ErrorBody, description = "The app asked for more inspections a minute than the server allows; see `Retry-After`"),
        (status = 503, body = ErrorBody, description = "The server is inspecting too many components; see `Retry-After`")))]
pub(super) async fn inspect_component(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    query: Result<Query<InspectQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ComponentReport>, InspectionError> {
    principal.require_app(app)?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(Err(message)) = query.name.as_deref().map(check_name) {
        return Err(ApiError::field("name", message).into());
    }
    let inspector = state.artifacts.inspector();
    inspector.admit(app, state.config.inspections_per_minute).map_err(|retry_after| InspectionError::RateLimited {
        retry_after,
        per_minute: state.config.inspections_per_minute,
    })?;
    let bytes = read_component(&headers, body).await?;
    if !store::app_exists(&state.db, app).await.map_err(ApiError::from)? {
        return Err(ApiError::NotFound("app").into());
    }
    let digest = wasmjob_runtime::content_digest(&bytes);
    let turn = inspector.turn().await.map_err(|Busy(retry_after)| InspectionError::Busy { retry_after })?;
    let info = match inspector.inspect_in_turn(turn, bytes.to_vec()).await {
        Ok(info) => info,
        Err(InspectError::Rejected(message)) => return Err(ApiError::field("body", message).into()),
        Err(InspectError::Failed(message)) => return Err(internal("inspecting a component", message).into()),
    };
    let existing_version = match query.name.as_deref() {
        Some(name) => store::label_of_digest(&state.db, app, name, &digest).await.map_err(ApiError::from)?,
        None => None,
    };
    Ok(Json(ComponentReport {
        digest,
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        worlds: info.worlds.iter().map(|w| w.name().to_string()).collect(),
        imports: info.imports,
        exports: info.exports,
        existing_version,
    }))
}

/// Why an inspection was not answered.
pub(super) enum InspectionError {
    /// Refused like an upload would be.
    Upload(UploadError),
    /// The app used its allowance of inspections for now.
    RateLimited { retry_after: Duration, per_minute: u32 },
    /// Too many inspections run and wait.
    Busy { retry_after: Duration },
}

impl From<ApiError> for InspectionError {
    fn from(error: ApiError) -> Self {
        InspectionError::Upload(UploadError::Api(error))
    }
}

impl From<UploadError> for InspectionError {
    fn from(error: UploadError) -> Self {
        InspectionError::Upload(error)
    }
}

impl IntoResponse for InspectionError {
    fn into_response(self) -> Response {
        let (status, error, message, retry_after) = match self {
            InspectionError::Upload(error) => return error.into_response(),
            InspectionError::RateLimited { retry_after, per_minute } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!(
                    "this app may inspect {per_minute} components a minute; try again in {} s",
                    seconds(retry_after)
                ),
                retry_after,
            ),
            InspectionError::Busy { retry_after } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("the server is inspecting other components; try again in {} s", seconds(retry_after)),
                retry_after,
            ),
        };
        let body = ErrorBody { error, message, fields: Vec::new() };
        (status, [(axum::http::header::RETRY_AFTER, seconds(retry_after).to_string())], Json(body)).into_response()
    }
}

/// Whole seconds, rounded up: what `Retry-After` carries.
fn seconds(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}
