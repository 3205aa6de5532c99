//! Deploying a version: `POST /apps/{id}/containers/{name}/deploy` makes
//! one version of a container the deployed one — the version jobs naming
//! just the container run from their next dispatch on (instances already
//! running finish on theirs). A rollback is deploying an older version.
//! Every deployment is recorded (`container_deployment`: who, when, which
//! version), and the workers that may run the app's jobs are told to fetch
//! and precompile it ([`super::rollout`]).

use super::model::{ContainerDetail, check_name};
use super::routes::{ContainerPath, created_by};
use super::{rollout, store};
use crate::api::params::{AppIdPath, ContainerNamePath};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::{Id, now_ms};
use crate::json::{ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

/// One deployment of a container: the version made the deployed one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The version deployed (it may since have been deleted).
    #[schema(value_type = String)]
    pub version_id: Id,
    /// Its label.
    pub label: String,
    /// Its digest.
    pub digest: String,
    /// Who deployed it: a user's name or `app:<id>`.
    pub deployed_by: String,
    /// When, Unix milliseconds.
    pub deployed_at: i64,
}

/// Which version to deploy: its `label` or its `versionId`, exactly one.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeployRequest {
    /// The version's label, as jobs name it after `@`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::api::params::ContainerName>)]
    pub label: Option<String>,
    /// Or the version's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::api::params::DecimalId>)]
    pub version_id: Option<String>,
}

impl Validate for DeployRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let problem = |field: &str, message: String| Err(vec![FieldError { field: field.into(), message }]);
        match (&self.label, &self.version_id) {
            (Some(_), Some(_)) => problem("label", "give the version's `label` or its `versionId`, not both".into()),
            (None, None) => problem("label", "name the version to deploy: `{\"label\": \"...\"}`".into()),
            (Some(label), None) => check_name(label).or_else(|message| problem("label", message)),
            (None, Some(id)) => match id.parse::<Id>() {
                Ok(_) => Ok(()),
                Err(_) => problem("versionId", format!("`{id}` is not a version id")),
            },
        }
    }
}

/// Makes `deployment`'s version the container's deployed one and records
/// it, on `conn` (a transaction of the caller).
pub(super) async fn record(
    db: &Database,
    conn: &mut AnyConnection,
    container: i64,
    deployment: &Deployment,
) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql("UPDATE container SET deployed_version_id = ?, updated_at = ? WHERE id = ?"))
        .bind(deployment.version_id.0)
        .bind(deployment.deployed_at)
        .bind(container)
        .execute(&mut *conn)
        .await?;
    sqlx::query(&db.sql(
        "INSERT INTO container_deployment (id, container_id, version_id, label, digest, deployed_by, deployed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(deployment.id.0)
    .bind(container)
    .bind(deployment.version_id.0)
    .bind(&deployment.label)
    .bind(&deployment.digest)
    .bind(&deployment.deployed_by)
    .bind(deployment.deployed_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type DeploymentRow = (i64, i64, String, String, String, i64);

/// A container's deployments, newest first, at most `limit`.
pub(super) async fn history(db: &Database, container: Id, limit: i64) -> Result<Vec<Deployment>, sqlx::Error> {
    let rows: Vec<DeploymentRow> = sqlx::query_as(&db.sql(
        "SELECT id, version_id, label, digest, deployed_by, deployed_at FROM container_deployment \
         WHERE container_id = ? ORDER BY deployed_at DESC, id DESC LIMIT ?",
    ))
    .bind(container.0)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, version_id, label, digest, deployed_by, deployed_at)| Deployment {
            id: Id(id),
            version_id: Id(version_id),
            label,
            digest,
            deployed_by,
            deployed_at,
        })
        .collect())
}

/// The container `name` of `app`: its id and deployed version, or 404.
pub(super) async fn find_container(db: &Database, app: Id, name: &str) -> ApiResult<(Id, Option<Id>)> {
    if !store::app_exists(db, app).await? {
        return Err(ApiError::NotFound("app"));
    }
    let found: Option<(i64, Option<i64>)> =
        sqlx::query_as(&db.sql("SELECT id, deployed_version_id FROM container WHERE app_id = ? AND name = ?"))
            .bind(app.0)
            .bind(name)
            .fetch_optional(db.pool())
            .await?;
    found.map(|(id, deployed)| (Id(id), deployed.map(Id))).ok_or(ApiError::NotFound("container"))
}

/// Makes a version of a container the deployed one (a rollback deploys an
/// older version): jobs naming just the container run it from their next
/// dispatch; running instances finish on the version they started with.
/// The workers that may run the app's jobs are sent it to fetch and
/// precompile; the detail's `workers` show how far it got. Deploying the
/// version already deployed records nothing and sends it again.
#[utoipa::path(post, path = "/apps/{id}/containers/{name}/deploy", tag = "containers",
    params(AppIdPath, ContainerNamePath),
    request_body = DeployRequest,
    responses((status = 200, body = ContainerDetail, description = "The container, its new deployment first"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such version, or a bad label or id")))]
pub(super) async fn deploy_version(
    State(state): State<AppState>,
    principal: Principal,
    path: ContainerPath,
    body: ValidJson<DeployRequest>,
) -> ApiResult<Json<ContainerDetail>> {
    principal.require_app(path.app)?;
    let request = body.get()?;
    check_name(&path.name).map_err(|message| ApiError::field("name", message))?;
    let (container, deployed) = find_container(&state.db, path.app, &path.name).await?;
    let version: Option<(i64, String, String)> = match (&request.label, &request.version_id) {
        (Some(label), _) => {
            sqlx::query_as(
                &state.db.sql("SELECT id, label, digest FROM container_version WHERE container_id = ? AND label = ?"),
            )
            .bind(container.0)
            .bind(label)
            .fetch_optional(state.db.pool())
            .await?
        }
        (None, Some(id)) => {
            let id: Id = id.parse().map_err(|_| ApiError::field("versionId", format!("`{id}` is not a version id")))?;
            sqlx::query_as(
                &state.db.sql("SELECT id, label, digest FROM container_version WHERE container_id = ? AND id = ?"),
            )
            .bind(container.0)
            .bind(id.0)
            .fetch_optional(state.db.pool())
            .await?
        }
        (None, None) => None,
    };
    let Some((version_id, label, digest)) = version else {
        let (field, named) = match (&request.label, &request.version_id) {
            (Some(label), _) => ("label", format!("no version labelled `{label}`")),
            (None, id) => ("versionId", format!("no version with id `{}`", id.as_deref().unwrap_or_default())),
        };
        return Err(ApiError::field(field, format!("container `{}` has {named}", path.name)));
    };
    if deployed != Some(Id(version_id)) {
        let deployment = Deployment {
            id: state.ids.next(),
            version_id: Id(version_id),
            label: label.clone(),
            digest: digest.clone(),
            deployed_by: created_by(&state, principal).await?,
            deployed_at: now_ms() as i64,
        };
        let mut tx = state.db.begin().await?;
        record(&state.db, &mut tx, container.0, &deployment).await?;
        tx.commit().await?;
        let from = deployed.map(|d| d.0);
        tracing::info!(app = %path.app, container = %path.name, %label, %digest, ?from, "container version deployed");
    }
    state.scheduler.containers_changed();
    rollout::announce(&state, path.app).await?;
    let detail = store::detail(&state.db, path.app, &path.name).await?.ok_or(ApiError::NotFound("container"))?;
    Ok(Json(rollout::with_status(&state, detail).await?))
}

/// A container's deployments, newest first: who deployed which version
/// when (rollbacks included).
#[utoipa::path(get, path = "/apps/{id}/containers/{name}/deployments", tag = "containers",
    params(AppIdPath, ContainerNamePath),
    responses((status = 200, body = Vec<Deployment>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn list_deployments(
    State(state): State<AppState>,
    principal: Principal,
    path: ContainerPath,
) -> ApiResult<Json<Vec<Deployment>>> {
    principal.require_app(path.app)?;
    let (container, _) = find_container(&state.db, path.app, &path.name).await?;
    Ok(Json(history(&state.db, container, 10_000).await?))
}
