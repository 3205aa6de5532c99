//! `GET /apps/{id}/workers` and `GET /workers`: the registry as the
//! console's worker page and the dashboard show it.

use super::store::{self, WorkerInfo};
use crate::api::params::AppIdPath;
use crate::auth::Principal;
use crate::error::{ApiResult, ErrorBody};
use crate::ids::now_ms;
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(app_workers)).routes(routes!(all_workers))
}

fn alive_since(state: &AppState) -> i64 {
    now_ms() as i64 - state.config.worker_timeout_ms as i64
}

/// The workers that serve an app (its own and shared pool workers), alive
/// or not.
#[utoipa::path(get, path = "/apps/{id}/workers", tag = "workers",
    params(AppIdPath),
    responses((status = 200, body = Vec<WorkerInfo>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn app_workers(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(app): IdPath,
) -> ApiResult<Json<Vec<WorkerInfo>>> {
    principal.require_app(app)?;
    crate::apps::require_exists(&state.db, app).await?;
    Ok(Json(store::list(&state.db, Some(app), alive_since(&state)).await?))
}

/// Every worker an administrator may see; an app's token sees its own
/// workers and the shared pool's.
#[utoipa::path(get, path = "/workers", tag = "workers",
    responses((status = 200, body = Vec<WorkerInfo>), (status = 403, body = ErrorBody)))]
async fn all_workers(State(state): State<AppState>, principal: Principal) -> ApiResult<Json<Vec<WorkerInfo>>> {
    let scope = match principal {
        Principal::App { id } => Some(id),
        _ => {
            principal.require_admin()?;
            None
        }
    };
    Ok(Json(store::list(&state.db, scope, alive_since(&state)).await?))
}
