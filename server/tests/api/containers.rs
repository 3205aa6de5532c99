//! Containers: uploading real components as versions (validated by the
//! worker's runtime first), listing, the artifact download and its
//! access rule, and resolving a job's `processorInfo`.

use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use wasmjob_server::containers::resolve;
use wasmjob_server::ids::Id;

/// A component built by `guest-examples/build.sh`.
pub(crate) fn guest(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../guest-examples/dist/{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; build the guest examples first with guest-examples/build.sh", path.display())
    })
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn upload_request(token: Option<&str>, uri: &str, content_type: &str, bytes: Vec<u8>) -> Request<Body> {
    let mut request = Request::post(uri).header("content-type", content_type);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(bytes)).unwrap()
}

/// `POST /apps/{app}/containers/{path}` with a component.
pub(crate) async fn upload(env: &TestEnv, token: &str, app: &str, path: &str, bytes: Vec<u8>) -> Reply {
    let uri = format!("/api/v1/apps/{app}/containers/{path}");
    env.send(upload_request(Some(token), &uri, "application/wasm", bytes)).await
}

/// `GET /artifacts/{digest}`: status, content type and bytes.
async fn artifact(env: &TestEnv, token: &str, digest: &str) -> (StatusCode, String, Vec<u8>) {
    let request = Request::get(format!("/api/v1/artifacts/{digest}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = env.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, content_type, bytes)
}

/// Every file under the artifact store's directory.
pub(crate) fn stored_files(env: &TestEnv) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path, found) } else { found.push(path) }
        }
    }
    let mut found = Vec::new();
    walk(env.artifacts_dir.path(), &mut found);
    found
}

async fn upload_list_fetch_and_resolve(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("exporter").await;
    let (_, other) = env.app("other").await;
    let standalone = guest("standalone");
    let digest = sha256(&standalone);

    let first = upload(&env, &token, &app, "reports/versions", standalone.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let v1 = &first.body;
    assert_eq!(v1["container"], "reports");
    assert_eq!(v1["digest"], digest.as_str());
    assert_eq!(v1["label"], &digest[..12]);
    assert_eq!(v1["sizeBytes"], standalone.len());
    assert!(v1["worlds"].as_array().unwrap().contains(&json!("basic")), "{v1}");
    assert!(v1["imports"].is_array());
    assert_eq!(v1["source"], json!({"type": "UPLOAD"}));
    assert_eq!(v1["createdBy"], format!("app:{app}"));
    assert_eq!(v1["deployed"], true);
    assert!(v1["id"].is_string() && v1["createdAt"].is_i64());

    // The same bytes again: that version, not a new one.
    let again = upload(&env, &token, &app, "reports/versions?label=other-label", standalone.clone()).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["id"], v1["id"]);

    // The artifact: for the app's token and administrators, no one else.
    let (status, content_type, bytes) = artifact(&env, &token, &digest).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/wasm"));
    assert!(bytes == standalone, "the artifact is the uploaded bytes");
    assert_eq!(artifact(&env, &env.admin, &digest).await.0, StatusCode::OK);
    assert_eq!(artifact(&env, &other, &digest).await.0, StatusCode::NOT_FOUND, "another app's artifact is not found");
    assert_eq!(artifact(&env, &env.admin, &"0".repeat(64)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(artifact(&env, &env.admin, "not-a-digest").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(artifact(&env, &env.admin, &digest.to_uppercase()).await.0, StatusCode::BAD_REQUEST);

    // A second version by the administrator, labelled; it is deployed.
    let map = guest("map");
    let second = upload(&env, &env.admin, &app, "reports/versions?label=v2", map.clone()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{second:?}");
    assert_eq!((&second.body["label"], &second.body["createdBy"]), (&json!("v2"), &json!("admin")));
    assert!(second.body["worlds"].as_array().unwrap().contains(&json!("map")), "{second:?}");
    let taken = upload(&env, &token, &app, "reports/versions?label=v2", guest("broadcast")).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{taken:?}");
    assert_eq!(taken.body["fields"][0]["field"], "label");

    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&token), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{listed:?}");
    let containers = listed.body.as_array().unwrap();
    assert_eq!(containers.len(), 1, "{listed:?}");
    assert_eq!(containers[0]["name"], "reports");
    assert_eq!(containers[0]["deployedLabel"], "v2");
    assert_eq!(containers[0]["deployedDigest"], sha256(&map).as_str());
    assert_eq!(containers[0]["deployedVersionId"], second.body["id"]);

    let shown = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/reports"), Some(&token), None).await;
    assert_eq!(shown.status, StatusCode::OK, "{shown:?}");
    let versions = shown.body["versions"].as_array().unwrap();
    let labels: Vec<&str> = versions.iter().map(|v| v["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["v2", &digest[..12]], "newest first");
    assert_eq!((&versions[0]["deployed"], &versions[1]["deployed"]), (&json!(true), &json!(false)));
    let missing = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/absent"), Some(&token), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let foreign = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&other), None).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);

    // What a dispatcher sees.
    let app_id = Id(app.parse().unwrap());
    let deployed = resolve(&env.state.db, app_id, "reports").await.unwrap().unwrap();
    assert_eq!((deployed.container.as_str(), deployed.version.as_str()), ("reports", "v2"));
    assert_eq!((deployed.digest, deployed.size), (sha256(&map), map.len() as u64));
    let pinned = resolve(&env.state.db, app_id, &format!("reports@{}", &digest[..12])).await.unwrap().unwrap();
    assert_eq!(pinned.digest, digest);
    let none = resolve(&env.state.db, app_id, "absent").await.unwrap().unwrap_err();
    assert_eq!(none, "app has no container `absent`");
    let none = resolve(&env.state.db, app_id, "reports@v9").await.unwrap().unwrap_err();
    assert_eq!(none, "container `reports` has no version `v9`");
}

async fn invalid_uploads_store_nothing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("careful").await;
    let core_module = wat::parse_str("(module)").unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("garbage", b"definitely not wasm".to_vec(), "not a WebAssembly file"),
        ("a core module", core_module, "core WebAssembly module, not a component"),
        ("a plain command", guest("standalone-cli"), "satisfies no wasmjob processor world"),
    ];
    for (what, bytes, expected) in cases {
        let reply = upload(&env, &token, &app, "broken/versions", bytes).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {reply:?}");
        assert_eq!(reply.body["fields"][0]["field"], "body", "{what}: {reply:?}");
        let message = reply.body["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{what}: {message}");
    }
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&token), None).await;
    assert_eq!(listed.body, json!([]), "no container was created");
    assert_eq!(stored_files(&env), Vec::<std::path::PathBuf>::new(), "no artifact was written");

    // Bad names and labels name their field; the body is not even read.
    let standalone = guest("standalone");
    let too_long = "n".repeat(129);
    for (path, field) in [
        ("has%20space/versions", "name"),
        (&*format!("{too_long}/versions"), "name"),
        ("ok/versions?label=", "label"),
        ("ok/versions?label=a%2Fb", "label"),
    ] {
        let reply = upload(&env, &token, &app, path, standalone.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {reply:?}");
        assert_eq!(reply.body["fields"][0]["field"], field, "{path}: {reply:?}");
    }

    // Not a component body at all, or no caller, or the wrong one.
    let uri = format!("/api/v1/apps/{app}/containers/ok/versions");
    let empty = env.send(upload_request(Some(&token), &uri, "application/wasm", Vec::new())).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{empty:?}");
    let json_body = env.send(upload_request(Some(&token), &uri, "application/json", standalone.clone())).await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST, "{json_body:?}");
    let octets = env.send(upload_request(Some(&token), &uri, "application/octet-stream", standalone.clone())).await;
    assert_eq!(octets.status, StatusCode::CREATED, "octet-stream is accepted too: {octets:?}");
    let anonymous = env.send(upload_request(None, &uri, "application/wasm", standalone.clone())).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let (_, intruder) = env.app("intruder").await;
    let foreign = upload(&env, &intruder, &app, "ok/versions", standalone.clone()).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let no_app = upload(&env, &env.admin, "12345", "ok/versions", standalone).await;
    assert_eq!(no_app.status, StatusCode::NOT_FOUND, "{no_app:?}");
    let unauthenticated = env.call(Method::GET, "/api/v1/artifacts/0", None, None).await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}

/// Uploads that overlap (the standalone demo's containers while a user adds
/// one): each gets its version, and the same bytes sent twice at once make
/// one version. On SQLite, a deferred transaction that read before another
/// upload committed used to fail with "database is locked" (an HTTP 500).
async fn overlapping_uploads_all_land(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("busy").await;
    let examples = ["standalone", "map", "map-reduce", "broadcast", "slow-echo"];
    for round in 0..3 {
        // Every example under its own name, and the same bytes twice.
        let mut sends: Vec<(String, &str)> = examples.iter().map(|name| (format!("{name}-{round}"), *name)).collect();
        sends.extend([("same".to_string(), "map"), ("same".to_string(), "map")]);
        let uploads = sends.iter().map(|(container, example)| {
            let path = format!("{container}/versions");
            let (env, token, app) = (&env, &token, &app);
            async move { (path.clone(), upload(env, token, app, &path, guest(example)).await) }
        });
        let replies = futures_util::future::join_all(uploads).await;
        for (path, reply) in &replies {
            assert!(reply.status.is_success(), "round {round}, {path}: {reply:?}");
        }
        let same: Vec<_> = replies.iter().filter(|(p, _)| p == "same/versions").map(|(_, r)| &r.body["id"]).collect();
        assert_eq!(same[0], same[1], "the same bytes at once are one version");
    }
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&token), None).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(examples.len() * 3 + 1), "{listed:?}");
}

/// The attack: a container named `..` (or a version labelled so) is a
/// path that names its parent: `/apps/1/containers/..` is `/apps/1` to
/// every client, and a directory named after it escapes its parent. Such
/// names and labels are refused with 422 and a message, and nothing is
/// created.
async fn dot_names_and_labels_are_refused(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("dots").await;
    let standalone = guest("standalone");
    for (path, field, name) in [
        ("./versions", "name", "."),
        ("../versions", "name", ".."),
        ("%2E/versions", "name", "."),
        ("%2E%2E/versions", "name", ".."),
        ("ok/versions?label=..", "label", ".."),
        ("ok/versions?label=.", "label", "."),
        ("ok/versions?label=%2E%2E", "label", ".."),
    ] {
        let reply = upload(&env, &token, &app, path, standalone.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {reply:?}");
        assert_eq!(reply.body["fields"][0]["field"], field, "{path}: {reply:?}");
        let message = reply.body["fields"][0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{name}` is not allowed")), "{path}: {message}");
    }
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers"), Some(&token), None).await;
    assert_eq!(listed.body, json!([]), "no container was created: {listed:?}");
    assert!(stored_files(&env).is_empty(), "no artifact was written");

    // A container that exists gets no version labelled `..` either, and
    // cannot deploy one by that label.
    let first = upload(&env, &token, &app, "ok/versions?label=v1", standalone.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let dotted = upload(&env, &token, &app, "ok/versions?label=..", guest("map")).await;
    assert_eq!(dotted.status, StatusCode::UNPROCESSABLE_ENTITY, "{dotted:?}");
    let deploy = env
        .call(
            Method::POST,
            &format!("/api/v1/apps/{app}/containers/ok/deploy"),
            Some(&token),
            Some(json!({"label": ".."})),
        )
        .await;
    assert_eq!(deploy.status, StatusCode::UNPROCESSABLE_ENTITY, "{deploy:?}");
    let shown = env.call(Method::GET, &format!("/api/v1/apps/{app}/containers/ok"), Some(&token), None).await;
    let labels: Vec<&str> =
        shown.body["versions"].as_array().unwrap().iter().map(|v| v["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["v1"], "{shown:?}");
    assert_eq!(stored_files(&env).len(), 1, "only the first version's artifact");
}

on_every_backend!(
    upload_list_fetch_and_resolve,
    invalid_uploads_store_nothing,
    overlapping_uploads_all_land,
    dot_names_and_labels_are_refused,
);

/// Size limits do not depend on the database: SQLite only.
#[tokio::test]
async fn oversized_uploads_are_refused() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let (app, token) = env.app("big").await;
    let uri = format!("/api/v1/apps/{app}/containers/big/versions");
    let declared = Request::post(&uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/wasm")
        .header("content-length", (64u64 << 20) + 1)
        .body(Body::from(vec![0u8; 16]))
        .unwrap();
    let reply = env.send(declared).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    assert!(reply.body["message"].as_str().unwrap().contains("64 MiB"), "{reply:?}");
    let streamed = env.send(upload_request(Some(&token), &uri, "application/wasm", vec![0u8; (64 << 20) + 1])).await;
    assert_eq!(streamed.status, StatusCode::PAYLOAD_TOO_LARGE, "{streamed:?}");
    assert!(stored_files(&env).is_empty());
}
