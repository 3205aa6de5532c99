//! Namespaces group apps; they are administered, unique by code, and kept
//! while they hold apps; administrators move apps between them.

use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn namespaces_hold_apps(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let created = env
        .call(Method::POST, "/api/v1/namespaces", Some(&env.admin), Some(json!({"code": "finance", "name": "Finance"})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let ns = created.body["id"].as_str().unwrap().to_string();
    let twin = env
        .call(Method::POST, "/api/v1/namespaces", Some(&env.admin), Some(json!({"code": "finance", "name": "Again"})))
        .await;
    assert_eq!(twin.status, StatusCode::CONFLICT);
    let bad =
        env.call(Method::POST, "/api/v1/namespaces", Some(&env.admin), Some(json!({"code": "a b", "name": ""}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["fields"].as_array().unwrap().len(), 2, "{bad:?}");

    let app = env
        .call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(json!({"name": "ledger", "namespaceId": ns})))
        .await;
    assert_eq!(app.status, StatusCode::CREATED, "{app:?}");
    assert_eq!(app.body["app"]["namespaceId"], ns.as_str());
    let orphan = env
        .call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(json!({"name": "lost", "namespaceId": "42"})))
        .await;
    assert_eq!(orphan.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(orphan.body["fields"][0]["field"], "namespaceId");

    env.app("elsewhere").await;
    let in_ns = env.call(Method::GET, &format!("/api/v1/apps?namespaceId={ns}"), Some(&env.admin), None).await;
    let names: Vec<&str> = in_ns.body.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ledger"]);
    let all = env.call(Method::GET, "/api/v1/apps", Some(&env.admin), None).await;
    assert_eq!(all.body.as_array().unwrap().len(), 2);
    let bad = env.call(Method::GET, "/api/v1/apps?namespaceId=x", Some(&env.admin), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let secret = app.body["secret"].as_str().unwrap();
    let login =
        env.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"app": "ledger", "secret": secret}))).await;
    let token = login.body["token"].as_str().unwrap();
    let seen = env.call(Method::GET, "/api/v1/namespaces", Some(token), None).await;
    assert_eq!(seen.body.as_array().unwrap().len(), 1, "an app sees its own namespace: {seen:?}");

    let busy = env.call(Method::DELETE, &format!("/api/v1/namespaces/{ns}"), Some(&env.admin), None).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{busy:?}");
    let app_id = app.body["app"]["id"].as_str().unwrap();
    env.call(Method::DELETE, &format!("/api/v1/apps/{app_id}"), Some(&env.admin), None).await;
    let freed = env.call(Method::DELETE, &format!("/api/v1/namespaces/{ns}"), Some(&env.admin), None).await;
    assert_eq!(freed.status, StatusCode::NO_CONTENT);
}

async fn namespace(env: &TestEnv, code: &str) -> String {
    let body = json!({"code": code, "name": code});
    let created = env.call(Method::POST, "/api/v1/namespaces", Some(&env.admin), Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    created.body["id"].as_str().unwrap().to_string()
}

async fn put_app(env: &TestEnv, app: &str, who: &str, body: Value) -> Reply {
    env.call(Method::PUT, &format!("/api/v1/apps/{app}"), Some(who), Some(body)).await
}

async fn administrators_move_apps_between_namespaces(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (finance, sales) = (namespace(&env, "finance").await, namespace(&env, "sales").await);
    let (app, token) = env.app("ledger").await;
    let admin = env.admin.clone();

    let moved = put_app(&env, &app, &admin, json!({"description": "books", "namespaceId": finance})).await;
    assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
    assert_eq!(
        (moved.body["namespaceId"].as_str(), moved.body["description"].as_str()),
        (Some(&*finance), Some("books"))
    );
    let kept = put_app(&env, &app, &admin, json!({"description": "ledgers"})).await;
    assert_eq!(kept.body["namespaceId"], finance.as_str(), "left out, the namespace stays: {kept:?}");

    // An app's own token edits its description, but does not move it.
    let refused = put_app(&env, &app, &token, json!({"description": "mine", "namespaceId": sales})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    assert!(refused.body["message"].as_str().unwrap().contains("only administrators move apps"), "{refused:?}");
    let missing = put_app(&env, &app, &admin, json!({"description": "x", "namespaceId": "42"})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{missing:?}");
    assert_eq!(missing.body["fields"][0]["field"], "namespaceId");
    let garbled = put_app(&env, &app, &admin, json!({"description": "x", "namespaceId": "sales"})).await;
    assert_eq!(garbled.status, StatusCode::UNPROCESSABLE_ENTITY, "{garbled:?}");
    assert!(garbled.body.to_string().contains("`sales` is not an id"), "{garbled:?}");
    let unchanged = env.call(Method::GET, &format!("/api/v1/apps/{app}"), Some(&admin), None).await;
    let now = (unchanged.body["namespaceId"].as_str(), unchanged.body["description"].as_str());
    assert_eq!(now, (Some(&*finance), Some("ledgers")), "refusals change nothing");

    let out = put_app(&env, &app, &admin, json!({"description": "ledgers", "namespaceId": null})).await;
    assert_eq!(out.status, StatusCode::OK, "{out:?}");
    assert_eq!(out.body["namespaceId"], Value::Null);
    let freed = env.call(Method::DELETE, &format!("/api/v1/namespaces/{finance}"), Some(&admin), None).await;
    assert_eq!(freed.status, StatusCode::NO_CONTENT, "the namespace no longer holds the app");
}

on_every_backend!(namespaces_hold_apps, administrators_move_apps_between_namespaces);
