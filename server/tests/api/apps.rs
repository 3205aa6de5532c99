//! Apps: create, read, update, rotate the secret, delete; bad input is
//! refused with the field named and nothing written.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;

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

on_every_backend!(
    app_lifecycle,
    bad_input_names_the_field_and_writes_nothing,
    names_are_unique,
    unknown_ids_are_not_found,
);
