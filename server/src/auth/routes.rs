//! `POST /api/v1/auth/login`: a user's name and password, or an app's name
//! and secret, for a bearer token; failed attempts are throttled per name
//! and per address (see [`super::throttle`]).

use super::ClientAddress;
use super::passwords;
use super::throttle::{self, Attempt};
use super::tokens::{self, Subject};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::ids::Id;
use crate::json::{ValidJson, Validate};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Credentials: `username` + `password`, or `app` + `secret` (a token
/// limited to that app's resources).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The account's password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// App name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// The app's secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Validate for LoginRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let user = (self.username.is_some(), self.password.is_some());
        let app = (self.app.is_some(), self.secret.is_some());
        let problem = match (user, app) {
            ((true, true), (false, false)) | ((false, false), (true, true)) => return Ok(()),
            ((true, false), _) => ("password", "required with `username`"),
            ((false, true), _) => ("username", "required with `password`"),
            (_, (true, false)) => ("secret", "required with `app`"),
            (_, (false, true)) => ("app", "required with `secret`"),
            ((false, false), (false, false)) => ("username", "give `username` and `password`, or `app` and `secret`"),
            _ => ("app", "give `username` and `password`, or `app` and `secret`, not both"),
        };
        Err(vec![FieldError { field: problem.0.into(), message: problem.1.into() }])
    }
}

/// A bearer token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working, in Unix milliseconds.
    pub expires_at: u64,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(me))
        .routes(routes!(logout))
        .merge(super::lockouts::router())
}

/// Revokes the token that made the request; worker links it opened close.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204)))]
async fn logout(
    State(state): State<AppState>,
    _caller: crate::auth::Principal,
    headers: axum::http::HeaderMap,
) -> ApiResult<axum::http::StatusCode> {
    let token = crate::auth::bearer(&headers).unwrap_or_default();
    tokens::revoke(&state.db, token).await?;
    crate::workers::revocation::revoke_token(&state, token, "the worker's token was revoked (logout)").await;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who a token speaks for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// `user` or `app`.
    pub kind: &'static str,
    /// The account's or app's id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The account's or app's name.
    pub name: String,
    /// Whether the caller administers the server.
    pub admin: bool,
}

/// The caller: an account or an app (an app token learns its app's id here).
#[utoipa::path(get, path = "/auth/me", tag = "auth",
    responses((status = 200, body = Me)))]
async fn me(State(state): State<AppState>, principal: crate::auth::Principal) -> ApiResult<Json<Me>> {
    use crate::auth::Principal;
    let (kind, id, admin, query) = match principal {
        Principal::User { id, admin } => ("user", id, admin, "SELECT username FROM user_account WHERE id = ?"),
        Principal::App { id } => ("app", id, false, "SELECT name FROM app WHERE id = ?"),
    };
    let name: String = sqlx::query_scalar(&state.db.sql(query))
        .bind(id.0)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(ApiError::Unauthorized("the token's subject no longer exists"))?;
    Ok(Json(Me { kind, id, name, admin }))
}

/// Exchanges credentials for a token. After repeated failures of a name or
/// from an address, attempts are refused (429, `Retry-After`) until the
/// lockout ends, the right credentials too; when too many logins wait for
/// a password check, 503 with `Retry-After`.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many failed logins: wait `Retry-After` seconds",
            headers(("Retry-After" = u64, description = "seconds to wait"))),
        (status = 503, body = ErrorBody, description = "Too many logins wait for a password check",
            headers(("Retry-After" = u64, description = "seconds to wait")))))]
async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    body: ValidJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let request = body.get()?;
    let (query, name, secret, subject, kind): (_, _, _, fn(Id) -> Subject, _) = match request {
        LoginRequest { username: Some(name), password: Some(secret), .. } => (
            "SELECT id, password_hash FROM user_account WHERE username = ?",
            name,
            secret,
            Subject::User,
            throttle::Kind::User,
        ),
        LoginRequest { app: Some(name), secret: Some(secret), .. } => {
            ("SELECT id, secret_hash FROM app WHERE name = ?", name, secret, Subject::App, throttle::Kind::App)
        }
        _ => return Err(ApiError::BadRequest("credentials are missing".into())),
    };
    if name.is_empty() || name.len() > 128 || secret.len() > 1024 {
        return Err(ApiError::Unauthorized("wrong name or secret"));
    }
    let limits = &state.config.login;
    let attempt = Attempt::new(kind, &name, address.0.as_deref(), limits);
    attempt.check(&state.db).await?;
    let permit = passwords::permit(Some(limits.max_waiting)).await.map_err(|_| ApiError::Unavailable {
        message: "too many logins are being checked; try again in a moment",
        retry_after_secs: 1,
    })?;
    // Failures counted while this login waited may have locked it.
    attempt.check(&state.db).await?;
    let row: Option<(i64, String)> =
        sqlx::query_as(&state.db.sql(query)).bind(&name).fetch_optional(state.db.pool()).await?;
    let verified = match row {
        Some((id, hash)) => permit.verify(secret, hash).await.then_some(id),
        None => {
            // Spend the same time as a real check, so names cannot be probed.
            let _ = permit.verify(secret, DUMMY_HASH.into()).await;
            None
        }
    };
    let Some(id) = verified else {
        attempt.failed(&state.db, limits).await?;
        return Err(ApiError::Unauthorized("wrong name or secret"));
    };
    attempt.succeeded(&state.db).await?;
    let (token, expires_at) =
        tokens::issue(&state.db, subject(Id(id)), state.config.token_ttl_hours * 3_600_000).await?;
    Ok(Json(LoginResponse { token, expires_at }))
}

/// An argon2 hash of a random string, for timing-equal failures.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q6WhXfOi4HYRDN1k2wFCTpWJ1CFjxNqQpY9RzFkrBZk";

#[cfg(test)]
mod tests {
    #[test]
    fn the_dummy_hash_is_a_real_argon2_hash() {
        // Failed logins for unknown names must cost a real verification.
        let parsed = argon2::password_hash::PasswordHash::new(super::DUMMY_HASH).expect("a PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(parsed.hash.is_some());
    }
}
