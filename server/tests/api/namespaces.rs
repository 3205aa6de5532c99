//! Namespaces group apps; they are administered, unique by code, and kept
//! while they hold apps.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;

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

on_every_backend!(namespaces_hold_apps);
