//! `GET /api/v1/auth/lockouts` and `DELETE /api/v1/auth/lockouts/{id}`:
//! administrators see which accounts, apps and addresses the login
//! throttle has locked, and until when, and may end a lockout early.

use super::throttle::{self, Lockout};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_lockouts)).routes(routes!(clear_lockout))
}

/// The lockouts in force (administrators only), the longest first, at most
/// 1000.
#[utoipa::path(get, path = "/auth/lockouts", tag = "auth",
    responses((status = 200, body = Vec<Lockout>), (status = 403, body = ErrorBody)))]
async fn list_lockouts(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<Lockout>>> {
    principal.require_admin()?;
    Ok(Json(throttle::locked(&state.db).await?))
}

/// Ends a lockout and forgets the failures behind it (administrators only).
#[utoipa::path(delete, path = "/auth/lockouts/{id}", tag = "auth",
    params(("id" = String, Path, description = "the lockout's id, as listed", pattern = r"^[0-9a-f]{64}$")),
    responses((status = 204), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn clear_lockout(
    State(state): State<AppState>,
    principal: Principal,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    let Path(id) = id.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if id.len() != 64 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(ApiError::BadRequest(format!("`{id}` is not a lockout id (64 hex digits, as listed)")));
    }
    if throttle::clear(&state.db, &id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound("lockout")) }
}
