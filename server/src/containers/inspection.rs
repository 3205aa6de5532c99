//! `POST /apps/{id}/containers/inspect`: what a component is, checked
//! exactly as an upload is checked, without storing anything: the console
//! shows it before the user commits to an upload.

use super::inspect::InspectError;
use super::model::check_name;
use super::routes::{UploadError, internal, read_component};
use super::store;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Options of an inspection.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectQuery {
    /// A container of the app: the reply then says which of its versions
    /// has these bytes already.
    #[param(pattern = r"^[A-Za-z0-9._-]{1,128}$")]
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
#[utoipa::path(post, path = "/apps/{id}/containers/inspect", tag = "containers", security(("bearer" = [])),
    params(("id" = String, Path, description = "app id", pattern = r"^[0-9]{1,19}$"), InspectQuery),
    request_body(description = "The component's bytes, at most 64 MiB.",
        content(("application/wasm"), ("application/octet-stream"))),
    responses((status = 200, body = ComponentReport, description = "A processor component; nothing was stored"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad `name`, or no processor component: the message says why")))]
pub(super) async fn inspect_component(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
    query: Result<Query<InspectQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ComponentReport>, UploadError> {
    principal.require_app(app)?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(Err(message)) = query.name.as_deref().map(check_name) {
        return Err(ApiError::field("name", message).into());
    }
    let bytes = read_component(&headers, body).await?;
    if !store::app_exists(&state.db, app).await.map_err(ApiError::from)? {
        return Err(ApiError::NotFound("app").into());
    }
    let digest = wasmjob_host::content_digest(&bytes);
    let info = match state.artifacts.inspector().inspect(bytes.to_vec()).await {
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
