//! Namespaces: groups of apps (PowerJob 5's namespace), managed by
//! administrators; an app token sees its own app's namespace only.

use crate::api::params::NamespaceIdPath;
use crate::auth::Principal;
use crate::db::is_unique_violation;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::{Id, now_ms};
use crate::json::{IdPath, ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A namespace.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// Unique short code (letters, digits, `.`, `_`, `-`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
}

/// A new namespace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNamespace {
    /// Unique code: 1 to 128 letters, digits, `.`, `_` or `-`.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,128}$")]
    pub code: String,
    /// Display name, 1 to 255 characters, not only spaces.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    pub name: String,
}

impl Validate for CreateNamespace {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut problems = Vec::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 128
            && self.code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !code_ok {
            problems
                .push(FieldError { field: "code".into(), message: "1 to 128 letters, digits, `.`, `_` or `-`".into() });
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 255 {
            problems.push(FieldError { field: "name".into(), message: "must be 1 to 255 characters".into() });
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_namespace, list_namespaces)).routes(routes!(delete_namespace))
}

/// Creates a namespace (administrators only).
#[utoipa::path(post, path = "/namespaces", tag = "namespaces", request_body = CreateNamespace,
    responses((status = 201, body = Namespace), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_namespace(
    State(state): State<AppState>,
    principal: Principal,
    body: ValidJson<CreateNamespace>,
) -> ApiResult<(StatusCode, Json<Namespace>)> {
    principal.require_admin()?;
    let request = body.get()?;
    let namespace =
        Namespace { id: state.ids.next(), code: request.code, name: request.name, created_at: now_ms() as i64 };
    let inserted = sqlx::query(&state.db.sql("INSERT INTO namespace (id, code, name, created_at) VALUES (?, ?, ?, ?)"))
        .bind(namespace.id.0)
        .bind(&namespace.code)
        .bind(&namespace.name)
        .bind(namespace.created_at)
        .execute(state.db.pool())
        .await;
    match inserted {
        Ok(_) => Ok((StatusCode::CREATED, Json(namespace))),
        Err(e) if is_unique_violation(&e, "namespace_code_key") => Err(ApiError::Conflict {
            field: "code",
            message: format!("a namespace with code `{}` exists already", namespace.code),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Lists namespaces: all for administrators, the app's own for an app token.
#[utoipa::path(get, path = "/namespaces", tag = "namespaces",
    responses((status = 200, body = Vec<Namespace>)))]
async fn list_namespaces(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<Namespace>>> {
    let rows: Vec<(i64, String, String, i64)> = match principal {
        Principal::App { id } => {
            sqlx::query_as(&state.db.sql(
                "SELECT n.id, n.code, n.name, n.created_at FROM namespace n JOIN app a ON a.namespace_id = n.id \
                 WHERE a.id = ?",
            ))
            .bind(id.0)
            .fetch_all(state.db.pool())
            .await?
        }
        Principal::User { .. } => {
            principal.require_admin()?;
            sqlx::query_as("SELECT id, code, name, created_at FROM namespace ORDER BY code")
                .fetch_all(state.db.pool())
                .await?
        }
    };
    Ok(Json(
        rows.into_iter().map(|(id, code, name, created_at)| Namespace { id: Id(id), code, name, created_at }).collect(),
    ))
}

/// Deletes an empty namespace (administrators only).
#[utoipa::path(delete, path = "/namespaces/{id}", tag = "namespaces", params(NamespaceIdPath),
    responses((status = 204), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_namespace(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    let apps: i64 = sqlx::query_scalar(&state.db.sql("SELECT COUNT(*) FROM app WHERE namespace_id = ?"))
        .bind(id.0)
        .fetch_one(state.db.pool())
        .await?;
    if apps > 0 {
        return Err(ApiError::Conflict { field: "id", message: format!("the namespace still holds {apps} app(s)") });
    }
    let done =
        sqlx::query(&state.db.sql("DELETE FROM namespace WHERE id = ?")).bind(id.0).execute(state.db.pool()).await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound("namespace"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Whether a namespace exists.
pub(crate) async fn exists(state: &AppState, id: Id) -> ApiResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(&state.db.sql("SELECT id FROM namespace WHERE id = ?"))
        .bind(id.0)
        .fetch_optional(state.db.pool())
        .await?;
    Ok(found.is_some())
}
