//! Authentication on every endpoint, checked from the route table itself so
//! that a new endpoint cannot be forgotten.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;

/// Every operation of the OpenAPI document: method and path.
fn operations() -> Vec<(Method, String)> {
    let (_, doc) = wasmjob_server::api::api();
    let mut all = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for (method, present) in ops {
            if present {
                all.push((method, path.clone()));
            }
        }
    }
    assert!(all.len() >= 22, "the route table looks short: {all:?}");
    all
}

const PUBLIC: [&str; 2] = ["/health", "/auth/login"];

/// Endpoints that involve no app's resource: the caller's own token,
/// project templates (the same for everyone) and schedule previews (a
/// computation on the request alone).
const SELF_SCOPED: [&str; 4] = ["/auth/me", "/auth/logout", "/templates/{kind}", "/schedule/preview"];

/// Endpoints for administrators alone, whatever their path names.
const ADMIN_ONLY: [&str; 2] = ["/auth/lockouts", "/auth/lockouts/{id}"];

/// An app with a job and an instance of it.
struct Owned {
    app: String,
    job: String,
    instance: String,
}

impl Owned {
    async fn create(env: &TestEnv, name: &str) -> (Owned, String) {
        let (app, token) = env.app(name).await;
        let job = env.job(&app, crate::jobs::cron_job("nightly")).await;
        let instance = env.run(&job).await;
        (Owned { app, job, instance }, token)
    }

    /// The path with its `{id}` filled with the resource it names.
    fn fill(&self, path: &str) -> String {
        let id = if path.starts_with("/jobs/") {
            &self.job
        } else if path.starts_with("/instances/") {
            &self.instance
        } else {
            &self.app
        };
        format!("/api/v1{}", path.replace("{id}", id).replace("{digest}", &"0".repeat(64)))
    }
}

async fn every_endpoint_needs_a_token(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (other, _) = Owned::create(&env, "other").await;
    let mut checked = 0;
    for (method, path) in
        operations().into_iter().chain([(Method::GET, "/openapi.json".into()), (Method::GET, "/docs".into())])
    {
        if PUBLIC.contains(&path.as_str()) {
            continue;
        }
        let uri = other.fill(&path);
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        let reply = env.call(method.clone(), &uri, None, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {uri} without a token: {reply:?}");
        let reply = env.call(method.clone(), &uri, Some("wjt_not-a-real-token"), body).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {uri} with a bad token: {reply:?}");
        checked += 1;
    }
    assert!(checked >= 7);
}

async fn another_apps_token_is_forbidden(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (victim, _) = Owned::create(&env, "victim").await;
    let (_, intruder) = env.app("intruder").await;
    for (method, path) in operations() {
        if PUBLIC.contains(&path.as_str()) || SELF_SCOPED.contains(&path.as_str()) {
            continue;
        }
        let uri = victim.fill(&path);
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH)
            .then(|| json!({"name": "x", "description": "x"}));
        let reply = env.call(method.clone(), &uri, Some(&intruder), body).await;
        if path.contains("{id}") || method != Method::GET || ADMIN_ONLY.contains(&path.as_str()) {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {uri} with another app's token: {reply:?}");
        } else if path.contains("{digest}") {
            // Artifacts are addressed by content: another app's is not found, so none is revealed.
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri} with another app's token: {reply:?}");
        } else {
            assert!(reply.status.is_success(), "{method} {uri}: {reply:?}");
            assert!(!reply.body.to_string().contains("victim"), "{method} {uri} leaked another app: {reply:?}");
        }
    }
}

async fn wrong_credentials_are_refused_alike(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let wrong_password = env
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": "nope"})))
        .await;
    let no_user = env
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "nobody", "password": "nope"})))
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.body, no_user.body, "the answer must not tell which part was wrong");
    let half = env.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin"}))).await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(half.body["fields"][0]["field"], "password");
    let extra = env
        .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": "x", "otp": 1})))
        .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra:?}");
    assert!(extra.body["message"].as_str().unwrap().contains("otp"), "{extra:?}");
}

async fn secrets_are_stored_hashed(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let created = env.call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(json!({"name": "hashed"}))).await;
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let stored: (String,) = sqlx::query_as(&env.state.db.sql("SELECT secret_hash FROM app WHERE name = ?"))
        .bind("hashed")
        .fetch_one(env.state.db.pool())
        .await
        .unwrap();
    assert!(stored.0.starts_with("$argon2id$") && !stored.0.contains(&secret));
    let tokens: Vec<(String,)> =
        sqlx::query_as("SELECT token_hash FROM api_token").fetch_all(env.state.db.pool()).await.unwrap();
    assert!(tokens.iter().all(|(hash,)| hash.len() == 64 && hash != &env.admin));
}

async fn a_token_knows_who_it_is(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let me = env.call(Method::GET, "/api/v1/auth/me", Some(&env.admin), None).await;
    assert_eq!(
        (me.body["kind"].as_str(), me.body["name"].as_str(), me.body["admin"].as_bool()),
        (Some("user"), Some("admin"), Some(true))
    );
    let (app, token) = env.app("whoami").await;
    let me = env.call(Method::GET, "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!(me.body, json!({"kind": "app", "id": app, "name": "whoami", "admin": false}));
}

async fn logout_revokes_the_token(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (_, token) = env.app("leaving").await;
    let out = env.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:?}");
    let after = env.call(Method::GET, "/api/v1/auth/me", Some(&token), None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let admin = env.call(Method::GET, "/api/v1/auth/me", Some(&env.admin), None).await;
    assert_eq!(admin.status, StatusCode::OK, "other tokens keep working");
}

on_every_backend!(
    logout_revokes_the_token,
    a_token_knows_who_it_is,
    every_endpoint_needs_a_token,
    another_apps_token_is_forbidden,
    wrong_credentials_are_refused_alike,
    secrets_are_stored_hashed,
);
