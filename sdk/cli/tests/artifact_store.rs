//! Switching the artifact backend is a configuration change: a real
//! `wasmjob server` started with `--artifact-store s3 --s3-endpoint …
//! --s3-bucket …` flags and its keys in `WASMJOB_ARTIFACT_STORE__S3__*`
//! variables keeps an uploaded component in a real `s3s-fs` bucket, and a
//! real `wasmjob worker` downloads it from there (through the server) and
//! runs it.

#[allow(dead_code)]
#[path = "../../../server/tests/s3s/mod.rs"]
mod s3s;
#[allow(dead_code)]
mod support;

use s3s::{ACCESS_KEY, S3sServer, SECRET_KEY, files_under};
use serde_json::json;
use std::time::Duration;
use support::{Mode, Server, Worker, dist, str_of};

/// How long a run that takes a second or two may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(60);

#[test]
fn a_server_configured_for_s3_keeps_artifacts_in_the_bucket_and_workers_run_them() {
    let s3 = S3sServer::start("wasmjob-e2e");
    let env = [
        ("WASMJOB_ARTIFACT_STORE__S3__ACCESS_KEY_ID", ACCESS_KEY),
        ("WASMJOB_ARTIFACT_STORE__S3__SECRET_ACCESS_KEY", SECRET_KEY),
        ("WASMJOB_ARTIFACT_STORE__S3__ALLOW_HTTP", "true"),
        ("WASMJOB_ARTIFACT_STORE__S3__PREFIX", "e2e"),
    ];
    let flags = ["--artifact-store", "s3", "--s3-endpoint", &s3.endpoint, "--s3-bucket", &s3.bucket];
    let server = Server::start_with(Mode::Server, &env, &flags);
    let context = || format!("{}\n{}", server.log_tail(), s3.log_tail());

    let (app, secret) = server.app("s3-artifacts");
    server.push(&app, "echo", "standalone");
    let component = std::fs::read(dist("standalone")).unwrap();
    let stored: Vec<_> = files_under(&s3.bucket_dir().join("e2e/sha256"));
    assert_eq!(stored.len(), 1, "one object under the prefix: {stored:?}\n{}", context());
    assert!(stored[0].extension().is_some_and(|e| e == "wasm"), "{stored:?}");
    assert!(std::fs::read(&stored[0]).unwrap() == component, "the object is the component's bytes");
    let data_dir = server.process.log_path().parent().unwrap().join("data");
    assert!(!data_dir.join("artifacts/sha256").exists(), "nothing in the local artifact directory");

    let worker = Worker::start(&server, "s3-artifacts", &secret, "w1");
    let context = || format!("{}\n{}", worker.process.log_tail(), context());
    support::wait_for("the worker connected", PATIENCE, context, || {
        let listed = server.api.get(&format!("/api/v1/apps/{app}/workers"));
        listed.as_array().unwrap().iter().any(|w| w["alive"] == true).then_some(())
    });
    let job = server.job(
        &app,
        &json!({"name": "from-s3", "timeExpressionType": "API", "executeType": "STANDALONE",
                "processorType": "WASM", "processorInfo": "echo"}),
    );
    let id = str_of(&server.run(&job, &json!({"instanceParams": r#"{"from":"the bucket"}"#}))["id"]);
    let done = support::wait_for(format!("instance {id} SUCCEED"), PATIENCE, context, || {
        let instance = server.instance(&id);
        let status = str_of(&instance["status"]);
        assert!(!["FAILED", "STOPPED", "CANCELED"].contains(&status.as_str()), "{instance}\n{}", context());
        (status == "SUCCEED").then_some(instance)
    });
    assert!(str_of(&done["result"]).contains(r#"{"from":"the bucket"}"#), "{done}");

    // The server said where the artifacts are, and never the secret.
    let log = std::fs::read_to_string(server.process.log_path()).unwrap();
    let description = format!("s3://wasmjob-e2e/e2e at {}", s3.endpoint);
    assert!(log.contains(&description), "no `{description}` in the log:\n{}", server.log_tail());
    assert!(!log.contains(SECRET_KEY), "the secret key is in the server's log");
}
