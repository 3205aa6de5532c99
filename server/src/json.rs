//! `ValidJson<T>`: a JSON body deserialized with the path of any bad field
//! named, then checked by `T`'s [`Validate`] rules. Either failure is a
//! 4xx that changes nothing. Extraction itself never fails: the handler
//! calls [`ValidJson::get`] after authorizing the caller, so a caller who
//! may not touch a resource learns nothing from its validation rules.
//! A body over [`MAX_JSON_BODY_BYTES`] is refused with 413 without being
//! read further. JSON is read as the OpenAPI document describes it: a
//! struct from an object only, never from an array of its fields, and an
//! integer also when written `5.0` ([`as_schema`]).

use crate::error::{ApiError, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub mod as_schema;

/// The largest JSON body any endpoint reads: 2 MiB.
pub const MAX_JSON_BODY_BYTES: usize = 2 << 20;

/// Rules a request body must follow beyond its JSON shape.
pub trait Validate {
    /// Every problem found, one per field.
    fn validate(&self) -> Result<(), Vec<FieldError>>;
}

/// A JSON body, deserialized and validated (or why not).
#[derive(Debug)]
pub struct ValidJson<T>(Result<T, ApiError>);

impl<T> ValidJson<T> {
    /// The body, or the 4xx explaining what is wrong with it.
    pub fn get(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ValidJson(read(req).await))
    }
}

async fn read<T: DeserializeOwned + Validate>(req: Request) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bytes = read_limited(req).await?;
    // No body at all reads as `{}`: endpoints whose fields are all optional
    // (run, copy) need none. Anything else must say it is JSON.
    let bytes = if bytes.is_empty() { Bytes::from_static(b"{}") } else { bytes };
    if !is_json && bytes.as_ref() != b"{}" {
        return Err(ApiError::BadRequest("the body must be JSON, sent with `Content-Type: application/json`".into()));
    }
    let value: T = parse(&bytes)?;
    value.validate().map_err(ApiError::Validation)?;
    Ok(value)
}

/// The body's bytes, or 413 when it is (or says it is) over the limit.
async fn read_limited(req: Request) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "the body is larger than the {} MiB a JSON request may be",
            MAX_JSON_BODY_BYTES >> 20
        ))
    };
    let declared =
        req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_JSON_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let limited = http_body_util::Limited::new(req.into_body(), MAX_JSON_BODY_BYTES);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(ApiError::BadRequest(format!("cannot read the body: {e}"))),
    }
}

/// Deserializes `bytes`, naming the field at fault. Structs are read from
/// JSON objects only, whole floats as integers (see [`as_schema`]).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(as_schema::AsSchema(&mut deserializer)).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::BadRequest(format!("malformed JSON: {inner}"))
        } else {
            let field = if field == "." { "body".to_string() } else { field };
            ApiError::Validation(vec![FieldError { field, message: inner.to_string() }])
        }
    })
}

/// The `{id}` of a path, refused with a JSON 400 when it is not an id
/// (axum's own rejection would be plain text).
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub crate::ids::Id);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        raw.parse()
            .map(IdPath)
            .map_err(|_| ApiError::BadRequest(format!("`{raw}` in the path is not an id (a decimal number)")))
    }
}
