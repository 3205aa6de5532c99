//! Project templates (PowerJob's "container template"):
//! `GET /templates/{kind}?name=NAME&lang=rust|python` answers a guest
//! project of that execution kind as a `.tar.gz`, the same project
//! `wasmjob new` writes, ready to build and upload as a container. Any
//! signed-in caller may download one: a template holds nothing of the
//! server's.

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::state::AppState;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_templates::{ExecuteType, Lang};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_template))
}

/// An execution kind, as the path spells it.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // documents the path parameter; the handler parses the text
enum TemplateKind {
    Standalone,
    Broadcast,
    Map,
    MapReduce,
}

/// A template's language.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // documents the query parameter; the handler parses the text
enum TemplateLang {
    Rust,
    Python,
}

/// What to name the project, and its language.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// The project's name, also its container's: 1 to 128 letters, digits,
    /// `.`, `_` or `-`, starting with a letter, and not a Rust keyword.
    #[param(required = true, pattern = r"^[A-Za-z][A-Za-z0-9._-]{0,127}$")]
    name: Option<String>,
    /// `rust` (default: the guest SDK, built with cargo) or `python`
    /// (componentize-py).
    #[param(inline, value_type = Option<TemplateLang>)]
    lang: Option<String>,
}

/// Downloads a new processor project of an execution kind, as a
/// gzip-compressed tar archive with the project under `NAME/`: a Rust
/// crate on a copy of the guest SDK (`cargo build --release --target
/// wasm32-wasip2`) or a Python app built by its `build.sh`, with the
/// processor contract and a README on building, trying and uploading it.
#[utoipa::path(get, path = "/templates/{kind}", tag = "templates",
    params(("kind" = inline(TemplateKind), Path, description = "the execution kind"), TemplateQuery),
    responses(
        (status = 200, content_type = "application/gzip", description = "The project, as `NAME.tar.gz`",
            headers(("content-disposition" = String, description = "`attachment; filename=\"NAME.tar.gz\"`"))),
        (status = 422, body = ErrorBody, description = "An unknown kind or language, or a bad name")))]
async fn get_template(
    _principal: Principal,
    kind: Result<Path<String>, axum::extract::rejection::PathRejection>,
    query: Result<Query<TemplateQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Path(kind) = kind.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| problems.push(FieldError { field: field.into(), message });
    let kind = kind.parse::<ExecuteType>().map_err(|e| problem("kind", e.to_string())).ok();
    let lang = match query.lang.as_deref() {
        None => Some(Lang::Rust),
        Some(lang) => lang.parse::<Lang>().map_err(|e| problem("lang", e.to_string())).ok(),
    };
    let name = match query.name.as_deref() {
        None => {
            problem("name", "is required: the project's name, e.g. `?name=report-exporter`".into());
            None
        }
        Some(name) => wasmjob_templates::check_name(name).map_err(|e| problem("name", e.to_string())).ok(),
    };
    let (Some(kind), Some(lang), Some(name)) = (kind, lang, name) else {
        return Err(ApiError::Validation(problems));
    };
    let archive = wasmjob_templates::render(&name.name, kind, lang)
        .and_then(|files| wasmjob_templates::tar_gz(&name.name, &files))
        .map_err(|e| {
            tracing::error!(error = %e, "rendering a template");
            ApiError::Internal
        })?;
    let headers = [
        (header::CONTENT_TYPE, "application/gzip".to_string()),
        // The name is checked: letters, digits, `.`, `_`, `-` need no escaping.
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.tar.gz\"", name.name)),
    ];
    Ok((headers, archive).into_response())
}
