//! Apps: a named group of jobs with a secret (PowerJob's `appName` +
//! password). Administrators manage them; an app's own token may read and
//! update it and rotate its secret.

use crate::api::params::{AppIdPath, DecimalId};
use crate::auth::{Principal, passwords};
use crate::containers;
use crate::db::{DbText, is_unique_violation};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::{Id, now_ms};
use crate::json::{IdPath, ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An app.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The namespace it belongs to, if any.
    #[schema(value_type = Option<String>)]
    pub namespace_id: Option<Id>,
    /// Unique name (letters, digits, `.`, `_`, `-`).
    pub name: String,
    /// Free text.
    pub description: String,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// Last change, Unix milliseconds.
    pub updated_at: i64,
}

/// A new app.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApp {
    /// Unique name: 1 to 128 letters, digits, `.`, `_` or `-`.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,128}$")]
    pub name: String,
    /// Free text, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// The namespace to put it in.
    #[serde(default, rename = "namespaceId", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DecimalId>)]
    pub namespace_id: Option<Id>,
}

impl Validate for CreateApp {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        if let Err(message) = check_name(&self.name) {
            problems.push(FieldError { field: "name".into(), message });
        }
        if self.description.chars().count() > 2000 {
            problems.push(FieldError { field: "description".into(), message: "at most 2000 characters".into() });
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

/// Changes to an app.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApp {
    /// Free text, at most 2000 characters.
    #[schema(max_length = 2000)]
    pub description: String,
    /// Moves the app to this namespace, or out of any with `null`; left
    /// out, the app stays where it is. Administrators only.
    #[serde(default, rename = "namespaceId", deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DecimalId>)]
    pub namespace_id: Option<Option<Id>>,
}

/// A field that is present (possibly `null`), as opposed to left out.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl Validate for UpdateApp {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.description.chars().count() > 2000 {
            return Err(vec![FieldError { field: "description".into(), message: "at most 2000 characters".into() }]);
        }
        Ok(())
    }
}

/// An app with its secret: returned once, at creation or rotation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppWithSecret {
    /// The app.
    pub app: App,
    /// Log in with `{"app": name, "secret": secret}`; it is not shown again.
    pub secret: String,
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 128 {
        return Err("must be 1 to 128 characters".into());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(format!("`{bad}` is not allowed: use letters, digits, `.`, `_` or `-`"));
    }
    Ok(())
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_app, list_apps))
        .routes(routes!(get_app, update_app, delete_app))
        .routes(routes!(rotate_secret))
}

type AppRow = (i64, Option<i64>, String, DbText, i64, i64);

/// Refuses (404) an app that does not exist (or no longer does): what
/// every `/apps/{id}/...` endpoint answers for a missing app, lists too.
pub async fn require_exists(db: &crate::db::Database, id: Id) -> ApiResult<()> {
    let found: Option<i64> =
        sqlx::query_scalar(&db.sql("SELECT id FROM app WHERE id = ?")).bind(id.0).fetch_optional(db.pool()).await?;
    found.map(|_| ()).ok_or(ApiError::NotFound("app"))
}

/// The name of app `id`.
pub async fn name_of(db: &crate::db::Database, id: Id) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&db.sql("SELECT name FROM app WHERE id = ?")).bind(id.0).fetch_optional(db.pool()).await
}

fn from_row((id, namespace_id, name, description, created_at, updated_at): AppRow) -> App {
    App { id: Id(id), namespace_id: namespace_id.map(Id), name, description: description.0, created_at, updated_at }
}

async fn fetch(state: &AppState, id: Id) -> ApiResult<App> {
    let row: Option<AppRow> = sqlx::query_as(
        &state.db.sql("SELECT id, namespace_id, name, description, created_at, updated_at FROM app WHERE id = ?"),
    )
    .bind(id.0)
    .fetch_optional(state.db.pool())
    .await?;
    row.map(from_row).ok_or(ApiError::NotFound("app"))
}

/// Creates an app (administrators only) and returns its secret, once.
#[utoipa::path(post, path = "/apps", tag = "apps", request_body = CreateApp,
    responses((status = 201, body = AppWithSecret), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_app(
    State(state): State<AppState>,
    principal: Principal,
    body: ValidJson<CreateApp>,
) -> ApiResult<(StatusCode, Json<AppWithSecret>)> {
    principal.require_admin()?;
    let request = body.get()?;
    let secret = passwords::random_secret();
    let hash = passwords::hash(secret.clone()).await?;
    let now = now_ms() as i64;
    if let Some(namespace) = request.namespace_id
        && !crate::namespaces::exists(&state, namespace).await?
    {
        return Err(ApiError::field("namespaceId", format!("there is no namespace {namespace}")));
    }
    let app = App {
        id: state.ids.next(),
        namespace_id: request.namespace_id,
        name: request.name,
        description: request.description,
        created_at: now,
        updated_at: now,
    };
    let inserted = sqlx::query(&state.db.sql(
        "INSERT INTO app (id, namespace_id, name, description, secret_hash, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(app.id.0)
    .bind(app.namespace_id.map(|n| n.0))
    .bind(&app.name)
    .bind(&app.description)
    .bind(hash)
    .bind(now)
    .bind(now)
    .execute(state.db.pool())
    .await;
    match inserted {
        Ok(_) => Ok((StatusCode::CREATED, Json(AppWithSecret { app, secret }))),
        Err(e) if is_unique_violation(&e, "app_name_key") => {
            Err(ApiError::Conflict { field: "name", message: format!("an app named `{}` exists already", app.name) })
        }
        Err(e) => Err(e.into()),
    }
}

/// Filters of the app listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AppQuery {
    /// Only the apps of this namespace.
    #[param(value_type = Option<DecimalId>)]
    namespace_id: Option<String>,
}

/// Lists apps by name: every app (or a namespace's) for administrators,
/// its own for an app token.
#[utoipa::path(get, path = "/apps", tag = "apps", params(AppQuery),
    responses((status = 200, body = Vec<App>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_apps(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<AppQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<App>>> {
    if let Principal::App { id } = principal {
        return Ok(Json(vec![fetch(&state, id).await?]));
    }
    principal.require_admin()?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let namespace = match q.namespace_id.as_deref().map(str::parse::<Id>) {
        None => None,
        Some(Ok(id)) => Some(id.0),
        Some(Err(_)) => return Err(ApiError::field("namespaceId", "not an id")),
    };
    let rows: Vec<AppRow> = sqlx::query_as(&state.db.sql(
        "SELECT id, namespace_id, name, description, created_at, updated_at FROM app \
         WHERE (? IS NULL OR namespace_id = ?) ORDER BY name",
    ))
    .bind(namespace)
    .bind(namespace)
    .fetch_all(state.db.pool())
    .await?;
    Ok(Json(rows.into_iter().map(from_row).collect()))
}

/// Fetches one app.
#[utoipa::path(get, path = "/apps/{id}", tag = "apps", params(AppIdPath),
    responses((status = 200, body = App), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_app(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<Json<App>> {
    principal.require_app(id)?;
    Ok(Json(fetch(&state, id).await?))
}

/// Updates an app's description, and moves it to another namespace if
/// `namespaceId` is given (administrators only).
#[utoipa::path(put, path = "/apps/{id}", tag = "apps", params(AppIdPath),
    request_body = UpdateApp,
    responses((status = 200, body = App), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_app(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
    body: ValidJson<UpdateApp>,
) -> ApiResult<Json<App>> {
    principal.require_app(id)?;
    let request = body.get()?;
    if let Some(namespace) = request.namespace_id {
        if !principal.is_admin() {
            return Err(ApiError::Forbidden("only administrators move apps between namespaces"));
        }
        if let Some(namespace) = namespace
            && !crate::namespaces::exists(&state, namespace).await?
        {
            return Err(ApiError::field("namespaceId", format!("there is no namespace {namespace}")));
        }
    }
    let now = now_ms() as i64;
    let done = match request.namespace_id {
        None => {
            sqlx::query(&state.db.sql("UPDATE app SET description = ?, updated_at = ? WHERE id = ?"))
                .bind(&request.description)
                .bind(now)
                .bind(id.0)
                .execute(state.db.pool())
                .await?
        }
        Some(namespace) => {
            sqlx::query(&state.db.sql("UPDATE app SET description = ?, namespace_id = ?, updated_at = ? WHERE id = ?"))
                .bind(&request.description)
                .bind(namespace.map(|n| n.0))
                .bind(now)
                .bind(id.0)
                .execute(state.db.pool())
                .await?
        }
    };
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("app"));
    }
    Ok(Json(fetch(&state, id).await?))
}

/// Deletes an app with everything of it (administrators only): tokens,
/// jobs, instances, containers and their versions; the components' bytes
/// leave the artifact store unless another app's version has them too.
/// Its workers' links close.
#[utoipa::path(delete, path = "/apps/{id}", tag = "apps", params(AppIdPath),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_app(State(state): State<AppState>, principal: Principal, IdPath(id): IdPath) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    let mut tx = state.db.begin().await?;
    let digests = containers::app_digests(&mut tx, &state.db, id).await?;
    sqlx::query(&state.db.sql("DELETE FROM api_token WHERE app_id = ?")).bind(id.0).execute(&mut *tx).await?;
    let done = sqlx::query(&state.db.sql("DELETE FROM app WHERE id = ?")).bind(id.0).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("app"));
    }
    tx.commit().await?;
    tracing::info!(app = %id, components = digests.len(), "app deleted");
    crate::workers::revocation::revoke_app(&state, id, "the worker's app was deleted").await;
    containers::remove_unreferenced(&state, &digests).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces an app's secret; tokens issued from the old one stop working,
/// and the worker links they opened close.
#[utoipa::path(post, path = "/apps/{id}/secret", tag = "apps", params(AppIdPath),
    responses((status = 200, body = AppWithSecret),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn rotate_secret(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<Json<AppWithSecret>> {
    principal.require_app(id)?;
    let secret = passwords::random_secret();
    let hash = passwords::hash(secret.clone()).await?;
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(&state.db.sql("UPDATE app SET secret_hash = ?, updated_at = ? WHERE id = ?"))
        .bind(hash)
        .bind(now_ms() as i64)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("app"));
    }
    sqlx::query(&state.db.sql("DELETE FROM api_token WHERE app_id = ?")).bind(id.0).execute(&mut *tx).await?;
    tx.commit().await?;
    // Links opened with the old secret's tokens close now (on other
    // servers within `revocation::RECHECK_EVERY`).
    crate::workers::revocation::revoke_app(&state, id, "the app's secret was rotated").await;
    Ok(Json(AppWithSecret { app: fetch(&state, id).await?, secret }))
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_are_checked() {
        assert!(check_name("billing-prod.v2_x").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("has space").unwrap_err().contains("` `"));
        assert!(check_name(&"a".repeat(129)).is_err());
    }
}
