//! Deploy, rollback, deletion and retention of container versions: what
//! `resolve` returns follows the deployments, deletions are refused while
//! enabled jobs name a version (or it is deployed), bytes leave the store
//! only when no version names them, retention keeps the newest N and never
//! the deployed or pinned ones, and bad input changes nothing.

use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use wasmjob_server::containers::resolve;
use wasmjob_server::ids::Id;

/// A component built by `guest-examples/build.sh`.
fn guest(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../guest-examples/dist/{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; build the guest examples first with guest-examples/build.sh", path.display())
    })
}

/// Uploads `guest` as version `label` of `container` (`query` appended).
async fn upload(env: &TestEnv, app: &str, container: &str, label: &str, guest_name: &str, query: &str) -> Reply {
    let uri = format!("/api/v1/apps/{app}/containers/{container}/versions?label={label}{query}");
    let request = Request::post(uri)
        .header("content-type", "application/wasm")
        .header("authorization", format!("Bearer {}", env.admin))
        .body(Body::from(guest(guest_name)))
        .unwrap();
    let reply = env.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    reply
}

async fn detail(env: &TestEnv, app: &str, container: &str) -> Reply {
    env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/{container}"), Some(&env.admin), None).await
}

async fn deploy(env: &TestEnv, app: &str, container: &str, body: Value) -> Reply {
    let path = format!("/api/v1/apps/{app}/containers/{container}/deploy");
    env.call(Method::POST, &path, Some(&env.admin), Some(body)).await
}

async fn resolved_label(env: &TestEnv, app: &str, info: &str) -> Result<String, String> {
    let app = Id(app.parse().unwrap());
    resolve(&env.state.db, app, info).await.unwrap().map(|a| a.version)
}

fn labels(detail: &Value) -> Vec<String> {
    detail["versions"].as_array().unwrap().iter().map(|v| v["label"].as_str().unwrap().to_string()).collect()
}

fn wasm_job(name: &str, info: &str, enabled: bool) -> Value {
    json!({"name": name, "timeExpressionType": "API", "executeType": "STANDALONE", "processorType": "WASM",
        "processorInfo": info, "enabled": enabled})
}

async fn artifact_status(env: &TestEnv, digest: &str) -> StatusCode {
    env.call(Method::GET, &format!("/api/v1/artifacts/{digest}"), Some(&env.admin), None).await.status
}

async fn deploy_and_rollback_change_what_resolves(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("rollouts").await;
    let (_, other) = env.app("other").await;
    let v1 = upload(&env, &app, "echo", "v1", "standalone", "").await.body;
    assert_eq!(v1["deployed"], true, "an upload deploys by default");
    let v2 = upload(&env, &app, "echo", "v2", "compat-0.1.0", "&deploy=false").await.body;
    assert_eq!(v2["deployed"], false);
    assert_eq!(resolved_label(&env, &app, "echo").await.unwrap(), "v1", "deploy=false leaves v1 deployed");
    assert_eq!(resolved_label(&env, &app, "echo@v2").await.unwrap(), "v2");

    // Bad input: 4xx with a message, nothing changed.
    let before = detail(&env, &app, "echo").await.body;
    for (body, field) in [
        (json!({"label": "v9"}), "label"),
        (json!({}), "label"),
        (json!({"label": "v2", "versionId": v2["id"]}), "label"),
        (json!({"label": "no spaces"}), "label"),
        (json!({"versionId": "x1"}), "versionId"),
        (json!({"versionId": "12345"}), "versionId"),
    ] {
        let refused = deploy(&env, &app, "echo", body.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {refused:?}");
        assert_eq!(refused.body["fields"][0]["field"], field, "{body}: {refused:?}");
        assert!(!refused.body["message"].as_str().unwrap_or_default().is_empty(), "{refused:?}");
    }
    let unknown = deploy(&env, &app, "echo", json!({"label": "v2", "extra": 1})).await;
    assert!(unknown.status.is_client_error(), "{unknown:?}");
    let v9 = deploy(&env, &app, "echo", json!({"label": "v9"})).await;
    assert!(v9.body["fields"][0]["message"].as_str().unwrap().contains("no version labelled `v9`"), "{v9:?}");
    assert_eq!(deploy(&env, &app, "nothing", json!({"label": "v2"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(deploy(&env, "123", "echo", json!({"label": "v2"})).await.status, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/apps/{app}/containers/echo/deploy");
    let foreign = env.call(Method::POST, &path, Some(&other), Some(json!({"label": "v2"}))).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{foreign:?}");
    let no_json = env
        .send(
            Request::post(format!("/api/v1/apps/{app}/containers/echo/deploy"))
                .header("authorization", format!("Bearer {}", env.admin))
                .header("content-type", "application/json")
                .body(Body::from("{\"label\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(no_json.status, StatusCode::BAD_REQUEST, "{no_json:?}");
    assert_eq!(detail(&env, &app, "echo").await.body, before, "refused deployments change nothing");

    // Deploy v2 (the app's own token may): resolve follows.
    let deployed = env.call(Method::POST, &path, Some(&token), Some(json!({"label": "v2"}))).await;
    assert_eq!(deployed.status, StatusCode::OK, "{deployed:?}");
    assert_eq!(deployed.body["deployedLabel"], "v2");
    assert_eq!(deployed.body["deployment"]["label"], "v2");
    assert_eq!(deployed.body["deployment"]["deployedBy"], format!("app:{app}"));
    assert_eq!(deployed.body["workers"], json!([]), "no worker is connected");
    assert_eq!(resolved_label(&env, &app, "echo").await.unwrap(), "v2");
    assert_eq!(resolved_label(&env, &app, "echo@v1").await.unwrap(), "v1", "a pinned label is unaffected");

    // Roll back by version id.
    let back = deploy(&env, &app, "echo", json!({"versionId": v1["id"]})).await;
    assert_eq!(back.status, StatusCode::OK, "{back:?}");
    assert_eq!(resolved_label(&env, &app, "echo").await.unwrap(), "v1");
    let versions = back.body["versions"].as_array().unwrap();
    let deployed: Vec<_> = versions.iter().filter(|v| v["deployed"] == true).map(|v| &v["label"]).collect();
    assert_eq!(deployed, [&json!("v1")]);
    // Deploying the deployed version again records nothing.
    assert_eq!(deploy(&env, &app, "echo", json!({"label": "v1"})).await.status, StatusCode::OK);
    let history =
        env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/echo/deployments"), Some(&token), None).await;
    assert_eq!(history.status, StatusCode::OK, "{history:?}");
    let history: Vec<_> = history.body.as_array().unwrap().iter().map(|d| d["label"].clone()).collect();
    assert_eq!(history, [json!("v1"), json!("v2"), json!("v1")], "newest first: rollback, deploy, upload");
    assert_eq!(back.body["deployment"]["deployedBy"], "admin");
    let missing = format!("/api/v1/apps/{app}/containers/nothing/deployments");
    assert_eq!(env.call(Method::GET, &missing, Some(&token), None).await.status, StatusCode::NOT_FOUND);
}

async fn delete(env: &TestEnv, app: &str, token: &str, path: &str) -> Reply {
    env.call(Method::DELETE, &format!("/api/v1/apps/{app}/containers/{path}"), Some(token), None).await
}

async fn deletion_waits_for_enabled_jobs_and_spares_the_deployed(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("deletions").await;
    let v1 = upload(&env, &app, "echo", "v1", "standalone", "").await.body;
    let v2 = upload(&env, &app, "echo", "v2", "compat-0.1.0", "").await.body;
    // The same bytes as v2 in another container: they must survive echo's deletion.
    upload(&env, &app, "twin", "t1", "compat-0.1.0", "").await;
    let pinned = env.job(&app, wasm_job("pinned-to-v1", "echo@v1", true)).await;
    let follows = env.job(&app, wasm_job("follows-deployed", "echo", true)).await;

    let refused = delete(&env, &app, &token, "echo/versions/v1").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused:?}");
    let message = refused.body["message"].as_str().unwrap();
    assert!(message.contains("`pinned-to-v1`") && message.contains(&pinned), "{message}");
    assert!(!message.contains("follows-deployed"), "{message}");
    let deployed = delete(&env, &app, &token, "echo/versions/v2").await;
    assert_eq!(deployed.status, StatusCode::CONFLICT, "{deployed:?}");
    assert!(deployed.body["message"].as_str().unwrap().contains("deploy another version first"), "{deployed:?}");
    assert_eq!(delete(&env, &app, &token, "echo/versions/v7").await.status, StatusCode::NOT_FOUND);
    assert_eq!(delete(&env, &app, &token, "echo/versions/bad%20label").await.status, StatusCode::NOT_FOUND);
    assert_eq!(delete(&env, &app, &token, "nothing").await.status, StatusCode::NOT_FOUND);
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["v2", "v1"], "refusals change nothing");

    // Disabled, the job no longer holds v1: it goes, with its bytes.
    let disabled = env.call(Method::POST, &format!("/api/v1/jobs/{pinned}/disable"), Some(&env.admin), None).await;
    assert_eq!(disabled.status, StatusCode::OK, "{disabled:?}");
    let v1_digest = v1["digest"].as_str().unwrap();
    assert_eq!(artifact_status(&env, v1_digest).await, StatusCode::OK);
    assert_eq!(delete(&env, &app, &token, "echo/versions/v1").await.status, StatusCode::NO_CONTENT);
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["v2"]);
    assert_eq!(artifact_status(&env, v1_digest).await, StatusCode::NOT_FOUND, "no version names v1's bytes");
    assert!(resolved_label(&env, &app, "echo@v1").await.unwrap_err().contains("no version `v1`"));

    // The container: refused while an enabled job names it at all.
    let refused = delete(&env, &app, &token, "echo").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{refused:?}");
    assert!(refused.body["message"].as_str().unwrap().contains("`follows-deployed`"), "{refused:?}");
    env.call(Method::POST, &format!("/api/v1/jobs/{follows}/disable"), Some(&env.admin), None).await;
    assert_eq!(delete(&env, &app, &token, "echo").await.status, StatusCode::NO_CONTENT);
    assert_eq!(detail(&env, &app, "echo").await.status, StatusCode::NOT_FOUND);
    assert!(resolved_label(&env, &app, "echo").await.unwrap_err().contains("no container `echo`"));
    let v2_digest = v2["digest"].as_str().unwrap();
    assert_eq!(artifact_status(&env, v2_digest).await, StatusCode::OK, "twin still names these bytes");
    assert_eq!(labels(&detail(&env, &app, "twin").await.body), ["t1"]);
    assert_eq!(delete(&env, &app, &token, "twin").await.status, StatusCode::NO_CONTENT);
    assert_eq!(artifact_status(&env, v2_digest).await, StatusCode::NOT_FOUND);
}

async fn deleting_an_app_removes_the_bytes_only_it_had(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _) = env.app("leaving").await;
    let (other, _) = env.app("staying").await;
    let own = upload(&env, &app, "echo", "v1", "standalone", "").await.body;
    let shared = upload(&env, &app, "echo", "v2", "compat-0.1.0", "").await.body;
    upload(&env, &other, "twin", "t1", "compat-0.1.0", "").await;
    env.job(&app, wasm_job("uses-echo", "echo", true)).await;
    let deleted = env.call(Method::DELETE, &format!("/api/v1/apps/{app}"), Some(&env.admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:?}");
    assert_eq!(artifact_status(&env, own["digest"].as_str().unwrap()).await, StatusCode::NOT_FOUND);
    let shared = shared["digest"].as_str().unwrap();
    assert_eq!(artifact_status(&env, shared).await, StatusCode::OK, "the other app still has these bytes");
    assert_eq!(resolved_label(&env, &other, "twin").await.unwrap(), "t1");
}

async fn retention_keeps_the_newest_and_the_protected(backend: Backend) {
    let env = TestEnv::with_config(backend, |config| config.container_versions_kept = 2).await;
    let (app, _) = env.app("retained").await;
    let a = upload(&env, &app, "echo", "a", "standalone", "").await.body; // deployed throughout
    upload(&env, &app, "echo", "b", "workflow-context", "&deploy=false").await;
    // A disabled job naming `b` by label still protects it.
    env.job(&app, wasm_job("uses-b", "echo@b", false)).await;
    let c = upload(&env, &app, "echo", "c", "compat-0.1.0", "&deploy=false").await.body;
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["c", "b", "a"], "a and b are protected");
    upload(&env, &app, "echo", "d", "broadcast", "&deploy=false").await;
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["d", "c", "b", "a"]);
    upload(&env, &app, "echo", "e", "map", "&deploy=false").await;
    // c is now third newest and unprotected: pruned with its bytes.
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["e", "d", "b", "a"]);
    assert_eq!(artifact_status(&env, c["digest"].as_str().unwrap()).await, StatusCode::NOT_FOUND);
    // Deploying e and uploading f: d goes, a (no longer deployed, named by no job) goes.
    assert_eq!(deploy(&env, &app, "echo", json!({"label": "e"})).await.status, StatusCode::OK);
    upload(&env, &app, "echo", "f", "map-reduce", "&deploy=false").await;
    assert_eq!(labels(&detail(&env, &app, "echo").await.body), ["f", "e", "b"]);
    assert_eq!(artifact_status(&env, a["digest"].as_str().unwrap()).await, StatusCode::NOT_FOUND);
    assert_eq!(resolved_label(&env, &app, "echo").await.unwrap(), "e");
}

on_every_backend!(
    deploy_and_rollback_change_what_resolves,
    deletion_waits_for_enabled_jobs_and_spares_the_deployed,
    retention_keeps_the_newest_and_the_protected,
    deleting_an_app_removes_the_bytes_only_it_had,
);
