//! The caller of a protected endpoint, taken from its bearer token.

use super::tokens;
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
    /// Whether this is an administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::User { admin: true, .. })
    }

    /// Refuses anyone but an administrator.
    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin() { Ok(()) } else { Err(ApiError::Forbidden("only administrators may do this")) }
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

/// The bearer token of a request's `Authorization` header, if it has one.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A token's user, app, expiry, and its user's admin flag (NULL when the
/// account is gone).
type TokenRow = (Option<i64>, Option<i64>, i64, Option<i64>);

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(axum::http::header::AUTHORIZATION) {
            return Err(ApiError::Unauthorized("missing `Authorization: Bearer <token>` header"));
        }
        let token = bearer(&parts.headers)
            .ok_or(ApiError::Unauthorized("the Authorization header must be `Bearer <token>`"))?;
        // One query: the token, and for a user's token whether the account
        // (still) exists and administers the server.
        let row: Option<TokenRow> = sqlx::query_as(&state.db.sql(
            "SELECT t.user_id, t.app_id, t.expires_at, u.is_admin FROM api_token t \
             LEFT JOIN user_account u ON u.id = t.user_id WHERE t.token_hash = ?",
        ))
        .bind(tokens::token_hash(token))
        .fetch_optional(state.db.pool())
        .await?;
        let live = row.filter(|(_, _, expires, _)| *expires >= crate::ids::now_ms() as i64);
        match live {
            Some((None, Some(app), _, _)) => Ok(Principal::App { id: Id(app) }),
            Some((Some(user), _, _, Some(admin))) => Ok(Principal::User { id: Id(user), admin: admin != 0 }),
            Some((Some(_), _, _, None)) => Err(ApiError::Unauthorized("the token's account no longer exists")),
            _ => Err(ApiError::Unauthorized("the token is unknown or has expired; log in again")),
        }
    }
}
