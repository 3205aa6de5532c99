//! `POST /apps/{id}/containers/inspect`: a component checked as an upload
//! is, described, and nothing stored or kept compiled; each app's
//! inspections a minute are limited.

use crate::containers::{guest, sha256, stored_files, upload, upload_request};
use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::http::{Method, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

async fn inspect(env: &TestEnv, token: &str, app: &str, query: &str, bytes: Vec<u8>) -> Reply {
    let uri = format!("/api/v1/apps/{app}/containers/inspect{query}");
    env.send(upload_request(Some(token), &uri, "application/wasm", bytes)).await
}

async fn components_are_described_and_not_stored(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("inspector").await;
    let standalone = guest("standalone");
    let digest = sha256(&standalone);

    let reply = inspect(&env, &token, &app, "", standalone.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let report = &reply.body;
    assert_eq!(report["digest"], digest.as_str());
    assert_eq!(report["sizeBytes"], standalone.len());
    assert!(report["worlds"].as_array().unwrap().contains(&json!("basic")), "{report}");
    assert!(report["imports"].as_array().unwrap().iter().all(|i| i.is_string()), "{report}");
    assert!(!report["exports"].as_array().unwrap().is_empty(), "a processor exports its interface: {report}");
    assert_eq!(report["existingVersion"], json!(null));

    // Nothing was stored: no container, no artifact.
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&token), None).await;
    assert_eq!(listed.body, json!([]), "{listed:?}");
    assert!(stored_files(&env).is_empty(), "no artifact was written");

    // Once uploaded, the reply names the version that has these bytes.
    let uploaded = upload(&env, &token, &app, "reports/versions?label=v1", standalone.clone()).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{uploaded:?}");
    let known = inspect(&env, &token, &app, "?name=reports", standalone.clone()).await;
    assert_eq!(known.status, StatusCode::OK, "{known:?}");
    assert_eq!(known.body["existingVersion"], "v1");
    assert_eq!(known.body["worlds"], report["worlds"]);
    let other_container = inspect(&env, &token, &app, "?name=elsewhere", standalone.clone()).await;
    assert_eq!(other_container.body["existingVersion"], json!(null));
    let other_bytes = inspect(&env, &env.admin, &app, "?name=reports", guest("map")).await;
    assert_eq!(other_bytes.status, StatusCode::OK, "{other_bytes:?}");
    assert_eq!(other_bytes.body["existingVersion"], json!(null));
    assert!(other_bytes.body["worlds"].as_array().unwrap().contains(&json!("map")), "{other_bytes:?}");
    assert_eq!(stored_files(&env).len(), 1, "only the upload's artifact");
    let shown = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/reports"), Some(&token), None).await;
    assert_eq!(shown.body["versions"].as_array().unwrap().len(), 1, "inspecting added no version: {shown:?}");
}

async fn rejected_components_are_explained(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("strict").await;
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("garbage", b"definitely not wasm".to_vec(), "not a WebAssembly file"),
        ("a core module", wat::parse_str("(module)").unwrap(), "core WebAssembly module, not a component"),
        ("a plain command", guest("standalone-cli"), "satisfies no wasmjob processor world"),
    ];
    for (what, bytes, expected) in cases {
        let reply = inspect(&env, &token, &app, "", bytes.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {reply:?}");
        assert_eq!(reply.body["fields"][0]["field"], "body", "{what}: {reply:?}");
        let message = reply.body["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{what}: {message}");
        // Exactly what an upload answers.
        let uploaded = upload(&env, &token, &app, "broken/versions", bytes).await;
        assert_eq!(uploaded.body["fields"], reply.body["fields"], "{what}");
    }
    assert!(stored_files(&env).is_empty());

    let standalone = guest("standalone");
    let bad_name = inspect(&env, &token, &app, "?name=a%2Fb", standalone.clone()).await;
    assert_eq!(bad_name.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad_name:?}");
    assert_eq!(bad_name.body["fields"][0]["field"], "name");
    let unknown_option = inspect(&env, &token, &app, "?label=x", standalone.clone()).await;
    assert_eq!(unknown_option.status, StatusCode::BAD_REQUEST, "{unknown_option:?}");
    let uri = format!("/api/v1/apps/{app}/containers/inspect");
    let empty = env.send(upload_request(Some(&token), &uri, "application/wasm", Vec::new())).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{empty:?}");
    let json_body = env.send(upload_request(Some(&token), &uri, "application/json", standalone.clone())).await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST, "{json_body:?}");
    let octets = env.send(upload_request(Some(&token), &uri, "application/octet-stream", standalone.clone())).await;
    assert_eq!(octets.status, StatusCode::OK, "{octets:?}");

    // The caller must reach the app, and the app must exist.
    let anonymous = env.send(upload_request(None, &uri, "application/wasm", standalone.clone())).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let (_, intruder) = env.app("intruder").await;
    assert_eq!(inspect(&env, &intruder, &app, "", standalone.clone()).await.status, StatusCode::FORBIDDEN);
    let no_app = inspect(&env, &env.admin, "12345", "", standalone.clone()).await;
    assert_eq!(no_app.status, StatusCode::NOT_FOUND, "{no_app:?}");

    // `inspect` is the endpoint's: no container may take the name.
    let reserved = upload(&env, &token, &app, "inspect/versions", standalone).await;
    assert_eq!(reserved.status, StatusCode::UNPROCESSABLE_ENTITY, "{reserved:?}");
    assert!(reserved.body["fields"][0]["message"].as_str().unwrap().contains("reserved"), "{reserved:?}");
}

on_every_backend!(components_are_described_and_not_stored, rejected_components_are_explained);

/// `bytes` with a custom section of its own appended: the same component,
/// with a digest of its own.
pub(crate) fn variant(bytes: &[u8], n: usize) -> Vec<u8> {
    fn leb(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let name = b"wasmjob-variant";
    let payload = n.to_le_bytes();
    let mut section = Vec::new();
    leb(name.len(), &mut section);
    section.extend_from_slice(name);
    section.extend_from_slice(&payload);
    let mut out = bytes.to_vec();
    out.push(0); // a custom section
    leb(section.len(), &mut out);
    out.extend_from_slice(&section);
    out
}

/// Files in the compiled-code cache the tests' inspectors share whose
/// names start with one of `digests`.
fn compiled_files_of(digests: &[String]) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasmjob-compiled");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            digests.iter().any(|d| name.starts_with(d.as_str()))
        })
        .collect()
}

/// The attack: inspecting many distinct variants of a component grew the
/// server (each one's compiled code was kept in memory and cached on
/// disk). Inspection now keeps nothing. Not a database matter: SQLite
/// only.
#[tokio::test]
async fn inspecting_distinct_variants_keeps_nothing() {
    let env = TestEnv::with_config(Backend::Sqlite, |c| c.inspections_per_minute = 1000).await;
    let (app, token) = env.app("variants").await;
    let standalone = guest("standalone");
    let mut digests = Vec::new();
    for n in 0..12 {
        let bytes = variant(&standalone, n);
        let reply = inspect(&env, &token, &app, "", bytes.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "variant {n}: {reply:?}");
        assert_eq!(reply.body["digest"], sha256(&bytes).as_str());
        assert!(reply.body["worlds"].as_array().unwrap().contains(&json!("basic")), "{reply:?}");
        digests.push(sha256(&bytes));
    }
    digests.dedup();
    assert_eq!(digests.len(), 12, "every variant has a digest of its own");
    assert_eq!(compiled_files_of(&digests), Vec::<std::path::PathBuf>::new(), "no compiled code was cached");
    assert!(stored_files(&env).is_empty(), "no artifact was written");
    // An upload is checked the same way, and keeps no compiled code either.
    let uploaded = upload(&env, &token, &app, "kept/versions", variant(&standalone, 99)).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{uploaded:?}");
    assert_eq!(compiled_files_of(&[sha256(&variant(&standalone, 99))]), Vec::<std::path::PathBuf>::new());
}

/// The attack's other half: inspections are CPU-heavy, so each app may
/// ask for a limited number a minute; beyond it the answer is 429 with
/// `Retry-After`, and other apps keep theirs.
#[tokio::test]
async fn inspections_beyond_the_allowance_are_refused() {
    let env = TestEnv::with_config(Backend::Sqlite, |c| c.inspections_per_minute = 2).await;
    let (app, token) = env.app("eager").await;
    let (other, other_token) = env.app("patient").await;
    for n in 0..2 {
        let reply = inspect(&env, &token, &app, "", b"not wasm".to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "inspection {n}: {reply:?}");
    }
    let uri = format!("/api/v1/apps/{app}/containers/inspect");
    for token in [&token, &env.admin] {
        let request = upload_request(Some(token), &uri, "application/wasm", guest("standalone"));
        let response = env.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "too_many_requests");
        assert!(body["message"].as_str().unwrap().contains("2 components a minute"), "{body}");
    }
    let elsewhere = inspect(&env, &other_token, &other, "", guest("standalone")).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "another app keeps its allowance: {elsewhere:?}");
    // Uploads are not inspections: they are not counted.
    let uploaded = upload(&env, &token, &app, "still/versions", guest("standalone")).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{uploaded:?}");
}
