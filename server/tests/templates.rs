//! `GET /api/v1/templates/{kind}`: the project `wasmjob new` writes, as a
//! `.tar.gz` download for any signed-in caller; bad input is a 4xx that
//! names the field. The endpoint touches no table, so SQLite suffices.

#[allow(dead_code, unused_macros)]
#[path = "api/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use support::{Backend, TestEnv};
use tower::ServiceExt;
use wasmjob_templates::Lang;
use wasmjob_vocab::{ExecuteType, Word};

/// A raw download: status, headers of interest and body.
struct Download {
    status: StatusCode,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

impl Download {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The archive's regular files: path → (contents, mode).
    fn files(&self) -> BTreeMap<String, (String, u32)> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(self.body.as_slice()));
        let mut files = BTreeMap::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = entry.path().unwrap().to_str().unwrap().to_string();
            let mode = entry.header().mode().unwrap();
            let mut contents = String::new();
            entry.read_to_string(&mut contents).unwrap();
            files.insert(path, (contents, mode));
        }
        files
    }
}

async fn get(env: &TestEnv, token: Option<&str>, uri: &str) -> Download {
    let mut request = Request::builder().method(Method::GET).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = env.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    Download { status, content_type, disposition, body }
}

#[tokio::test]
async fn every_kind_and_language_downloads_the_project_new_writes() {
    let env = TestEnv::new(Backend::Sqlite).await;
    for lang in Lang::ALL {
        for &kind in ExecuteType::ALL {
            let uri = format!("/api/v1/templates/{}?name=Report.Exporter&lang={lang}", kind.flag());
            let download = get(&env, Some(&env.admin), &uri).await;
            assert_eq!(download.status, StatusCode::OK, "{uri}: {:?}", download.json());
            assert_eq!(download.content_type, "application/gzip");
            assert_eq!(download.disposition, r#"attachment; filename="Report.Exporter.tar.gz""#);
            let files = download.files();
            let expected = wasmjob_templates::render("Report.Exporter", kind, lang).unwrap();
            assert_eq!(files.len(), expected.len(), "{uri}");
            for file in &expected {
                let (contents, mode) = &files[&format!("Report.Exporter/{}", file.path)];
                assert_eq!(contents, &file.contents, "{uri}: {}", file.path);
                assert_eq!(*mode, if file.executable { 0o755 } else { 0o644 }, "{uri}: {}", file.path);
            }
            assert!(files["Report.Exporter/README.md"].0.starts_with("# Report.Exporter\n"));
            let source = match lang {
                Lang::Rust => "Report.Exporter/src/lib.rs",
                Lang::Python => "Report.Exporter/app.py",
            };
            assert!(files.contains_key(source), "{uri}: {:?}", files.keys());
            assert!(files.contains_key("Report.Exporter/wit/processor.wit"));
        }
    }
}

#[tokio::test]
async fn rust_is_the_default_and_app_tokens_may_download() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let (_app, token) = env.app("billing").await;
    let download = get(&env, Some(&token), "/api/v1/templates/MAP_REDUCE?name=sums").await;
    assert_eq!(download.status, StatusCode::OK, "{:?}", download.json());
    let files = download.files();
    let lib = &files["sums/src/lib.rs"].0;
    assert!(lib.contains("wasmjob_sdk::export_map_reduce!("), "{lib}");
    assert!(files["sums/Cargo.toml"].0.contains("name = \"sums\""));
}

#[tokio::test]
async fn a_template_needs_a_token() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let download = get(&env, None, "/api/v1/templates/standalone?name=demo").await;
    assert_eq!(download.status, StatusCode::UNAUTHORIZED);
    let download = get(&env, Some("not-a-token"), "/api/v1/templates/standalone?name=demo").await;
    assert_eq!(download.status, StatusCode::UNAUTHORIZED);
}

/// Asks for `uri`, expects a 422 naming `field` with a message containing
/// `words`; returns how many fields were named.
async fn refused(env: &TestEnv, uri: &str, field: &str, words: &str) -> usize {
    let download = get(env, Some(&env.admin), uri).await;
    assert_eq!(download.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
    assert!(download.content_type.starts_with("application/json"), "{uri}");
    let body = download.json();
    assert_eq!(body["error"], "validation", "{uri}: {body}");
    let fields = body["fields"].as_array().unwrap();
    let named = fields.iter().find(|f| f["field"] == field).unwrap_or_else(|| panic!("{uri}: {body}"));
    let message = named["message"].as_str().unwrap();
    assert!(message.contains(words), "{uri}: {message}");
    fields.len()
}

#[tokio::test]
async fn bad_kinds_languages_and_names_are_422s_naming_the_field() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let env = &env;
    refused(env, "/api/v1/templates/basic?name=demo", "kind", "expected standalone, broadcast, map or map-reduce")
        .await;
    refused(env, "/api/v1/templates/map?name=demo&lang=go", "lang", "use rust or python").await;
    refused(env, "/api/v1/templates/map", "name", "is required").await;
    refused(env, "/api/v1/templates/map?name=1job", "name", "must start with a letter").await;
    refused(env, "/api/v1/templates/map?name=a%40b", "name", "`@` is not allowed").await;
    refused(env, "/api/v1/templates/map?name=fn", "name", "cannot name a crate").await;
    let all = refused(env, "/api/v1/templates/cron?lang=java", "kind", "unknown execution kind").await;
    assert_eq!(all, 3, "every bad field is named at once");
}

#[tokio::test]
async fn unknown_query_parameters_are_400s() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let download = get(&env, Some(&env.admin), "/api/v1/templates/map?name=demo&language=rust").await;
    assert_eq!(download.status, StatusCode::BAD_REQUEST);
    assert_eq!(download.json()["error"], "bad_request");
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoint() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let doc = env.call(Method::GET, "/api/v1/openapi.json", Some(&env.admin), None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let get = &doc.body["paths"]["/templates/{kind}"]["get"];
    assert_eq!(get["tags"][0], "templates", "{get}");
    assert!(get["responses"]["200"]["content"]["application/gzip"].is_object(), "{get}");
    assert!(get["responses"]["200"]["headers"]["content-disposition"].is_object(), "{get}");
    for status in ["401", "422"] {
        assert!(get["responses"][status].is_object(), "{status}: {get}");
    }
    let params = get["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}: {get}"));
    assert_eq!(param("kind")["in"], "path");
    assert_eq!(param("kind")["schema"]["enum"], serde_json::json!(["standalone", "broadcast", "map", "map-reduce"]));
    assert_eq!(param("name")["required"], true);
    assert_eq!(param("lang")["schema"]["enum"], serde_json::json!(["rust", "python"]), "{}", param("lang"));
}
