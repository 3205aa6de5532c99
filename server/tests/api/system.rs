//! `GET /system/info`, and the OpenAPI document as `wasmjob openapi`
//! prints it.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn system_info_describes_the_server(backend: Backend) {
    let env = TestEnv::with_config(backend, |config| {
        config.time_zone = "Asia/Kolkata".into();
        config.builds.enabled = true;
    })
    .await;
    let before = wasmjob_server::ids::now_ms() as i64;
    let reply = env.call(Method::GET, "/api/v1/system/info", Some(&env.admin), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let info = &reply.body;
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let server_time = info["serverTime"].as_i64().unwrap();
    assert!(server_time >= before && server_time <= before + 60_000, "{info}");
    assert_eq!(info["timeZone"], "Asia/Kolkata", "the zone jobs without one use");
    assert_eq!(info["utcOffsetMinutes"], 330);
    assert_eq!(info["buildsEnabled"], true);
    assert_eq!(info["artifactStore"], env.state.artifacts.describe());
    let keys: Vec<&String> = info.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{keys:?}");

    // An app's token may read it; no token may not.
    let (_, token) = env.app("reader").await;
    assert_eq!(env.call(Method::GET, "/api/v1/system/info", Some(&token), None).await.status, StatusCode::OK);
    assert_eq!(env.call(Method::GET, "/api/v1/system/info", None, None).await.status, StatusCode::UNAUTHORIZED);
}

async fn without_a_configured_zone_the_machine_zone_is_named(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let info = env.call(Method::GET, "/api/v1/system/info", Some(&env.admin), None).await.body;
    let zone: wasmjob_schedule::Tz = info["timeZone"].as_str().unwrap().parse().unwrap();
    assert_eq!(zone, wasmjob_schedule::local_time_zone());
    let offset = wasmjob_server::system::utc_offset_minutes(zone, info["serverTime"].as_i64().unwrap());
    assert_eq!(info["utcOffsetMinutes"], offset);
    assert_eq!(info["buildsEnabled"], false);
}

on_every_backend!(system_info_describes_the_server, without_a_configured_zone_the_machine_zone_is_named);

/// The document does not depend on the database: SQLite only.
#[tokio::test]
async fn the_served_document_is_the_printed_one() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let request = Request::get("/api/v1/openapi.json")
        .header("authorization", format!("Bearer {}", env.admin))
        .body(Body::empty())
        .unwrap();
    let response = env.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.into_body().collect().await.unwrap().to_bytes();
    let printed = wasmjob_server::api::openapi_json();
    assert_eq!(std::str::from_utf8(&served).unwrap(), printed);
    let doc: serde_json::Value = serde_json::from_str(&printed).unwrap();
    for path in ["/schedule/preview", "/apps/{id}/containers/inspect", "/system/info", "/apps/{id}/overview"] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
}
