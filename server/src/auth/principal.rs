//! The caller of a protected endpoint, taken from its bearer token.

use super::tokens::{self, Subject};
use crate::error::{ApiError, ApiResult};
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A user account; administrators may do everything.
    User {
        /// The account.
        id: Id,
        /// Whether it administers the server.
        admin: bool,
    },
    /// A token from an app's name and secret: that app's resources only.
    App {
        /// The app.
        id: Id,
    },
}

impl Principal {
    /// Refuses anyone but an administrator.
    pub fn require_admin(&self) -> ApiResult<()> {
        match self {
            Principal::User { admin: true, .. } => Ok(()),
            _ => Err(ApiError::Forbidden("only administrators may do this")),
        }
    }

    /// Refuses callers that may not touch app `app`.
    pub fn require_app(&self, app: Id) -> ApiResult<()> {
        match self {
            Principal::User { admin: true, .. } => Ok(()),
            Principal::App { id } if *id == app => Ok(()),
            _ => Err(ApiError::Forbidden("this token may not access another app's resources")),
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or(ApiError::Unauthorized("missing `Authorization: Bearer <token>` header"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized("the Authorization header must be `Bearer <token>`"))?;
        match tokens::lookup(&state.db, token).await? {
            Some(Subject::App(id)) => Ok(Principal::App { id }),
            Some(Subject::User(id)) => {
                let admin: Option<i64> =
                    sqlx::query_scalar(&state.db.sql("SELECT is_admin FROM user_account WHERE id = ?"))
                        .bind(id.0)
                        .fetch_optional(state.db.pool())
                        .await?;
                match admin {
                    Some(admin) => Ok(Principal::User { id, admin: admin != 0 }),
                    None => Err(ApiError::Unauthorized("the token's account no longer exists")),
                }
            }
            None => Err(ApiError::Unauthorized("the token is unknown or has expired; log in again")),
        }
    }
}
