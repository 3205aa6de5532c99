//! The router: every resource's routes under `/api/v1`, collected with
//! their OpenAPI descriptions, so the document at `/api/v1/openapi.json`
//! is generated from the code and cannot miss an endpoint.

use crate::auth::Principal;
use crate::state::AppState;
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "wasmjob API", description = "Apps, jobs and instances of the wasmjob scheduler. \
        Every endpoint except health and login needs `Authorization: Bearer <token>` from `POST /api/v1/auth/login`."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn api() -> (Router<AppState>, OpenApiDoc) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::health::router())
        .merge(crate::auth::routes::router())
        .merge(crate::apps::router())
        .merge(crate::jobs::router())
        .merge(crate::instances::router())
        .split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    (router, doc)
}

/// The whole HTTP surface: `/api/v1/...`, the OpenAPI document and a page
/// that lists the endpoints.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api();
    let json = serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into());
    let page = crate::docs_page::render(&doc);
    // The document and the page describe the API only, but nothing but
    // health and login is public: both need a token like every endpoint.
    let api = api
        .route("/openapi.json", get(move |_: Principal| async move { ([("content-type", "application/json")], json) }))
        .route("/docs", get(move |_: Principal| async move { Html(page).into_response() }));
    Router::new().nest("/api/v1", api).route("/health", get(|| async { "ok" })).with_state(state)
}
