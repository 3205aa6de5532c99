//! Deleting a version (`DELETE /apps/{id}/containers/{name}/versions/{label}`)
//! or a whole container (`DELETE /apps/{id}/containers/{name}`).
//!
//! Refused (409, naming the jobs) while an ENABLED job names what would go
//! — `name@label` for a version, `name` or any `name@…` for a container —
//! and the deployed version cannot go alone (deploy another first). A
//! component's bytes leave the artifact store only when no version of any
//! container of any app has the same digest (deleting an app removes its
//! components' bytes by the same rule).

use super::deploy::find_container;
use super::model::check_name;
use super::routes::ContainerPath;
use crate::api::params::{AppIdPath, ContainerNamePath, VersionLabelPath};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;

/// A job that names a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NamingJob {
    pub(super) id: Id,
    pub(super) name: String,
    pub(super) enabled: bool,
    /// The label after `@`, if it names one.
    pub(super) label: Option<String>,
}

/// The WASM jobs of `app` that name `container` (with any label or none).
pub(super) async fn jobs_naming(db: &Database, app: Id, container: &str) -> Result<Vec<NamingJob>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&db.sql(
        "SELECT id, name, processor_info, status FROM job WHERE app_id = ? AND processor_type = 'WASM' ORDER BY id",
    ))
    .bind(app.0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, info, status)| {
            let info = info.trim();
            let (named, label) = match info.split_once('@') {
                Some((c, l)) => (c, Some(l.to_string())),
                None => (info, None),
            };
            (named == container).then_some(NamingJob { id: Id(id), name, enabled: status == "ENABLED", label })
        })
        .collect())
}

/// The 409 naming the enabled jobs that hold something.
fn in_use(what: &str, jobs: &[NamingJob]) -> ApiError {
    let names: Vec<String> = jobs.iter().take(20).map(|j| format!("`{}` (id {})", j.name, j.id)).collect();
    let more = if jobs.len() > 20 { format!(" and {} more", jobs.len() - 20) } else { String::new() };
    ApiError::Conflict {
        field: "name",
        message: format!(
            "{what} is used by enabled jobs {}{more}: disable them or change their processorInfo first",
            names.join(", ")
        ),
    }
}

/// The digests of every version of every container of `app`, read in
/// `tx` before the app is deleted (its versions go with it).
pub(crate) async fn app_digests(
    tx: &mut sqlx::AnyConnection,
    db: &Database,
    app: Id,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(&db.sql(
        "SELECT DISTINCT v.digest FROM container_version v JOIN container c ON c.id = v.container_id WHERE c.app_id = ?",
    ))
    .bind(app.0)
    .fetch_all(tx)
    .await
}

/// Removes the bytes of `digests` that no version names any more.
pub(crate) async fn remove_unreferenced(state: &AppState, digests: &[String]) {
    for digest in digests {
        let count: Result<i64, _> =
            sqlx::query_scalar(&state.db.sql("SELECT COUNT(*) FROM container_version WHERE digest = ?"))
                .bind(digest)
                .fetch_one(state.db.pool())
                .await;
        match count {
            Ok(0) => match state.artifacts.delete(digest).await {
                Ok(()) => tracing::info!(%digest, "artifact removed: no version names it"),
                Err(e) => tracing::error!(%digest, error = %e, "cannot remove an artifact"),
            },
            Ok(_) => {}
            Err(e) => tracing::error!(%digest, error = %e, "cannot check whether an artifact is still named"),
        }
    }
}

/// Deletes versions by id (their deployments stay in the history); one
/// that a concurrent deployment made the deployed one stays.
pub(super) async fn delete_versions(db: &Database, ids: &[i64]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for id in ids {
        sqlx::query(&db.sql(
            "DELETE FROM container_version WHERE id = ? AND NOT EXISTS \
             (SELECT 1 FROM container c WHERE c.deployed_version_id = container_version.id)",
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// `{id}`, `{name}` and `{label}` of a path.
pub(super) struct VersionPath {
    app: Id,
    name: String,
    label: String,
}

impl<S: Send + Sync> FromRequestParts<S> for VersionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((app, name, label)) = Path::<(String, String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let app = app.parse().map_err(|_| ApiError::BadRequest(format!("`{app}` in the path is not an id")))?;
        Ok(VersionPath { app, name, label })
    }
}

/// Deletes one version of a container. Refused while it is the deployed
/// version (deploy another first) or an enabled job names it as
/// `container@label`. Its bytes are removed from the artifact store unless
/// another version (of any container) has the same digest.
#[utoipa::path(delete, path = "/apps/{id}/containers/{name}/versions/{label}", tag = "containers",
    params(AppIdPath, ContainerNamePath, VersionLabelPath),
    responses((status = 204, description = "Deleted"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Deployed, or named by enabled jobs")))]
pub(super) async fn delete_version(
    State(state): State<AppState>,
    principal: Principal,
    path: VersionPath,
) -> ApiResult<StatusCode> {
    principal.require_app(path.app)?;
    let (container, deployed) = find_container(&state.db, path.app, &path.name).await?;
    let version: Option<(i64, String)> = match check_name(&path.label) {
        Ok(()) => {
            sqlx::query_as(
                &state.db.sql("SELECT id, digest FROM container_version WHERE container_id = ? AND label = ?"),
            )
            .bind(container.0)
            .bind(&path.label)
            .fetch_optional(state.db.pool())
            .await?
        }
        Err(_) => None,
    };
    let (version, digest) = version.ok_or(ApiError::NotFound("version"))?;
    let (name, label) = (&path.name, &path.label);
    if deployed == Some(Id(version)) {
        return Err(ApiError::Conflict {
            field: "label",
            message: format!("`{label}` is the deployed version of `{name}`: deploy another version first"),
        });
    }
    let jobs: Vec<_> = jobs_naming(&state.db, path.app, name)
        .await?
        .into_iter()
        .filter(|j| j.enabled && j.label.as_deref() == Some(label.as_str()))
        .collect();
    if !jobs.is_empty() {
        return Err(in_use(&format!("`{name}@{label}`"), &jobs));
    }
    delete_versions(&state.db, &[version]).await?;
    tracing::info!(app = %path.app, container = %name, %label, %digest, "container version deleted");
    state.scheduler.containers_changed();
    remove_unreferenced(&state, &[digest]).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a container with all its versions and its deployment history.
/// Refused while an enabled job names it (`container` or
/// `container@label`). Bytes no other version names leave the artifact
/// store.
#[utoipa::path(delete, path = "/apps/{id}/containers/{name}", tag = "containers",
    params(AppIdPath, ContainerNamePath),
    responses((status = 204, description = "Deleted"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Named by enabled jobs")))]
pub(super) async fn delete_container(
    State(state): State<AppState>,
    principal: Principal,
    path: ContainerPath,
) -> ApiResult<StatusCode> {
    principal.require_app(path.app)?;
    let (container, _) = find_container(&state.db, path.app, &path.name).await?;
    let jobs: Vec<_> = jobs_naming(&state.db, path.app, &path.name).await?.into_iter().filter(|j| j.enabled).collect();
    if !jobs.is_empty() {
        return Err(in_use(&format!("container `{}`", path.name), &jobs));
    }
    let digests: Vec<(String,)> =
        sqlx::query_as(&state.db.sql("SELECT DISTINCT digest FROM container_version WHERE container_id = ?"))
            .bind(container.0)
            .fetch_all(state.db.pool())
            .await?;
    let db = &state.db;
    let mut tx = db.begin().await?;
    for sql in [
        "DELETE FROM container_deployment WHERE container_id = ?",
        "UPDATE container SET deployed_version_id = NULL WHERE id = ?",
        "DELETE FROM container_version WHERE container_id = ?",
        "DELETE FROM container WHERE id = ?",
    ] {
        sqlx::query(&db.sql(sql)).bind(container.0).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    tracing::info!(app = %path.app, container = %path.name, "container deleted");
    state.scheduler.containers_changed();
    let digests: Vec<String> = digests.into_iter().map(|(d,)| d).collect();
    remove_unreferenced(&state, &digests).await;
    Ok(StatusCode::NO_CONTENT)
}
