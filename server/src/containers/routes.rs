//! Container routes: upload a version, list and show containers, and the
//! artifact download workers use.

use super::inspect::InspectError;
use super::model::{Container, ContainerDetail, ContainerVersion, check_container_name, check_name};
use super::store::{self, Added, NewVersion};
use crate::api::params::{AppIdPath, ContainerNamePath};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::Id;
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_vocab::Word;

/// The largest component accepted.
pub const MAX_COMPONENT_BYTES: usize = 64 << 20;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_version))
        .routes(routes!(super::inspection::inspect_component))
        .routes(routes!(list_containers))
        .routes(routes!(get_container, super::delete::delete_container))
        .routes(routes!(super::deploy::deploy_version))
        .routes(routes!(super::deploy::list_deployments))
        .routes(routes!(super::delete::delete_version))
        .routes(routes!(get_artifact))
}

/// `{id}` (an app) and `{name}` (a container) of a path.
pub(super) struct ContainerPath {
    pub(super) app: Id,
    pub(super) name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ContainerPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((app, name)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let app = app.parse().map_err(|_| ApiError::BadRequest(format!("`{app}` in the path is not an id")))?;
        Ok(ContainerPath { app, name })
    }
}

/// Options of an upload.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The version's label: 1 to 128 letters, digits, `.`, `_` or `-`;
    /// default: the first 12 hex digits of the component's sha256.
    #[param(value_type = Option<crate::api::params::ContainerName>)]
    label: Option<String>,
    /// Whether the new version becomes the deployed one (default `true`);
    /// `false` stores it for a later `…/deploy`.
    deploy: Option<bool>,
}

/// An upload refused before it is read: too large, or not readable.
#[derive(Debug)]
pub(super) enum UploadError {
    Api(ApiError),
    TooLarge,
}

impl From<ApiError> for UploadError {
    fn from(error: ApiError) -> Self {
        UploadError::Api(error)
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        match self {
            UploadError::Api(error) => error.into_response(),
            UploadError::TooLarge => {
                let message = format!("the component is larger than {} MiB", MAX_COMPONENT_BYTES >> 20);
                let body = ErrorBody { error: "payload_too_large", message, fields: Vec::new() };
                (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
            }
        }
    }
}

/// Uploads a component as a new version of a container (created if new)
/// and deploys it (unless `deploy=false`). The component is validated first: it must satisfy a
/// processor world. Bytes the container holds already return that
/// version (200).
#[utoipa::path(post, path = "/apps/{id}/containers/{name}/versions", tag = "containers",
    params(AppIdPath, ContainerNamePath, UploadQuery),
    request_body(description = "The component's bytes, at most 64 MiB.",
        content(("application/wasm"), ("application/octet-stream"))),
    responses((status = 201, body = ContainerVersion, description = "A new version, deployed"),
        (status = 200, body = ContainerVersion, description = "The container has these bytes already: that version"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The label belongs to other bytes"),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad name or label, or no processor component")))]
async fn upload_version(
    State(state): State<AppState>,
    principal: Principal,
    path: ContainerPath,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ContainerVersion>), UploadError> {
    let ContainerPath { app, name } = path;
    principal.require_app(app)?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut problems = Vec::new();
    if let Err(message) = check_container_name(&name) {
        problems.push(FieldError { field: "name".into(), message });
    }
    if let Some(Err(message)) = query.label.as_deref().map(check_name) {
        problems.push(FieldError { field: "label".into(), message });
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems).into());
    }
    let bytes = read_component(&headers, body).await?;
    if !store::app_exists(&state.db, app).await.map_err(ApiError::from)? {
        return Err(ApiError::NotFound("app").into());
    }
    let upload = Publication {
        app,
        container: &name,
        label: query.label,
        source: serde_json::json!({"type": "UPLOAD"}),
        created_by: created_by(&state, principal).await?,
    };
    let (status, version) = publish_as(&state, upload, bytes, query.deploy.unwrap_or(true)).await?;
    Ok((status, Json(version)))
}

/// The body, if it is a component's bytes of an acceptable size.
pub(super) async fn read_component(headers: &HeaderMap, body: Body) -> Result<Bytes, UploadError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/wasm") && !media.eq_ignore_ascii_case("application/octet-stream") {
        return Err(ApiError::BadRequest(
            "send the component's bytes as the body, with `Content-Type: application/wasm`".into(),
        )
        .into());
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_COMPONENT_BYTES as u64) {
        return Err(UploadError::TooLarge);
    }
    let collected = http_body_util::BodyExt::collect(http_body_util::Limited::new(body, MAX_COMPONENT_BYTES)).await;
    let bytes = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => return Err(UploadError::TooLarge),
        Err(e) => return Err(ApiError::BadRequest(format!("cannot read the body: {e}")).into()),
    };
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the body is empty: send the component's bytes".into()).into());
    }
    Ok(bytes)
}

/// A component about to become a version: where it goes and where it
/// came from.
#[derive(Debug)]
pub(crate) struct Publication<'a> {
    /// The app (which exists).
    pub(crate) app: Id,
    /// The container's name (checked).
    pub(crate) container: &'a str,
    /// The label (checked); default: the digest's first 12 hex digits.
    pub(crate) label: Option<String>,
    /// Where it came from: `{"type": "UPLOAD"}` or a git source and commit.
    pub(crate) source: serde_json::Value,
    /// Who made it.
    pub(crate) created_by: String,
}

/// Validates `bytes` exactly as an upload is validated and stores them as
/// a new version, deployed when `deploy` is true; 200 with the version that
/// has these bytes already, 201 with a new one, 409 when the label is
/// taken, 422 when the bytes are no processor component. A new version is
/// followed by retention (`retention::prune`) and, when deployed, by
/// prefetches to the workers (`rollout::announce`).
pub(crate) async fn publish_as(
    state: &AppState,
    publication: Publication<'_>,
    bytes: Bytes,
    deploy: bool,
) -> ApiResult<(StatusCode, ContainerVersion)> {
    let Publication { app, container: name, label, source, created_by } = publication;
    let digest = wasmjob_runtime::content_digest(&bytes);
    let label = label.unwrap_or_else(|| digest[..12].to_string());
    let existing = store::existing(&state.db, app, name, &digest, &label).await?;
    if let Some(version) = existing.version {
        return Ok((StatusCode::OK, version));
    }
    if existing.label_digest.is_some() {
        return Err(label_taken(&label));
    }
    let info = match state.artifacts.inspector().inspect(bytes.to_vec()).await {
        Ok(info) => info,
        Err(InspectError::Rejected(message)) => return Err(ApiError::field("body", message)),
        Err(InspectError::Failed(message)) => return Err(internal("inspecting an upload", message)),
    };
    let stored = state.artifacts.put(bytes).await.map_err(|e| internal("storing an artifact", e))?;
    debug_assert_eq!(stored, digest);
    let new = NewVersion {
        app,
        container: name,
        label: &label,
        digest: &digest,
        size_bytes: info.size as i64,
        worlds: info.worlds.iter().map(|w| w.name().to_string()).collect(),
        imports: info.imports,
        source,
        created_by,
        deploy,
    };
    match store::add_version(&state.db, &state.ids, &new).await? {
        Added::Created(version) => {
            let (label, digest) = (&version.label, &version.digest);
            tracing::info!(%app, container = name, %label, %digest, deploy, "container version uploaded");
            after_new_version(state, app, name, deploy).await;
            Ok((StatusCode::CREATED, version))
        }
        Added::Existing(version) => Ok((StatusCode::OK, version)),
        Added::LabelTaken => Err(label_taken(&label)),
    }
}

/// Prefetches (when deployed) and retention after a new version; their
/// failures are logged, the version stands.
async fn after_new_version(state: &AppState, app: Id, name: &str, deployed: bool) {
    if deployed {
        state.scheduler.containers_changed();
        if let Err(e) = super::rollout::announce(state, app).await {
            tracing::error!(error = %e, "cannot send prefetches of a new version");
        }
    }
    if let Err(e) = super::retention::prune(state, app, name).await {
        tracing::error!(error = %e, "cannot prune old container versions");
    }
}

fn label_taken(label: &str) -> ApiError {
    ApiError::Conflict { field: "label", message: format!("the label `{label}` is taken by another version") }
}

pub(super) fn internal(what: &str, error: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "{what}");
    ApiError::Internal
}

/// A user's name, or `app:<id>`.
pub(crate) async fn created_by(state: &AppState, principal: Principal) -> ApiResult<String> {
    match principal {
        Principal::App { id } => Ok(format!("app:{id}")),
        Principal::User { id, .. } => {
            let name: Option<String> =
                sqlx::query_scalar(&state.db.sql("SELECT username FROM user_account WHERE id = ?"))
                    .bind(id.0)
                    .fetch_optional(state.db.pool())
                    .await?;
            Ok(name.unwrap_or_else(|| format!("user:{id}")))
        }
    }
}

/// Lists an app's containers by name, with their deployed versions.
#[utoipa::path(get, path = "/apps/{id}/containers", tag = "containers",
    params(AppIdPath),
    responses((status = 200, body = Vec<Container>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_containers(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
) -> ApiResult<Json<Vec<Container>>> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    Ok(Json(store::list(&state.db, app).await?))
}

/// A container with all its versions (newest first, each with the live
/// workers that hold it), its deployment and history, and how the
/// deployed version stands on each live worker that may run its jobs.
#[utoipa::path(get, path = "/apps/{id}/containers/{name}", tag = "containers",
    params(AppIdPath, ContainerNamePath),
    responses((status = 200, body = ContainerDetail),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_container(
    State(state): State<AppState>,
    principal: Principal,
    path: ContainerPath,
) -> ApiResult<Json<ContainerDetail>> {
    principal.require_app(path.app)?;
    let detail = store::detail(&state.db, path.app, &path.name).await?;
    let detail = detail.ok_or(ApiError::NotFound("container"))?;
    Ok(Json(super::rollout::with_status(&state, detail).await?))
}

/// A component's bytes, for workers: administrators may fetch any, an
/// app's token those of its containers' versions.
#[utoipa::path(get, path = "/artifacts/{digest}", tag = "containers",
    params(("digest" = String, Path, description = "sha256 of the component: 64 lowercase hex digits",
        pattern = r"^[0-9a-f]{64}$")),
    responses((status = 200, content_type = "application/wasm", description = "The component's bytes"),
        (status = 404, body = ErrorBody)))]
async fn get_artifact(
    State(state): State<AppState>,
    principal: Principal,
    digest: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Response> {
    let Path(digest) = digest.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if !super::is_digest(&digest) {
        return Err(ApiError::BadRequest(format!("`{digest}` is not a sha256 digest (64 lowercase hex digits)")));
    }
    let allowed = match principal {
        Principal::User { admin: true, .. } => true,
        Principal::App { id } => store::app_has_digest(&state.db, id, &digest).await?,
        Principal::User { admin: false, .. } => false,
    };
    let bytes = if allowed {
        state.artifacts.get(&digest).await.map_err(|e| internal("reading an artifact", e))?
    } else {
        None
    };
    let bytes = bytes.ok_or(ApiError::NotFound("artifact"))?;
    let headers = [(header::CONTENT_TYPE, "application/wasm".to_string()), (header::ETAG, format!("\"{digest}\""))];
    Ok((headers, bytes).into_response())
}
