//! The official processors end to end, against real processes: a `wasmjob
//! server` and `wasmjob worker`s that enable different processor kinds,
//! jobs created and run through the API, results and online logs read
//! back. The processors' own cases (HTTP codes, SQL on three databases,
//! file cleanup, ...) are in the host's `official` tests.

#[allow(dead_code)]
mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{Mode, Server, Worker, now_ms, report, str_of, wait_for};

const PATIENCE: Duration = Duration::from_secs(60);

struct Setup {
    server: Server,
    workers: Vec<Worker>,
    app: String,
}

/// A server and workers of one app; `workers` pairs addresses with the
/// extra `wasmjob worker` arguments of each.
fn setup(name: &str, workers: &[(&str, &[&str])]) -> Setup {
    let server =
        Server::start(Mode::Server, &[("WASMJOB_HEARTBEAT_INTERVAL_MS", "500"), ("WASMJOB_WORKER_TIMEOUT_MS", "3000")]);
    let (app, secret) = server.app(name);
    let started =
        workers.iter().map(|(address, extra)| Worker::start_with(&server, name, &secret, address, extra)).collect();
    let setup = Setup { server, workers: started, app };
    setup.wait_connected(workers.len());
    setup
}

impl Setup {
    fn context(&self) -> String {
        self.workers.iter().map(|w| w.process.log_tail()).collect::<Vec<_>>().join("\n") + &self.server.log_tail()
    }

    fn wait<T>(&self, what: impl std::fmt::Display, probe: impl FnMut() -> Option<T>) -> T {
        wait_for(what, PATIENCE, || self.context(), probe)
    }

    fn wait_connected(&self, count: usize) {
        self.wait(format!("{count} workers connected"), || {
            let listed = self.server.api.get(&format!("/api/v1/apps/{}/workers", self.app));
            let alive = listed.as_array().unwrap().iter().filter(|w| w["alive"] == true).count();
            (alive == count).then_some(())
        });
    }

    fn job(&self, kind: &str, execute: &str, params: &str) -> String {
        let spec = json!({
            "name": format!("{kind}-job"), "timeExpressionType": "API", "executeType": execute,
            "processorType": kind, "jobParams": params,
        });
        self.server.job(&self.app, &spec)
    }

    fn run(&self, job: &str) -> String {
        str_of(&self.server.run(job, &json!({}))["id"])
    }

    /// An instance's log, one line per entry, for failure messages.
    fn log_text(&self, id: &str) -> String {
        self.server.logs(id).iter().map(|line| format!("{line}\n")).collect()
    }

    fn ended(&self, id: &str) -> Value {
        self.wait(format!("instance {id} ends"), || {
            let instance = self.server.instance(id);
            matches!(instance["status"].as_str(), Some("SUCCEED" | "FAILED" | "STOPPED")).then_some(instance)
        })
    }
}

fn message(line: &Value) -> &str {
    line["message"].as_str().unwrap()
}

/// Whether a live (not zombie) process is in group `pgid`.
fn group_alive(pgid: i32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let Some((_, rest)) = stat.rsplit_once(") ") else { return false };
        let fields: Vec<&str> = rest.split(' ').collect();
        fields.first() != Some(&"Z") && fields.get(2).and_then(|g| g.parse::<i32>().ok()) == Some(pgid)
    })
}

#[test]
fn a_stopped_shell_job_ends_within_a_second_and_leaves_no_process() {
    let s = setup("shell-stop", &[("w1", &["--enable", "shell"])]);
    let job = s.job("SHELL", "STANDALONE", "echo \"group $$\"\nsleep 60 &\nsleep 60\nwait\n");
    let id = s.run(&job);
    let pgid: i32 = s.wait("the script's process group in the log", || {
        s.server.logs(&id).iter().find_map(|l| message(l).strip_prefix("group ").and_then(|g| g.parse().ok()))
    });
    assert!(group_alive(pgid), "the script runs");
    let asked = now_ms();
    let started = Instant::now();
    s.server.api.post(&format!("/api/v1/instances/{id}/stop"), &json!({}));
    let done = s.ended(&id);
    assert_eq!(done["status"], "STOPPED", "{done}");
    // The worker ends the group; its ending reaches the log.
    let ending = s.wait("the worker's ending", || {
        s.server.logs(&id).into_iter().find(|l| message(l).starts_with("finished: stopped"))
    });
    let took = ending["time"].as_i64().unwrap() - asked;
    assert!(took < 1000, "the worker ended the instance {took} ms after the stop");
    while group_alive(pgid) {
        assert!(started.elapsed() < Duration::from_secs(2), "process group {pgid} outlived its instance");
        std::thread::sleep(Duration::from_millis(20));
    }
    report(format!("shell stop: the worker ended the instance {took} ms after the request"));
}

#[test]
fn ten_thousand_shell_lines_reach_the_online_log_in_order() {
    let s = setup("shell-lines", &[("w1", &["--enable", "shell"])]);
    let id = s.run(&s.job("SHELL", "STANDALONE", "seq 1 10000"));
    let done = s.ended(&id);
    assert_eq!(done["status"], "SUCCEED", "{done}");
    let lines = s.wait("10,000 output lines", || {
        let lines: Vec<String> = s
            .server
            .logs(&id)
            .into_iter()
            .filter(|l| l["source"] == "stdout")
            .map(|l| message(&l).to_string())
            .collect();
        (lines.len() >= 10_000).then_some(lines)
    });
    assert_eq!(lines, (1..=10_000).map(|n| n.to_string()).collect::<Vec<_>>());
    assert!(done["result"].as_str().unwrap().ends_with("9999\n10000"), "the result carries the tail: {done}");
}

#[test]
fn shell_jobs_go_only_to_workers_that_enable_shell() {
    let mut s = setup("gated", &[("plain", &[]), ("scripted", &["--enable", "shell,python"])]);
    let job = s.job("SHELL", "STANDALONE", "echo ran");
    let ids: Vec<String> = (0..10).map(|_| s.run(&job)).collect();
    for id in &ids {
        let done = s.ended(id);
        assert_eq!(
            (done["status"].as_str(), done["coordinator"].as_str()),
            (Some("SUCCEED"), Some("scripted")),
            "{done}"
        );
    }
    // HTTP, on by default, may run on either.
    let listed = s.server.api.get(&format!("/api/v1/apps/{}/workers", s.app));
    let types = |address: &str| {
        let worker = listed.as_array().unwrap().iter().find(|w| w["address"] == address).unwrap();
        worker["processorTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(!types("plain").contains(&"SHELL".to_string()) && types("plain").contains(&"HTTP".to_string()));
    assert!(types("scripted").contains(&"SHELL".to_string()) && types("scripted").contains(&"PYTHON".to_string()));
    // Without an enabling worker, the instance fails saying so.
    s.workers.iter_mut().find(|w| w.address == "scripted").unwrap().process.kill();
    s.wait_connected(1);
    let id = s.run(&job);
    let done = s.ended(&id);
    assert_eq!(
        (done["status"].as_str(), done["result"].as_str()),
        (Some("FAILED"), Some("no worker enables processor SHELL")),
        "{done}"
    );
}

#[test]
fn a_config_broadcast_reaches_every_worker_and_context_is_injected() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> =
        (1..=2).map(|n| dir.path().join(format!("w{n}.json")).to_string_lossy().to_string()).collect();
    let s = setup("pushed", &[("w1", &["--config-file", &files[0]]), ("w2", &["--config-file", &files[1]])]);
    let id = s.run(&s.job("CONFIG", "BROADCAST", r#"{"batch":100,"mode":"fast"}"#));
    let done = s.ended(&id);
    assert_eq!(
        (done["status"].as_str(), done["result"].as_str()),
        (Some("SUCCEED"), Some("2 of 2 workers succeeded")),
        "{done}\n{}",
        s.log_text(&id)
    );
    for file in &files {
        let pushed: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert_eq!(pushed, json!({"batch": 100, "mode": "fast"}), "{file}");
    }
    let id = s.run(&s.job("INJECT_WORKFLOW_CONTEXT", "STANDALONE", r#"{"region":"eu","limit":5}"#));
    let done = s.ended(&id);
    assert_eq!(done["status"], "SUCCEED", "{done}");
    assert_eq!(done["workflowAppends"], json!({"region": "eu", "limit": "5"}), "{done}");
}

#[test]
fn bad_official_parameters_are_refused_when_the_job_is_saved() {
    let s = setup("refused", &[]);
    let bad = |kind: &str, execute: &str, params: &str| {
        let spec = json!({"name": "bad", "timeExpressionType": "API", "executeType": execute, "processorType": kind, "jobParams": params});
        s.server.api.call("POST", &format!("/api/v1/apps/{}/jobs", s.app), Some(&spec))
    };
    let (status, body) = bad("HTTP", "STANDALONE", r#"{"url":"ftp://nowhere"}"#);
    assert_eq!((status, body["fields"][0]["field"].as_str()), (422, Some("jobParams")), "{body}");
    assert_eq!(body["fields"][0]["message"], "`ftp://nowhere` is not an http or https URL");
    let (status, body) = bad("SQL", "STANDALONE", r#"{"sql":"SELECT 1"}"#);
    assert_eq!(status, 422, "{body}");
    let (status, body) = bad("SHELL", "MAP_REDUCE", "echo");
    assert_eq!((status, body["fields"][0]["field"].as_str()), (422, Some("executeType")), "{body}");
    let (status, body) =
        bad("FILE_CLEANUP", "BROADCAST", r#"[{"dirPath":"/tmp","filePattern":"(","retentionTime":1}]"#);
    assert_eq!(status, 422, "{body}");
    assert!(
        body["fields"][0]["message"].as_str().unwrap().starts_with("filePattern `(` is not a regular expression"),
        "{body}"
    );
}
