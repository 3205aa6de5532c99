//! The build API: set a container's git source, ask for a build, list and
//! show builds, and read (or follow) a build's log.

use super::input::check_source;
use super::model::{Build, BuildLogPage, BuildRequest, BuildStatus, GitSource, GitSourceInput};
use super::runner::{self, BuildPlan};
use super::store::{self, NewSource};
use crate::api::params::{AppIdPath, BuildIdPath, ContainerNamePath};
use crate::auth::Principal;
use crate::containers::model::check_name;
use crate::containers::routes::created_by;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ids::Id;
use crate::json::ValidJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use std::time::Duration;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_source, get_source))
        .routes(routes!(start_build, list_builds))
        .routes(routes!(get_build))
        .routes(routes!(cancel_build))
        .routes(routes!(build_log))
}

/// `{id}` (an app) and `{name}` (a container), and `{build}` when present.
struct BuildPath {
    app: Id,
    name: String,
    build: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for BuildPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(segments) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let get = |key: &str| segments.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let id = |key: &str, text: String| {
            text.parse::<Id>().map_err(|_| ApiError::BadRequest(format!("`{text}` in the path is not {key} id")))
        };
        let app = id("an app", get("id").unwrap_or_default())?;
        let name = get("name").unwrap_or_default();
        Ok(BuildPath { app, name, build: get("build") })
    }
}

impl BuildPath {
    /// Refuses a caller who may not touch the app, then a bad name: who may
    /// not look learns nothing from the rules.
    fn authorize(&self, principal: &Principal) -> ApiResult<()> {
        principal.require_app(self.app)?;
        check_name(&self.name).map_err(|message| ApiError::field("name", message))
    }

    /// The `{build}` of the path.
    fn build(&self) -> ApiResult<Id> {
        let text = self.build.as_deref().ok_or(ApiError::NotFound("build"))?;
        text.parse().map_err(|_| ApiError::BadRequest(format!("`{text}` in the path is not a build id")))
    }
}

fn require_enabled(state: &AppState) -> ApiResult<()> {
    if state.builds.config().enabled {
        return Ok(());
    }
    Err(ApiError::Forbidden("builds from git are disabled on this server: enable them with `[builds] enabled = true`"))
}

/// Sets a container's git source (creating the container when it is new).
/// Credentials are sealed at once and never returned; without new ones,
/// the stored ones are kept only if the URL is unchanged.
#[utoipa::path(put, path = "/apps/{id}/containers/{name}/source", tag = "builds",
    params(AppIdPath, ContainerNamePath),
    request_body = GitSourceInput,
    responses((status = 200, body = GitSource),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn put_source(
    State(state): State<AppState>,
    principal: Principal,
    path: BuildPath,
    body: ValidJson<GitSourceInput>,
) -> ApiResult<Json<GitSource>> {
    path.authorize(&principal)?;
    crate::containers::model::check_container_name(&path.name).map_err(|message| ApiError::field("name", message))?;
    require_enabled(&state)?;
    if !(principal.is_admin() || state.builds.config().apps_may_set_sources) {
        return Err(ApiError::Forbidden(
            "only administrators may set a container's git source on this server (`[builds] apps_may_set_sources`)",
        ));
    }
    let input = body.get()?;
    let config = state.builds.config();
    let checked = check_source(&input, config.allow_local_repositories).map_err(ApiError::Validation)?;
    super::hosts::check_written(&checked.url, &config.allow_private_hosts).map_err(|m| ApiError::field("url", m))?;
    if !crate::containers::store::app_exists(&state.db, path.app).await? {
        return Err(ApiError::NotFound("app"));
    }
    let sealer = state.builds.sealer().map_err(|e| internal("loading the credential key", e))?;
    let previous = store::source(&state.db, path.app, &path.name).await?;
    let container = match &previous {
        Some(previous) => previous.container_id,
        None => store::ensure_container(&state.db, &state.ids, path.app, &path.name).await?,
    };
    let context = context(container);
    let credentials = match (&input.credentials, &previous) {
        (Some(c), _) => {
            let secret = serde_json::to_vec(&SealedCredentials::from(c)).map_err(|e| internal("sealing", e))?;
            Some((c.kind(), c.username().to_string(), sealer.seal(&context, &secret)))
        }
        (None, Some(previous)) if !input.clear_credentials && previous.source.url == checked.url => {
            match (&previous.source.credentials, &previous.sealed) {
                (Some(info), Some(sealed)) => Some((kind_str(&info.kind), info.username.clone(), sealed.clone())),
                _ => None,
            }
        }
        _ => None,
    };
    let updated_by = created_by(&state, principal).await?;
    let new = NewSource {
        url: &checked.url,
        reference: &checked.reference,
        path: &checked.path,
        builder: input.builder.unwrap_or_default(),
        credentials: credentials.as_ref().map(|(kind, user, sealed)| (*kind, user.as_str(), sealed.clone())),
        updated_by: &updated_by,
    };
    store::put_source(&state.db, container, &new).await?;
    tracing::info!(app = %path.app, container = %path.name, url = %super::git::display_url(&checked.url),
        credentials = credentials.is_some(), "git source set");
    let stored = store::source(&state.db, path.app, &path.name).await?.ok_or(ApiError::NotFound("container"))?;
    Ok(Json(stored.source))
}

fn kind_str(kind: &str) -> &'static str {
    if kind == "SSH_KEY" { "SSH_KEY" } else { "PASSWORD" }
}

/// What is sealed: the whole credentials, secret parts included.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
enum SealedCredentials {
    Password { username: String, password: String },
    SshKey { username: Option<String>, private_key: String, passphrase: Option<String> },
}

impl From<&super::model::Credentials> for SealedCredentials {
    fn from(c: &super::model::Credentials) -> Self {
        use super::model::Credentials;
        match c.clone() {
            Credentials::Password { username, password } => SealedCredentials::Password { username, password },
            Credentials::SshKey { username, private_key, passphrase } => {
                SealedCredentials::SshKey { username, private_key, passphrase }
            }
        }
    }
}

impl From<SealedCredentials> for super::model::Credentials {
    fn from(c: SealedCredentials) -> Self {
        use super::model::Credentials;
        match c {
            SealedCredentials::Password { username, password } => Credentials::Password { username, password },
            SealedCredentials::SshKey { username, private_key, passphrase } => {
                Credentials::SshKey { username, private_key, passphrase }
            }
        }
    }
}

/// What a container's sealed credentials are bound to.
fn context(container: Id) -> Vec<u8> {
    format!("container-git-credentials:{container}").into_bytes()
}

/// A container's git source (credentials shown by kind and user only).
#[utoipa::path(get, path = "/apps/{id}/containers/{name}/source", tag = "builds",
    params(AppIdPath, ContainerNamePath),
    responses((status = 200, body = GitSource), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_source(
    State(state): State<AppState>,
    principal: Principal,
    path: BuildPath,
) -> ApiResult<Json<GitSource>> {
    path.authorize(&principal)?;
    let stored = store::source(&state.db, path.app, &path.name).await?.ok_or(ApiError::NotFound("git source"))?;
    Ok(Json(stored.source))
}

/// Builds the container's git source (or another revision of it) into a
/// new version labelled with the commit id. Answers at once (202); follow
/// the build and its log.
#[utoipa::path(post, path = "/apps/{id}/containers/{name}/builds", tag = "builds",
    params(AppIdPath, ContainerNamePath),
    request_body = BuildRequest,
    responses((status = 202, body = Build, description = "Queued"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such container, or it has no git source"),
        (status = 422, body = ErrorBody)))]
async fn start_build(
    State(state): State<AppState>,
    principal: Principal,
    path: BuildPath,
    body: ValidJson<BuildRequest>,
) -> ApiResult<(StatusCode, Json<Build>)> {
    path.authorize(&principal)?;
    require_enabled(&state)?;
    let request = body.get()?;
    // Checked by the body's rules; this normalises a commit id.
    let reference = request.reference.as_ref().and_then(|r| super::input::check_ref(r).ok());
    let stored = store::source(&state.db, path.app, &path.name).await?.ok_or(ApiError::NotFound("git source"))?;
    let credentials = match &stored.sealed {
        Some(sealed) => {
            let sealer = state.builds.sealer().map_err(|e| internal("loading the credential key", e))?;
            let plain =
                sealer.open(&context(stored.container_id), sealed).map_err(|e| internal("opening credentials", e))?;
            let sealed: SealedCredentials =
                serde_json::from_slice(&plain).map_err(|e| internal("reading credentials", e))?;
            Some(sealed.into())
        }
        None => None,
    };
    // Builds left behind by a server that stopped cannot still be running.
    super::fail_abandoned_builds(&state).await?;
    let id = state.ids.next();
    let reference = reference.unwrap_or_else(|| stored.source.reference.clone());
    let deploy = request.deploy.unwrap_or(true);
    let created_by = created_by(&state, principal).await?;
    store::insert_build(&state.db, id, stored.container_id, &stored.source.url, &reference, deploy, &created_by)
        .await?;
    let plan = BuildPlan {
        build: id,
        app: path.app,
        container_id: stored.container_id,
        container: path.name.clone(),
        url: stored.source.url.clone(),
        reference,
        path: stored.source.path.clone(),
        builder: stored.source.builder,
        credentials,
        deploy,
        created_by,
    };
    tracing::info!(app = %path.app, container = %path.name, build = %id, "build queued");
    // Read before it starts: the answer is the build as queued.
    let build = store::build(&state.db, path.app, &path.name, id).await?.ok_or(ApiError::NotFound("build"))?;
    runner::spawn(state.clone(), plan);
    Ok((StatusCode::ACCEPTED, Json(build)))
}

/// How many builds to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// A container's builds, newest first.
#[utoipa::path(get, path = "/apps/{id}/containers/{name}/builds", tag = "builds",
    params(AppIdPath, ContainerNamePath, ListQuery),
    responses((status = 200, body = Vec<Build>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_builds(
    State(state): State<AppState>,
    principal: Principal,
    path: BuildPath,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<Build>>> {
    path.authorize(&principal)?;
    if !crate::containers::store::container_exists(&state.db, path.app, &path.name).await? {
        return Err(ApiError::NotFound("container"));
    }
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 500"));
    }
    Ok(Json(store::builds(&state.db, path.app, &path.name, limit).await?))
}

/// One build.
#[utoipa::path(get, path = "/apps/{id}/containers/{name}/builds/{build}", tag = "builds",
    params(AppIdPath, ContainerNamePath, BuildIdPath),
    responses((status = 200, body = Build),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn get_build(State(state): State<AppState>, principal: Principal, path: BuildPath) -> ApiResult<Json<Build>> {
    path.authorize(&principal)?;
    let id = path.build()?;
    Ok(Json(store::build(&state.db, path.app, &path.name, id).await?.ok_or(ApiError::NotFound("build"))?))
}

/// Cancels a queued or running build: its compiler's process group is
/// killed at once and nothing is stored. A build running on another server
/// of the cluster stops before it publishes.
#[utoipa::path(post, path = "/apps/{id}/containers/{name}/builds/{build}/cancel", tag = "builds",
    params(AppIdPath, ContainerNamePath, BuildIdPath),
    responses((status = 200, body = Build, description = "The build, cancelled"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The build has ended already"),
        (status = 422, body = ErrorBody)))]
async fn cancel_build(State(state): State<AppState>, principal: Principal, path: BuildPath) -> ApiResult<Json<Build>> {
    path.authorize(&principal)?;
    let id = path.build()?;
    let build = store::build(&state.db, path.app, &path.name, id).await?.ok_or(ApiError::NotFound("build"))?;
    let ended = || ApiError::Conflict {
        field: "build",
        message: format!("build {id} has ended already ({})", build.status.as_str()),
    };
    if build.status.is_final() {
        return Err(ended());
    }
    let who = created_by(&state, principal).await?;
    tracing::info!(build = %id, container = %path.name, by = %who, "build cancelled");
    if state.builds.running.cancel(id) {
        // It runs here: its runner ends it, log complete, in a moment.
        for _ in 0..50 {
            if store::status(&state.db, id).await?.is_some_and(BuildStatus::is_final) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    } else if !store::cancel_build(&state.db, id, super::runner::CANCELLED).await? {
        return Err(ended());
    }
    Ok(Json(store::build(&state.db, path.app, &path.name, id).await?.ok_or(ApiError::NotFound("build"))?))
}

/// Which lines of a build's log to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct BuildLogQuery {
    /// Lines after this position (default: from the start).
    #[param(minimum = 0)]
    after: Option<i64>,
    /// At most this many lines, 1 to 5000 (default 1000).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u32>,
    /// Wait up to this many milliseconds (at most 30000) for new lines
    /// while the build runs: the follow form.
    #[param(minimum = 0, maximum = 30000)]
    wait_ms: Option<u64>,
}

/// A build's log, a page at a time; with `waitMs`, waits for new lines
/// while the build runs.
#[utoipa::path(get, path = "/apps/{id}/containers/{name}/builds/{build}/log", tag = "builds",
    params(AppIdPath, ContainerNamePath, BuildIdPath, BuildLogQuery),
    responses((status = 200, body = BuildLogPage),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn build_log(
    State(state): State<AppState>,
    principal: Principal,
    path: BuildPath,
    query: Result<Query<BuildLogQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<BuildLogPage>> {
    path.authorize(&principal)?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(1000);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 5000"));
    }
    let wait = q.wait_ms.unwrap_or(0);
    if wait > 30_000 {
        return Err(ApiError::field("waitMs", "at most 30000"));
    }
    let id = path.build()?;
    store::build(&state.db, path.app, &path.name, id).await?.ok_or(ApiError::NotFound("build"))?;
    let after = q.after.unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait);
    loop {
        // The status first: lines read after it include every line written
        // before the build ended.
        let status = store::status(&state.db, id).await?.ok_or(ApiError::NotFound("build"))?;
        let lines = store::log(&state.db, id, after, limit).await?;
        if !lines.is_empty() || status.is_final() || tokio::time::Instant::now() >= deadline {
            let next = lines.last().map_or(after, |l| l.seq);
            return Ok(Json(BuildLogPage { lines, next, status }));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn internal(what: &str, error: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %error, "{what}");
    ApiError::Internal
}
