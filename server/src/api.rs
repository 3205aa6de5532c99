//! The router: every resource's routes under `/api/v1`, collected with
//! their OpenAPI descriptions, so the document at `/api/v1/openapi.json`
//! is generated from the code and cannot miss an endpoint. What holds for
//! every operation is added here once rather than in each annotation (the
//! bearer requirement and its 401, 400, 413), and so are the rules between
//! fields that derived schemas cannot say; the path parameters and the
//! id and name schemas are described once in [`params`].

use crate::auth::Principal;
use crate::state::AppState;
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub mod params;

#[derive(OpenApi)]
#[openapi(
    info(title = "wasmjob API", description = "Apps, jobs and instances of the wasmjob scheduler. \
        Every endpoint except health and login needs `Authorization: Bearer <token>` from `POST /api/v1/auth/login`."),
    modifiers(&BearerAuth),
    components(schemas(params::DecimalId, params::ContainerName))
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
        .merge(crate::namespaces::router())
        .merge(crate::apps::router())
        .merge(crate::overview::router())
        .merge(crate::jobs::router())
        .merge(crate::jobs::preview::router())
        .merge(crate::instances::router())
        .merge(crate::workers::router())
        .merge(crate::containers::router())
        .merge(crate::templates::router())
        .merge(crate::containers::builds::router())
        .merge(crate::system::router())
        .split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    document_bad_requests(&mut doc);
    document_token_requirement(&mut doc);
    // Rules between fields the server checks, which the derived schemas
    // cannot say.
    one_group_of_fields(&mut doc, "LoginRequest", &[&["username", "password"], &["app", "secret"]]);
    one_group_of_fields(&mut doc, "DeployRequest", &[&["label"], &["versionId"]]);
    git_ref_names(&mut doc);
    merge_flattened(&mut doc, "Job");
    (router, doc)
}

/// The OpenAPI document of `/api/v1`, as pretty JSON: what
/// `GET /api/v1/openapi.json` serves and `wasmjob openapi` prints.
pub fn openapi_json() -> String {
    // A document of plain maps and strings always serializes.
    serde_json::to_string_pretty(&api().1).unwrap_or_else(|_| "{}".into())
}

/// The whole HTTP surface: `/api/v1/...`, the OpenAPI document, a page
/// that lists the endpoints, and the web console (found per
/// [`ServerConfig::console_dir`](crate::ServerConfig)) at `/` for every
/// other path.
pub fn app(state: AppState) -> Router {
    let console = crate::console::Console::locate(state.config.console_dir.as_deref());
    app_with_console(state, console)
}

/// [`app`] with the console given rather than looked for.
pub fn app_with_console(state: AppState, console: crate::console::Console) -> Router {
    let (api, doc) = api();
    let json = openapi_json();
    let page = crate::docs_page::render(&doc);
    // The document and the page describe the API only, but nothing but
    // health and login is public: both need a token like every endpoint.
    let api = api
        .route("/openapi.json", get(move |_: Principal| async move { ([("content-type", "application/json")], json) }))
        .route("/docs", get(move |_: Principal| async move { Html(page).into_response() }));
    // The worker link is a WebSocket, outside the OpenAPI document; it
    // needs a token like every endpoint.
    let api = api.route("/workers/connect", get(crate::workers::link::connect));
    // The console's files are public: they carry no data. Unknown `/api`
    // paths fall through to it too and get a JSON 404 there.
    Router::new()
        .nest("/api/v1", api)
        .route("/health", get(|| async { "ok" }))
        .with_state(state)
        .fallback_service(console.router())
}

/// Any operation may answer 400 to a request it cannot read (a malformed
/// id in the path, a body that is not JSON), and one that reads a JSON
/// body 413 to a body over [`MAX_JSON_BODY_BYTES`](crate::json::MAX_JSON_BODY_BYTES):
/// say so once, for all.
fn document_bad_requests(doc: &mut OpenApiDoc) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            let reads_json =
                operation.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/json"));
            if reads_json {
                operation.responses.responses.entry("413".to_string()).or_insert_with(|| {
                    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                    RefOr::T(
                        ResponseBuilder::new()
                            .description("The body is larger than a JSON request may be (2 MiB).")
                            .content("application/json", body)
                            .build(),
                    )
                });
            }
            operation.responses.responses.entry("400".to_string()).or_insert_with(|| {
                let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                RefOr::T(
                    ResponseBuilder::new()
                        .description("The request cannot be read; the message says why.")
                        .content("application/json", body)
                        .build(),
                )
            });
        }
    }
}

/// Every operation needs a bearer token but those that say `security(())`
/// (no requirement: health and login), and may answer 401 for a missing,
/// expired or revoked one: say both once, for all, rather than in every
/// annotation.
fn document_token_requirement(doc: &mut OpenApiDoc) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in operations.into_iter().flatten() {
            if operation.security.is_some() {
                continue;
            }
            operation.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
            operation.responses.responses.entry("401".to_string()).or_insert_with(|| {
                let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                RefOr::T(ResponseBuilder::new().description("").content("application/json", body).build())
            });
        }
    }
}

/// Schema `name` (an object) takes exactly one of `groups` of fields: all
/// of that group, none of them null, and nothing (or null) of the others.
fn one_group_of_fields(doc: &mut OpenApiDoc, name: &str, groups: &[&[&str]]) {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let branches = groups.iter().enumerate().map(|(chosen, group)| {
        let mut branch = ObjectBuilder::new();
        for (index, fields) in groups.iter().enumerate() {
            let kind = if index == chosen { Type::String } else { Type::Null };
            for field in fields.iter() {
                branch = branch.property(*field, ObjectBuilder::new().schema_type(kind.clone()));
            }
        }
        for field in group.iter() {
            branch = branch.required(*field);
        }
        branch.build()
    });
    constrain(doc, name, branches.fold(OneOfBuilder::new(), OneOfBuilder::item).build().into());
}

/// A `GitRef`'s `name` follows its `kind`: a commit id for `COMMIT`, a
/// branch or tag name otherwise.
fn git_ref_names(doc: &mut OpenApiDoc) {
    use crate::containers::builds::model::{BRANCH_NAME_PATTERN, COMMIT_NAME_PATTERN};
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let branch = |kinds: &[&str], pattern: &str| {
        ObjectBuilder::new()
            .property("kind", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(kinds.iter().copied())))
            .property("name", ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)))
            .build()
    };
    let branches = [branch(&["COMMIT"], COMMIT_NAME_PATTERN), branch(&["BRANCH", "TAG"], BRANCH_NAME_PATTERN)];
    constrain(doc, "GitRef", branches.into_iter().fold(OneOfBuilder::new(), OneOfBuilder::item).build().into());
}

/// Schema `name` becomes all of what it was and `rule`.
fn constrain(doc: &mut OpenApiDoc, name: &str, rule: utoipa::openapi::Schema) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::AllOfBuilder;
    let Some(schemas) = doc.components.as_mut().map(|c| &mut c.schemas) else { return };
    let Some(RefOr::T(schema)) = schemas.get(name).cloned() else { return };
    let mut schema = schema;
    let description = match &mut schema {
        utoipa::openapi::Schema::Object(object) => object.description.take(),
        _ => None,
    };
    let all = AllOfBuilder::new().item(schema).item(rule).description(description).build();
    schemas.insert(name.to_string(), RefOr::T(all.into()));
}

/// `Job` is a `JobSpec` with ids and times beside it (serde `flatten`);
/// utoipa writes that as `allOf`, which a closed `JobSpec`
/// (`additionalProperties: false`) makes unsatisfiable. Merge the parts
/// into one closed object.
fn merge_flattened(doc: &mut OpenApiDoc, name: &str) {
    use utoipa::openapi::{RefOr, Schema};
    let Some(components) = doc.components.as_mut() else { return };
    let Some(RefOr::T(Schema::AllOf(all_of))) = components.schemas.get(name).cloned() else { return };
    let mut merged: Option<utoipa::openapi::schema::Object> = None;
    for part in all_of.items {
        let part = match part {
            RefOr::Ref(reference) => {
                let target = reference.ref_location.rsplit('/').next().unwrap_or_default().to_string();
                match components.schemas.get(&target) {
                    Some(RefOr::T(Schema::Object(object))) => object.clone(),
                    _ => return,
                }
            }
            RefOr::T(Schema::Object(object)) => object,
            RefOr::T(_) => return,
        };
        match merged.as_mut() {
            None => merged = Some(part),
            Some(all) => {
                all.properties.extend(part.properties);
                all.required.extend(part.required);
            }
        }
    }
    if let Some(mut object) = merged {
        object.description = all_of.description;
        components.schemas.insert(name.to_string(), RefOr::T(Schema::Object(object)));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn document() -> Value {
        serde_json::from_str(&super::openapi_json()).unwrap()
    }

    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut all = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                all.push((format!("{} {path}", method.to_uppercase()), operation));
            }
        }
        all
    }

    /// Every operation but health and login needs a token and says it may
    /// answer 401; those two say they need none.
    #[test]
    fn every_operation_but_the_public_ones_needs_a_token() {
        let doc = document();
        let public = ["GET /health", "POST /auth/login"];
        for (name, operation) in operations(&doc) {
            let security = operation["security"].as_array().unwrap_or_else(|| panic!("{name}: no security"));
            if public.contains(&name.as_str()) {
                assert_eq!(security, &[serde_json::json!({})], "{name}");
            } else {
                assert_eq!(security, &[serde_json::json!({"bearer": []})], "{name}");
                assert!(operation["responses"]["401"].is_object(), "{name}: no 401");
            }
        }
    }

    /// The `status` filter of the instance list takes exactly the names
    /// the server reads, alone or separated by commas.
    #[test]
    fn the_instance_status_filter_names_every_status() {
        use crate::instances::model::InstanceStatus;
        use wasmjob_vocab::Word;
        let doc = document();
        let parameters = doc["paths"]["/apps/{id}/instances"]["get"]["parameters"].as_array().unwrap();
        let status = parameters.iter().find(|p| p["name"] == "status").unwrap();
        let pattern = regex::Regex::new(status["schema"]["pattern"].as_str().unwrap()).unwrap();
        let names: Vec<&str> = InstanceStatus::ALL.iter().map(|s| s.name()).collect();
        for name in &names {
            assert!(pattern.is_match(name), "{name}");
        }
        assert!(pattern.is_match(&names.join(",")));
        for bad in ["", "running", "RUNNING,", ",RUNNING", "RUNNING,,FAILED", "DONE"] {
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }
}
