//! Distributed execution end to end, against real processes: a `wasmjob
//! server` and several `wasmjob worker`s of one app on free ports, the
//! real `map-reduce` and `broadcast` guests. The workers exchange tasks
//! over their peer links; the tests read what the server shows (the
//! instance's status, task counts and workers, its online log) and kill,
//! freeze and stop things along the way.

#[allow(dead_code)]
mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{ADMIN_PASSWORD, Cli, Mode, Server, Worker, now_ms, report, str_of, wait_for};

/// How long something that should take a second or two may take on a
/// loaded machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// A server that notices lost workers within seconds, `count` workers of
/// one app (`w1`, `w2`, ...) with a short peer timeout, and `guest` pushed
/// as container `c`.
struct Cluster {
    server: Server,
    workers: Vec<Worker>,
    app: String,
}

fn cluster(name: &str, count: usize, guest: &str) -> Cluster {
    let settings = [("WASMJOB_HEARTBEAT_INTERVAL_MS", "500"), ("WASMJOB_WORKER_TIMEOUT_MS", "3000")];
    let server = Server::start(Mode::Server, &settings);
    let (app, secret) = server.app(name);
    server.push(&app, "c", guest);
    let workers: Vec<Worker> = (1..=count)
        .map(|n| Worker::start_with(&server, name, &secret, &format!("w{n}"), &["--peer-timeout-ms", "1500"]))
        .collect();
    let cluster = Cluster { server, workers, app };
    cluster.wait("every worker connected", || {
        let listed = cluster.server.api.get(&format!("/api/v1/apps/{}/workers", cluster.app));
        let alive = listed.as_array().unwrap().iter().filter(|w| w["alive"] == true).count();
        (alive == count).then_some(())
    });
    cluster
}

impl Cluster {
    fn context(&self) -> String {
        self.workers.iter().map(|w| w.process.log_tail()).collect::<Vec<_>>().join("\n") + &self.server.log_tail()
    }

    fn wait<T>(&self, what: impl std::fmt::Display, probe: impl FnMut() -> Option<T>) -> T {
        wait_for(what, PATIENCE, || self.context(), probe)
    }

    /// Creates a job of `kind` on container `c` with `extra` fields; runs it.
    fn run(&self, kind: &str, params: &str, extra: Value) -> String {
        let mut spec = json!({
            "name": "distributed", "timeExpressionType": "API", "executeType": kind,
            "processorType": "WASM", "processorInfo": "c", "jobParams": params, "concurrency": 2,
        });
        for (key, value) in extra.as_object().unwrap() {
            spec[key] = value.clone();
        }
        let job = self.server.job(&self.app, &spec);
        str_of(&self.server.run(&job, &json!({}))["id"])
    }

    /// Waits until the instance ended; the instance.
    fn ended(&self, id: &str) -> Value {
        self.wait(format!("instance {id} ends"), || {
            let instance = self.server.instance(id);
            matches!(status(&instance), "SUCCEED" | "FAILED" | "STOPPED").then_some(instance)
        })
    }

    /// Waits until at least `n` tasks of the instance succeeded; the instance.
    fn succeeded_at_least(&self, id: &str, n: u64) -> Value {
        self.wait(format!("{n} tasks of {id} succeeded"), || {
            let instance = self.server.instance(id);
            assert!(!matches!(status(&instance), "SUCCEED" | "FAILED" | "STOPPED" | "CANCELED"), "{instance}");
            (instance["tasks"]["succeeded"].as_u64().unwrap_or(0) >= n).then_some(instance)
        })
    }

    /// The instance's log once `done` holds for it (lines of other workers
    /// may land after the instance's end).
    fn logs_when(&self, id: &str, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        self.wait(format!("{what} in the log of {id}"), || {
            let lines = self.server.logs(id);
            done(&lines).then_some(lines)
        })
    }

    fn worker(&mut self, address: &str) -> &mut Worker {
        self.workers.iter_mut().find(|w| w.address == address).unwrap()
    }
}

fn message(line: &Value) -> &str {
    line["message"].as_str().unwrap()
}

fn status(instance: &Value) -> &str {
    instance["status"].as_str().unwrap()
}

/// The instance's share of `address`.
fn share<'a>(instance: &'a Value, address: &str) -> &'a Value {
    let workers = instance["workers"].as_array().unwrap_or_else(|| panic!("no workers: {instance}"));
    workers.iter().find(|w| w["address"] == address).unwrap_or_else(|| panic!("{address} is not in {instance}"))
}

fn count(value: &Value) -> u64 {
    value.as_u64().unwrap_or_else(|| panic!("{value} is not a count"))
}

#[test]
fn map_reduce_spreads_over_every_worker_with_live_counts() {
    let cluster = cluster("spread", 3, "map-reduce");
    let id = cluster.run("MAP_REDUCE", r#"{"num":3000,"batchSize":1,"successRate":100,"sleepMs":2}"#, json!({}));
    // While it runs, the detail shows live counts.
    let live = cluster.succeeded_at_least(&id, 1);
    let tasks = &live["tasks"];
    assert_eq!(
        count(&tasks["total"]),
        count(&tasks["waiting"]) + count(&tasks["running"]) + count(&tasks["succeeded"]) + count(&tasks["failed"]),
        "{live}"
    );
    let done = cluster.ended(&id);
    assert_eq!(status(&done), "SUCCEED", "{done}");
    assert_eq!(done["result"], r#"{"succeeded":3000,"failed":0}"#);
    let tasks = &done["tasks"];
    assert_eq!(
        (count(&tasks["total"]), count(&tasks["succeeded"]), count(&tasks["failed"])),
        (3001, 3001, 0),
        "{done}"
    );
    assert_eq!((count(&tasks["waiting"]), count(&tasks["running"])), (0, 0), "{done}");
    let coordinator = str_of(&done["coordinator"]);
    let mut total = 0;
    for worker in ["w1", "w2", "w3"] {
        let share = share(&done, worker);
        assert!(count(&share["succeeded"]) > 0, "{worker} took part: {done}");
        assert_eq!(share["coordinator"], worker == coordinator, "{done}");
        total += count(&share["succeeded"]);
    }
    assert_eq!(total, 3001);
    let joins = |lines: &[Value]| lines.iter().filter(|l| message(l).contains(" joined with ")).count();
    let lines = cluster.logs_when(&id, "two joins", |lines| joins(lines) == 2);
    for worker in ["w1", "w2", "w3"].iter().filter(|w| **w != coordinator) {
        let joined = format!("worker {worker} joined");
        assert!(lines.iter().any(|l| message(l).starts_with(&joined)), "{joined}: {lines:?}");
    }
    // The CLI shows the counts on one line and the workers as a table.
    let cli = Cli::new();
    cli.ok(&["login", "--server", &cluster.server.url, "--username", "admin", "--password", ADMIN_PASSWORD]);
    let shown = cli.ok(&["instance", "get", &id]);
    assert!(shown.contains("3001 total, 0 waiting, 0 running, 3001 succeeded, 0 failed"), "{shown}");
    let row = shown.lines().find(|l| l.starts_with(coordinator.as_str())).unwrap_or_else(|| panic!("{shown}"));
    assert!(row.contains("coordinator") && row.contains("LEFT"), "{row}");
    report(format!("spread: {:?}", done["workers"]));
}

#[test]
fn the_tasks_of_a_killed_or_frozen_participant_run_on_the_others() {
    let mut cluster = cluster("failover", 4, "map-reduce");
    let id = cluster.run("MAP_REDUCE", r#"{"num":2000,"batchSize":1,"successRate":100,"sleepMs":5}"#, json!({}));
    let running = cluster.succeeded_at_least(&id, 200);
    let coordinator = str_of(&running["coordinator"]);
    let participants: Vec<String> =
        ["w1", "w2", "w3", "w4"].iter().filter(|w| **w != coordinator).map(|w| w.to_string()).collect();
    let (killed, frozen) = (participants[0].clone(), participants[1].clone());
    cluster.worker(&killed).process.kill();
    cluster.worker(&frozen).process.signal("STOP");
    let done = cluster.ended(&id);
    cluster.worker(&frozen).process.signal("CONT");
    assert_eq!(status(&done), "SUCCEED", "{done}");
    assert_eq!(done["result"], r#"{"succeeded":2000,"failed":0}"#, "every task ran, once counted: {done}");
    for lost in [&killed, &frozen] {
        assert_eq!(share(&done, lost)["state"], "LOST", "{done}");
    }
    let lost = |lines: &[Value]| lines.iter().filter(|l| message(l).contains(" left (")).count();
    let lines = cluster.logs_when(&id, "both losses", |lines| lost(lines) == 2);
    let left: Vec<&str> = lines.iter().map(message).filter(|m| m.contains(" left (")).collect();
    assert!(left.iter().any(|m| m.contains(&format!("worker {frozen} left (silent for 1500 ms)"))), "{left:?}");
}

#[test]
fn stopping_an_instance_stops_every_worker_within_a_second() {
    let cluster = cluster("stop", 3, "map-reduce");
    let id = cluster.run("MAP_REDUCE", r#"{"num":100000,"batchSize":1,"successRate":100,"sleepMs":20}"#, json!({}));
    let running = cluster.wait("every worker runs tasks", || {
        let instance = cluster.succeeded_at_least(&id, 1);
        let busy = instance["workers"].as_array().unwrap().iter().filter(|w| count(&w["succeeded"]) > 0).count();
        (busy == 3).then_some(instance)
    });
    let coordinator = str_of(&running["coordinator"]);
    let asked = now_ms();
    cluster.server.api.post(&format!("/api/v1/instances/{id}/stop"), &json!({}));
    let done = cluster.ended(&id);
    assert_eq!(status(&done), "STOPPED", "{done}");
    // Each participant notes when it stopped its tasks; the coordinator
    // notes when it ended.
    let stopped = |l: &&Value| message(l).contains("stopped its tasks");
    let lines = cluster.logs_when(&id, "both participants' stops", |lines| lines.iter().filter(stopped).count() == 2);
    let stops: Vec<(String, i64)> = lines
        .iter()
        .filter(stopped)
        .map(|l| {
            let worker = message(l).strip_prefix("worker ").and_then(|m| m.split(' ').next()).unwrap();
            (worker.to_string(), l["time"].as_i64().unwrap())
        })
        .collect();
    for (worker, at) in &stops {
        assert_ne!(*worker, coordinator);
        assert!(at - asked < 1000, "{worker} stopped {} ms after the request", at - asked);
    }
    let finished =
        cluster.server.logs(&id).into_iter().find(|l| l["message"].as_str().unwrap().starts_with("finished: stopped"));
    let finished = finished.expect("the coordinator's ending");
    assert!(finished["time"].as_i64().unwrap() - asked < 1000, "{finished}");
    let after: Vec<String> = stops.iter().map(|(w, at)| format!("{w} {} ms", at - asked)).collect();
    report(format!(
        "stop: participants {}, coordinator {} ms",
        after.join(", "),
        finished["time"].as_i64().unwrap() - asked
    ));
}

#[test]
fn a_paddling_coordinator_runs_no_subtasks() {
    let cluster = cluster("paddling", 2, "map-reduce");
    let extra = json!({"taskTrackerBehavior": "PADDLING"});
    let id = cluster.run("MAP_REDUCE", r#"{"num":500,"batchSize":1,"successRate":100}"#, extra);
    let done = cluster.ended(&id);
    assert_eq!(status(&done), "SUCCEED", "{done}");
    let coordinator = str_of(&done["coordinator"]);
    let other = if coordinator == "w1" { "w2" } else { "w1" };
    let own = share(&done, &coordinator);
    assert_eq!((own["state"].as_str(), count(&own["succeeded"])), (Some("COORDINATING"), 0), "{done}");
    assert_eq!(count(&share(&done, other)["succeeded"]), 501, "{done}");
}

#[test]
fn broadcast_runs_once_on_every_worker_and_post_processes_all_results() {
    let cluster = cluster("broadcast", 3, "broadcast");
    let id = cluster.run("BROADCAST", "", json!({}));
    let done = cluster.ended(&id);
    assert_eq!((status(&done), done["result"].as_str()), ("SUCCEED", Some("3 of 3 workers succeeded")), "{done}");
    for worker in ["w1", "w2", "w3"] {
        assert_eq!(count(&share(&done, worker)["succeeded"]), 1, "{done}");
    }
    let reporting = |lines: &[Value]| lines.iter().filter(|l| message(l).ends_with(" reporting")).count();
    let lines = cluster.logs_when(&id, "every worker's process call", |lines| reporting(lines) >= 3);
    assert_eq!(reporting(&lines), 3, "once per worker: {lines:?}");
}

#[test]
fn losing_the_coordinator_fails_the_attempt_and_the_retry_runs_elsewhere() {
    let mut cluster = cluster("coordinator-lost", 3, "map-reduce");
    let started = Instant::now();
    let id = cluster.run(
        "MAP_REDUCE",
        r#"{"num":2000,"batchSize":1,"successRate":100,"sleepMs":3}"#,
        json!({"instanceRetryNum": 1}),
    );
    let running = cluster.succeeded_at_least(&id, 100);
    let first = str_of(&running["coordinator"]);
    cluster.worker(&first).process.kill();
    // The first attempt fails (naming the lost worker), then the retry runs.
    let done = cluster.wait("the retry ends", || {
        let instance = cluster.server.instance(&id);
        let retried = instance["runningTimes"] == 2;
        (retried && matches!(status(&instance), "SUCCEED" | "FAILED" | "STOPPED")).then_some(instance)
    });
    assert_eq!(status(&done), "SUCCEED", "{done}");
    assert_eq!(done["runningTimes"], 2, "{done}");
    assert_ne!(str_of(&done["coordinator"]), first, "{done}");
    assert_eq!(done["result"], r#"{"succeeded":2000,"failed":0}"#);
    let lost = format!("worker {first} was lost");
    cluster.logs_when(&id, "the lost coordinator", |lines| lines.iter().any(|l| message(l).starts_with(&lost)));
    report(format!("coordinator lost: retried and done in {:?}", started.elapsed()));
}

#[test]
fn a_job_can_fail_instead_of_reducing_when_tasks_failed() {
    let cluster = cluster("skip-reduce", 2, "map-reduce");
    let params = r#"{"num":200,"batchSize":1,"successRate":0}"#;
    let reduced = cluster.run("MAP_REDUCE", params, json!({}));
    let skipped = cluster.run("MAP_REDUCE", params, json!({"skipReduceOnFailure": true}));
    let reduced = cluster.ended(&reduced);
    assert_eq!((status(&reduced), reduced["result"].as_str()), ("FAILED", Some(r#"{"succeeded":0,"failed":200}"#)));
    let skipped = cluster.ended(&skipped);
    assert_eq!(status(&skipped), "FAILED", "{skipped}");
    let result = skipped["result"].as_str().unwrap();
    assert!(result.starts_with("200 of 201 tasks failed; first: task 0."), "{result}");
    assert!(result.ends_with("(reduce skipped: the job skips reduce when a task failed)"), "{result}");
    assert_eq!(count(&skipped["tasks"]["failed"]), 200, "{skipped}");
}
