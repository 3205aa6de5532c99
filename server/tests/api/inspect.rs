//! `POST /apps/{id}/containers/inspect`: a component checked as an upload
//! is, described, and nothing stored.

use crate::containers::{guest, sha256, stored_files, upload, upload_request};
use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;

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
