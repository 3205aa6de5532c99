//! Apps: create, read, update, rotate the secret, delete; bad input is
//! refused with the field named and nothing written; revoking an app's
//! credentials closes the worker links they opened.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;
use wasmjob_server::auth::tokens;
use wasmjob_server::ids::Id;
use wasmjob_server::workers::{ConnectedWorker, revocation};
use wasmjob_wire::{Capabilities, Register, ServerMessage};

async fn app_lifecycle(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (id, token) = env.app("billing").await;
    let got = env.call(Method::GET, &format!("/api/v1/apps/{id}"), Some(&token), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["name"], "billing");

    let updated = env
        .call(Method::PUT, &format!("/api/v1/apps/{id}"), Some(&token), Some(json!({"description": "invoices"})))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{updated:?}");
    assert_eq!(updated.body["description"], "invoices");

    let listed = env.call(Method::GET, "/api/v1/apps", Some(&env.admin), None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    let rotated = env.call(Method::POST, &format!("/api/v1/apps/{id}/secret"), Some(&env.admin), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{rotated:?}");
    let stale = env.call(Method::GET, &format!("/api/v1/apps/{id}"), Some(&token), None).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "tokens from the old secret stop working");

    let deleted = env.call(Method::DELETE, &format!("/api/v1/apps/{id}"), Some(&env.admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = env.call(Method::GET, &format!("/api/v1/apps/{id}"), Some(&env.admin), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

async fn bad_input_names_the_field_and_writes_nothing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let cases = [
        (json!({"name": "has space"}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "ok", "description": "x".repeat(2001)}), "description"),
        (json!({"name": "ok", "colour": "blue"}), "colour"),
        (json!({"name": 7}), "name"),
        (json!({}), "body"),
    ];
    for (body, field) in cases {
        let reply = env.call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(body.clone())).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply:?}");
        assert_eq!(reply.body["error"], "validation");
        let named = reply.body["fields"].as_array().unwrap().iter().any(|f| f["field"] == field);
        assert!(named, "{body}: expected a message for `{field}`, got {reply:?}");
    }
    let malformed = env
        .send(
            axum::http::Request::post("/api/v1/apps")
                .header("authorization", format!("Bearer {}", env.admin))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{\"name\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "{malformed:?}");
    let listed = env.call(Method::GET, "/api/v1/apps", Some(&env.admin), None).await;
    assert_eq!(listed.body, json!([]), "nothing was written");
}

async fn names_are_unique(backend: Backend) {
    let env = TestEnv::new(backend).await;
    env.app("twin").await;
    let again = env.call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(json!({"name": "twin"}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{again:?}");
    assert_eq!(again.body["fields"][0]["field"], "name");
    assert!(!again.body.to_string().to_lowercase().contains("constraint"), "no SQL details leak: {again:?}");
}

async fn unknown_ids_are_not_found(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let reply = env.call(Method::GET, "/api/v1/apps/12345", Some(&env.admin), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = env.call(Method::GET, "/api/v1/apps/not-an-id", Some(&env.admin), None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
}

/// Once an app is deleted, what was under `/apps/{id}` is not found: its
/// lists answer 404 rather than an empty list, like the app itself.
async fn a_deleted_apps_resources_are_not_found(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _) = env.app("doomed").await;
    let lists = ["containers", "jobs", "instances", "workers", "overview"];
    for list in lists {
        let reply = env.call(Method::GET, &format!("/api/v1/apps/{app}/{list}"), Some(&env.admin), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{list}: {reply:?}");
    }
    let deleted = env.call(Method::DELETE, &format!("/api/v1/apps/{app}"), Some(&env.admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:?}");
    for list in lists {
        let reply = env.call(Method::GET, &format!("/api/v1/apps/{app}/{list}"), Some(&env.admin), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{list}: {reply:?}");
        assert_eq!(reply.body["error"], "not_found", "{list}: {reply:?}");
    }
}

/// A worker link of `app` as the link registers it, opened with `token`;
/// and what it is sent.
fn linked_worker(
    env: &TestEnv,
    id: i64,
    app: Option<&str>,
    token: &str,
) -> (Arc<ConnectedWorker>, UnboundedReceiver<ServerMessage>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let register = Register {
        protocol: wasmjob_wire::PROTOCOL_VERSION,
        address: format!("w{id}:1"),
        tags: Vec::new(),
        capabilities: Capabilities {
            processor_types: vec!["WASM".into()],
            max_concurrent_tasks: 4,
            engine: String::new(),
        },
        metrics: Default::default(),
        version: String::new(),
        peer_address: None,
    };
    let app = app.map(|a| Id(a.parse().unwrap()));
    let worker = Arc::new(ConnectedWorker::new(Id(id), app, &register, tokens::token_hash(token), tx));
    worker.open();
    env.state.workers.add(worker.clone());
    (worker, rx)
}

fn reason(worker: &ConnectedWorker) -> Option<String> {
    worker.revocation().borrow().clone()
}

/// The attack: a worker link opened with an app's token kept receiving
/// dispatches after the app's secret was rotated. Rotating, deleting the
/// app and logging out now close the links those tokens opened at once:
/// nothing more is sent to them and they are chosen for nothing.
async fn revoking_credentials_closes_the_links_they_opened(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("rotated").await;
    let (other, other_token) = env.app("untouched").await;
    let (worker, mut frames) = linked_worker(&env, 1, Some(&app), &token);
    let (bystander, _bystander_frames) = linked_worker(&env, 2, Some(&other), &other_token);
    let app_id = Id(app.parse().unwrap());
    assert_eq!(env.state.workers.serving(app_id, "WASM").len(), 1);

    let rotated = env.call(Method::POST, &format!("/api/v1/apps/{app}/secret"), Some(&env.admin), None).await;
    assert_eq!(rotated.status, StatusCode::OK, "{rotated:?}");
    assert_eq!(reason(&worker).as_deref(), Some("the app's secret was rotated"));
    assert!(env.state.workers.serving(app_id, "WASM").is_empty(), "a revoked link is chosen for nothing");
    let stop = wasmjob_wire::Stop { instance_id: 1, attempt: None, reason: String::new() };
    assert!(!worker.send(ServerMessage::Stop(stop)), "a revoked link is sent nothing");
    assert!(frames.try_recv().is_err(), "no frame reached the revoked link");
    assert_eq!(reason(&bystander), None, "another app's worker keeps its link");
    // Its token is gone: a link re-checking it closes too.
    let check = revocation::check(&env.state, &worker.token_hash, Some(app_id)).await.unwrap();
    assert!(matches!(check, Err(revocation::Lapse::Revoked(_))), "{check:?}");

    // Logging out closes the links the token opened, and only those.
    let (second, _) = linked_worker(&env, 3, Some(&other), &other_token);
    let (pool, _) = linked_worker(&env, 4, None, &env.admin);
    let out = env.call(Method::POST, "/api/v1/auth/logout", Some(&other_token), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:?}");
    assert_eq!(reason(&bystander).as_deref(), Some("the worker's token was revoked (logout)"));
    assert_eq!(reason(&second).as_deref(), Some("the worker's token was revoked (logout)"));
    assert_eq!(reason(&pool), None, "the administrator's link stays");
    assert!(revocation::check(&env.state, &pool.token_hash, None).await.unwrap().is_ok());

    // Deleting an app closes its workers' links.
    let (doomed, doomed_token) = env.app("doomed").await;
    let (doomed_worker, _) = linked_worker(&env, 5, Some(&doomed), &doomed_token);
    let deleted = env.call(Method::DELETE, &format!("/api/v1/apps/{doomed}"), Some(&env.admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:?}");
    assert_eq!(reason(&doomed_worker).as_deref(), Some("the worker's app was deleted"));
    assert_eq!(reason(&pool), None);
}

/// A link re-checks its token against the database (a revocation through
/// another server, an expiry): a token deleted behind this server's back,
/// expired, or of another app no longer authorises it.
async fn links_recheck_their_tokens(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("checked").await;
    let (other, _) = env.app("other").await;
    let app_id = Id(app.parse().unwrap());
    let hash = tokens::token_hash(&token);
    let expires_at = revocation::check(&env.state, &hash, Some(app_id)).await.unwrap().unwrap();
    assert!(expires_at > wasmjob_server::ids::now_ms() as i64);
    let foreign = revocation::check(&env.state, &hash, Some(Id(other.parse().unwrap()))).await.unwrap();
    assert!(matches!(foreign, Err(revocation::Lapse::Revoked(_))), "{foreign:?}");
    let as_pool = revocation::check(&env.state, &hash, None).await.unwrap();
    assert!(matches!(as_pool, Err(revocation::Lapse::Revoked(_))), "an app token opens no pool link: {as_pool:?}");

    let db = &env.state.db;
    sqlx::query(&db.sql("UPDATE api_token SET expires_at = ? WHERE token_hash = ?"))
        .bind(wasmjob_server::ids::now_ms() as i64 - 1)
        .bind(&hash)
        .execute(db.pool())
        .await
        .unwrap();
    let expired = revocation::check(&env.state, &hash, Some(app_id)).await.unwrap();
    assert_eq!(expired, Err(revocation::Lapse::Expired));
    sqlx::query(&db.sql("DELETE FROM api_token WHERE token_hash = ?")).bind(&hash).execute(db.pool()).await.unwrap();
    let gone = revocation::check(&env.state, &hash, Some(app_id)).await.unwrap();
    assert!(matches!(gone, Err(revocation::Lapse::Revoked(_))), "{gone:?}");
}

on_every_backend!(
    app_lifecycle,
    bad_input_names_the_field_and_writes_nothing,
    names_are_unique,
    unknown_ids_are_not_found,
    a_deleted_apps_resources_are_not_found,
    revoking_credentials_closes_the_links_they_opened,
    links_recheck_their_tokens,
);
