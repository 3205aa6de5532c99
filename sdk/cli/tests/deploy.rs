//! Deploy and rollback across workers, end to end: a real `wasmjob server`
//! and two `wasmjob worker` processes, two real components as two versions
//! of one container — `slow-echo` (v1: answers `slow-echo: …`, after `ms`
//! milliseconds) and `standalone` (v2: answers `echo: …`). An instance
//! started on v1 finishes on v1 although v2 is deployed while it runs; the
//! next instance runs v2, which both workers prefetched and compiled before
//! it came (the API shows them READY, and the instance loads it from the
//! cache); after a rollback the next instance runs v1 again. No worker
//! restarts.

#[allow(dead_code)]
mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::{ADMIN_PASSWORD, Cli, Mode, Server, Worker, dist, str_of, wait_for};

/// How long something that takes a second or two may take on a loaded
/// machine.
const PATIENCE: Duration = Duration::from_secs(60);

fn status(instance: &Value) -> String {
    str_of(&instance["status"])
}

struct Setup {
    server: Server,
    workers: Vec<Worker>,
    app: String,
}

impl Setup {
    fn context(&self) -> String {
        self.workers.iter().map(|w| w.process.log_tail()).collect::<Vec<_>>().join("\n") + &self.server.log_tail()
    }

    fn wait<T>(&self, what: impl std::fmt::Display, probe: impl FnMut() -> Option<T>) -> T {
        wait_for(what, PATIENCE, || self.context(), probe)
    }

    fn detail(&self) -> Value {
        self.server.api.get(&format!("/api/v1/apps/{}/containers/echo", self.app))
    }

    /// Runs the job with `ms` of work; the instance id.
    fn run(&self, job: &str, ms: u64) -> String {
        let params = json!({ "ms": ms }).to_string();
        str_of(&self.server.run(job, &json!({ "instanceParams": params }))["id"])
    }

    /// Waits until instance `id` ended; it must have succeeded.
    fn finished(&self, id: &str) -> Value {
        let instance = self.wait(format!("instance {id} finished"), || {
            let instance = self.server.instance(id);
            matches!(status(&instance).as_str(), "SUCCEED" | "FAILED" | "STOPPED" | "CANCELED").then_some(instance)
        });
        assert_eq!(status(&instance), "SUCCEED", "{instance}\n{}", self.context());
        instance
    }

    /// Waits until every worker reports the deployed version `label` READY.
    fn all_ready(&self, label: &str) -> Value {
        self.wait(format!("both workers READY for {label}"), || {
            let detail = self.detail();
            let workers = detail["workers"].as_array().cloned().unwrap_or_default();
            let ready = workers.iter().filter(|w| w["state"] == "READY").count();
            (detail["deployedLabel"] == label && workers.len() == 2 && ready == 2).then_some(detail)
        })
    }
}

#[test]
fn deploy_and_rollback_reach_every_worker_without_restarting_one() {
    let server = Server::start(Mode::Server, &[("WASMJOB_HEARTBEAT_INTERVAL_MS", "500")]);
    let (app, secret) = server.app("rollouts");
    let v1 = std::fs::read(dist("slow-echo")).unwrap();
    let v2 = std::fs::read(dist("standalone")).unwrap();
    let versions = format!("/api/v1/apps/{app}/containers/echo/versions");
    let uploaded = server.api.upload(&format!("{versions}?label=v1"), &v1);
    assert_eq!(uploaded["deployed"], true);
    let workers =
        vec![Worker::start(&server, "rollouts", &secret, "w1"), Worker::start(&server, "rollouts", &secret, "w2")];
    let setup = Setup { server, workers, app: app.clone() };
    // Workers that register get the deployed version at once.
    setup.all_ready("v1");
    let uploaded = setup.server.api.upload(&format!("{versions}?label=v2&deploy=false"), &v2);
    assert_eq!(uploaded["deployed"], false);
    let job = setup.server.job(
        &app,
        &json!({"name": "echo", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "echo"}),
    );

    // A long instance on v1.
    let long = setup.run(&job, 15_000);
    setup.wait(format!("instance {long} RUNNING"), || {
        let instance = setup.server.instance(&long);
        assert_ne!(status(&instance), "FAILED", "{instance}");
        (status(&instance) == "RUNNING").then_some(())
    });
    assert_eq!(setup.server.instance(&long)["containerVersion"], "echo@v1");

    // Deploy v2 with the CLI while it runs: both workers fetch and compile it.
    let cli = Cli::new();
    cli.ok(&["login", "--server", &setup.server.url, "--username", "admin", "--password", ADMIN_PASSWORD]);
    let deployed = cli.json(&["container", "deploy", "echo", "--app", &app, "--label", "v2"]);
    assert_eq!(deployed["deployedLabel"], "v2");
    assert_eq!(deployed["deployment"]["deployedBy"], "admin");
    let detail = setup.all_ready("v2");
    let v2_digest = str_of(&detail["deployedDigest"]);
    let holders = |detail: &Value, label: &str| -> Vec<String> {
        let version = detail["versions"].as_array().unwrap().iter().find(|v| v["label"] == label).unwrap().clone();
        let mut holders: Vec<String> = version["workers"].as_array().unwrap().iter().map(str_of).collect();
        holders.sort();
        holders
    };
    assert_eq!(holders(&detail, "v2"), ["w1", "w2"], "{detail}");
    assert_eq!(holders(&detail, "v1"), ["w1", "w2"], "{detail}");
    let shown = cli.ok(&["container", "get", "echo", "--app", &app]);
    assert!(shown.contains("w1") && shown.contains("w2") && shown.contains("READY"), "{shown}");
    let long_now = setup.server.instance(&long);
    assert_eq!(status(&long_now), "RUNNING", "the deployment reached the workers while v1 still ran: {long_now}");

    // The next instance runs v2, prefetched: loaded from the cache.
    let next = setup.run(&job, 0);
    let next = setup.finished(&next);
    assert_eq!(next["containerVersion"], "echo@v2", "{next}");
    assert_eq!(next["containerDigest"], v2_digest.as_str());
    assert!(str_of(&next["result"]).starts_with("echo: "), "{next}");
    let logs = setup.server.logs(&str_of(&next["id"]));
    assert!(
        logs.iter()
            .any(|l| str_of(&l["message"]).starts_with("loaded echo@v2")
                && str_of(&l["message"]).ends_with("from cache")),
        "v2 was prefetched before its first dispatch: {logs:?}"
    );

    // The long instance finishes on the version it started with.
    let long = setup.finished(&long);
    assert_eq!(long["containerVersion"], "echo@v1");
    assert_eq!(str_of(&long["result"]), r#"slow-echo: {"ms":15000}"#);

    // Roll back: the next instance runs v1.
    let back = setup.server.api.post(&format!("/api/v1/apps/{app}/containers/echo/deploy"), &json!({"label": "v1"}));
    assert_eq!(back["deployedLabel"], "v1");
    setup.all_ready("v1");
    let after = setup.finished(&setup.run(&job, 0));
    assert_eq!(after["containerVersion"], "echo@v1", "{after}");
    assert_eq!(str_of(&after["result"]), r#"slow-echo: {"ms":0}"#);
    let history = setup.server.api.get(&format!("/api/v1/apps/{app}/containers/echo/deployments"));
    let labels: Vec<_> = history.as_array().unwrap().iter().map(|d| str_of(&d["label"])).collect();
    assert_eq!(labels, ["v1", "v2", "v1"]);

    // Nobody restarted: the same processes, the same links.
    let listed = setup.server.api.get(&format!("/api/v1/apps/{app}/workers"));
    for worker in listed.as_array().unwrap() {
        assert_eq!(worker["alive"], true, "{worker}");
    }
    let log = std::fs::read_to_string(setup.server.process.log_path()).unwrap();
    assert_eq!(log.matches("worker connected").count(), 2, "a worker reconnected:\n{}", setup.server.log_tail());
}
