//! Tenant against tenant, on a real server and real workers: an app's
//! token tries every operation on another app's resources (each refused,
//! nothing changed); another app's worker never receives the victim's
//! dispatches; and a component that tries to leave its sandbox (read host
//! files, the environment, the arguments, open a socket) sees nothing.

use crate::support::{Api, Mode, Server, Worker, str_of};
use serde_json::{Value, json};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(60);

/// A server with a victim app (a job, a container, an instance) and an
/// intruder app; the intruder's client.
struct Setup {
    server: Server,
    victim: String,
    victim_job: String,
    victim_instance: String,
    intruder: String,
    intruder_secret: String,
    intruder_api: Api,
}

fn setup() -> Setup {
    let server =
        Server::start(Mode::Server, &[("WASMJOB_HEARTBEAT_INTERVAL_MS", "500"), ("WASMJOB_WORKER_TIMEOUT_MS", "3000")]);
    let (victim, _) = server.app("victim");
    server.push(&victim, "secret-work", "standalone");
    let victim_job = server.job(
        &victim,
        &json!({"name": "victims-job", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "secret-work", "jobParams": "{\"apiKey\":\"victim-only\"}"}),
    );
    let victim_instance = str_of(&server.run(&victim_job, &json!({}))["id"]);
    let (intruder, intruder_secret) = server.app("intruder");
    let login = Api::new(&server.url, None)
        .post("/api/v1/auth/login", &json!({"app": "intruder", "secret": intruder_secret.clone()}));
    let intruder_api = Api::new(&server.url, Some(str_of(&login["token"])));
    Setup { server, victim, victim_job, victim_instance, intruder, intruder_secret, intruder_api }
}

#[test]
fn another_apps_token_is_refused_everywhere_and_changes_nothing() {
    let s = setup();
    let (app, job, instance) = (&s.victim, &s.victim_job, &s.victim_instance);
    let body = json!({"name": "taken", "description": "x", "url": "https://example.com/o/r.git"});
    let attempts: Vec<(&str, String)> = vec![
        ("GET", format!("/api/v1/apps/{app}")),
        ("PUT", format!("/api/v1/apps/{app}")),
        ("DELETE", format!("/api/v1/apps/{app}")),
        ("POST", format!("/api/v1/apps/{app}/secret")),
        ("GET", format!("/api/v1/apps/{app}/jobs")),
        ("POST", format!("/api/v1/apps/{app}/jobs")),
        ("POST", format!("/api/v1/apps/{app}/jobs/import")),
        ("GET", format!("/api/v1/apps/{app}/instances")),
        ("GET", format!("/api/v1/apps/{app}/overview")),
        ("GET", format!("/api/v1/apps/{app}/workers")),
        ("GET", format!("/api/v1/apps/{app}/containers")),
        ("GET", format!("/api/v1/apps/{app}/containers/secret-work")),
        ("DELETE", format!("/api/v1/apps/{app}/containers/secret-work")),
        ("POST", format!("/api/v1/apps/{app}/containers/secret-work/deploy")),
        ("GET", format!("/api/v1/apps/{app}/containers/secret-work/source")),
        ("PUT", format!("/api/v1/apps/{app}/containers/secret-work/source")),
        ("POST", format!("/api/v1/apps/{app}/containers/secret-work/builds")),
        ("GET", format!("/api/v1/jobs/{job}")),
        ("PUT", format!("/api/v1/jobs/{job}")),
        ("DELETE", format!("/api/v1/jobs/{job}")),
        ("POST", format!("/api/v1/jobs/{job}/run")),
        ("POST", format!("/api/v1/jobs/{job}/copy")),
        ("POST", format!("/api/v1/jobs/{job}/disable")),
        ("GET", format!("/api/v1/jobs/{job}/export")),
        ("GET", format!("/api/v1/instances/{instance}")),
        ("GET", format!("/api/v1/instances/{instance}/logs")),
        ("POST", format!("/api/v1/instances/{instance}/stop")),
        ("POST", format!("/api/v1/instances/{instance}/cancel")),
        ("POST", format!("/api/v1/instances/{instance}/retry")),
    ];
    let before = (s.server.api.get(&format!("/api/v1/jobs/{job}")), s.server.api.get(&format!("/api/v1/apps/{app}")));
    for (method, path) in &attempts {
        let sent = (*method != "GET" && *method != "DELETE").then_some(&body);
        let (status, answer) = s.intruder_api.call(method, path, sent);
        assert_eq!(status, 403, "{method} {path} with another app's token: {answer}");
        assert!(!answer.to_string().contains("victim-only"), "{method} {path} leaked the victim's params: {answer}");
    }
    // Upload into the victim's app.
    let bytes = std::fs::read(crate::support::dist("standalone")).unwrap();
    let (status, answer) =
        s.intruder_api.upload_raw(&format!("/api/v1/apps/{app}/containers/planted/versions"), &bytes);
    assert_eq!(status, 403, "an upload into another app: {answer}");
    // Nothing changed, and listings of the intruder's own show nothing of the victim.
    let after = (s.server.api.get(&format!("/api/v1/jobs/{job}")), s.server.api.get(&format!("/api/v1/apps/{app}")));
    assert_eq!(before, after, "the refused requests changed the victim's job or app");
    let (_, own) = s.intruder_api.call("GET", &format!("/api/v1/apps/{}/jobs", s.intruder), None);
    assert!(!own.to_string().contains("victims-job"), "{own}");
    assert_eq!(s.server.api.call("GET", &format!("/api/v1/apps/{app}/containers/planted"), None).0, 404);
}

#[test]
fn another_apps_worker_never_receives_the_victims_dispatches() {
    let s = setup();
    let worker = Worker::start(&s.server, "intruder", &s.intruder_secret, "intruder-w1");
    s.server.wait("the intruder's worker connects", PATIENCE, || {
        let workers = s.server.api.get(&format!("/api/v1/apps/{}/workers", s.intruder));
        (workers.as_array().map_or(0, Vec::len) == 1).then_some(())
    });
    // The victim has no worker of its own: its instances must not run on
    // the intruder's.
    let instance = str_of(&s.server.run(&s.victim_job, &json!({}))["id"]);
    let ended = s.server.wait("the victim's instance ends without a worker", PATIENCE, || {
        let i: Value = s.server.instance(&instance);
        (i["status"] == "FAILED").then_some(i)
    });
    assert!(str_of(&ended["result"]).contains("worker"), "{ended}");
    let seen = worker.process.log_tail();
    assert!(!seen.contains(&instance) && !seen.contains("victim-only"), "the intruder's worker saw: {seen}");
}

#[test]
fn a_component_that_tries_to_escape_sees_nothing() {
    let server = Server::standalone();
    let (app, _) = server.app("escapist");
    server.push(&app, "escape", "escape");
    let job = server.job(
        &app,
        &json!({"name": "escape", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "escape"}),
    );
    let instance = str_of(&server.run(&job, &json!({}))["id"]);
    let done = server.wait("the escape attempt ends", PATIENCE, || {
        let i = server.instance(&instance);
        (i["status"] == "SUCCEED" || i["status"] == "FAILED").then_some(i)
    });
    let report: Value = serde_json::from_str(&str_of(&done["result"])).unwrap_or(Value::Null);
    assert_eq!(done["status"], "SUCCEED", "the guest saw something of the host: {done}");
    for attempt in ["file", "dir", "socket"] {
        assert!(str_of(&report[attempt]).starts_with("denied"), "{attempt}: {report}");
    }
    assert_eq!(report["envCount"], 0, "{report}");
    assert_eq!(report["args"], json!([]), "{report}");
}
