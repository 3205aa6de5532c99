//! The one error type of the HTTP layer: a status, a stable code, a message
//! a person can act on and, for bad input, one message per field. Internal
//! failures are logged and answered with a generic message: no SQL, no
//! stack text.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A problem with one input field.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the request (`name`, `timeExpression`, …).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `validation`, `bad_request`,
    /// `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `payload_too_large`, `too_many_requests`, `unavailable`, `internal`.
    pub error: &'static str,
    /// A sentence for people.
    pub message: String,
    /// Per-field problems (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The input is invalid; nothing was changed.
    #[error("invalid input: {}", .0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// The body is not the JSON the endpoint expects.
    #[error("{0}")]
    BadRequest(String),
    /// No or an invalid token.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The token may not touch this resource.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such resource.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change conflicts with existing data (a taken name).
    #[error("{message}")]
    Conflict {
        /// The field at fault.
        field: &'static str,
        /// What conflicts.
        message: String,
    },
    /// The body is larger than the endpoint accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The caller must wait before trying again (failed logins); answered
    /// with `Retry-After`.
    #[error("{message}")]
    TooManyRequests {
        /// What to wait for.
        message: String,
        /// Seconds to wait, at least 1.
        retry_after_secs: u64,
    },
    /// The server is too busy to take the request now; answered with
    /// `Retry-After`.
    #[error("{message}")]
    Unavailable {
        /// What is busy.
        message: &'static str,
        /// Seconds to wait, at least 1.
        retry_after_secs: u64,
    },
    /// Something failed inside the server; details are in its log only.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError { field: field.into(), message: message.into() }])
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => ApiError::NotFound("resource"),
            other => {
                tracing::error!(error = %other, "database error");
                ApiError::Internal
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_secs, .. } | ApiError::Unavailable { retry_after_secs, .. } => {
                Some((*retry_after_secs).max(1))
            }
            _ => None,
        };
        let (status, error, fields) = match self {
            ApiError::Validation(fields) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", fields),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", Vec::new()),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", Vec::new()),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", Vec::new()),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", Vec::new()),
            ApiError::Conflict { field, message } => {
                (StatusCode::CONFLICT, "conflict", vec![FieldError { field: field.into(), message }])
            }
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", Vec::new()),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", Vec::new()),
            ApiError::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", Vec::new()),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", Vec::new()),
        };
        let mut response = (status, Json(ErrorBody { error, message, fields })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

/// The API's result type.
pub type ApiResult<T> = Result<T, ApiError>;
