//! The scheduler end to end, against real processes: `wasmjob standalone`,
//! `wasmjob server` and `wasmjob worker` as children on free ports, real
//! guest components, and (for exactly-once) two servers on one PostgreSQL
//! or MariaDB database. The tests assert what the scheduler promises — which
//! slots fire, how sub-runs are spaced, who runs a retry — and wait
//! generously for it, so a slow machine makes them slower, not red.
//!
//! The exactly-once tests let 200 jobs fire for 60 s; set
//! `WASMJOB_EXACTLY_ONCE_SECONDS` and `WASMJOB_EXACTLY_ONCE_JOBS` to change
//! that. Measurements (lateness, spacing, totals) go to stderr: see them
//! with `--nocapture`.

#[allow(dead_code)]
mod support;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::{ADMIN_PASSWORD, Cli, Mode, Server, Worker, dist, now_ms, report, str_of, wait_for};
use wasmjob_server::db::DbText;

/// How long a condition the scheduler should reach in a second or two may
/// take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// A WASM job of `kind` on `container`, with `extra` fields laid over.
fn spec(name: &str, kind: &str, expression: &str, container: &str, extra: Value) -> Value {
    let mut spec = json!({
        "name": name, "timeExpressionType": kind, "timeExpression": expression,
        "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": container,
    });
    for (key, value) in extra.as_object().unwrap() {
        spec[key] = value.clone();
    }
    spec
}

fn status(instance: &Value) -> &str {
    instance["status"].as_str().unwrap()
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or_else(|| panic!("{value} is not an integer"))
}

/// One FIXED_RATE / FIXED_DELAY sub-run, from the server's log line
/// `sub-run N succeeded in X ms: ...` (logged at its end).
#[derive(Debug, Clone, Copy)]
struct SubRun {
    n: u64,
    started: i64,
    ended: i64,
    success: bool,
}

fn sub_runs(lines: &[Value]) -> Vec<SubRun> {
    let mut runs: Vec<SubRun> = lines
        .iter()
        .filter(|l| l["source"] == "host" && l["taskId"].as_str().is_some_and(|t| t.starts_with('#')))
        .filter_map(|l| {
            let message = l["message"].as_str()?;
            let words: Vec<&str> = message.split_whitespace().collect();
            // sub-run N succeeded|failed in X ms: ...
            if words.len() < 6 || words[0] != "sub-run" || words[3] != "in" || words[5] != "ms:" {
                return None;
            }
            let took: i64 = words[4].parse().ok()?;
            let ended = int(&l["time"]);
            Some(SubRun { n: words[1].parse().ok()?, started: ended - took, ended, success: words[2] == "succeeded" })
        })
        .collect();
    runs.sort_by_key(|r| r.n);
    runs
}

/// Waits for the one live instance of a FIXED_RATE / FIXED_DELAY job to
/// run at least `count` sub-runs; the instance and its sub-runs.
fn wait_for_sub_runs(server: &Server, app: &str, job: &str, count: usize) -> (Value, Vec<SubRun>) {
    let instance = server.wait("the job's instance is RUNNING", PATIENCE, || {
        server.instances(app, job).into_iter().find(|i| status(i) == "RUNNING")
    });
    let id = str_of(&instance["id"]);
    let runs = server.wait(format!("{count} sub-runs of instance {id}"), PATIENCE, || {
        let runs = sub_runs(&server.logs(&id));
        (runs.len() >= count).then_some(runs)
    });
    let numbers: Vec<u64> = runs.iter().map(|r| r.n).collect();
    assert_eq!(numbers, (1..=runs.len() as u64).collect::<Vec<_>>(), "sub-runs are numbered 1, 2, ...: {runs:?}");
    assert!(runs.iter().all(|r| r.success), "every sub-run of the echo processor succeeds: {runs:?}");
    (instance, runs)
}

#[test]
fn standalone_runs_a_cron_job_every_two_seconds() {
    let server = Server::standalone();
    let url = server.url.as_str();
    let cli = Cli::new();
    cli.ok(&["login", "--server", url, "--username", "admin", "--password", ADMIN_PASSWORD]);
    let app = str_of(&cli.json(&["app", "create", "cron-app"])["app"]["id"]);
    let component = dist("standalone");
    let pushed = cli.json(&["container", "push", component.to_str().unwrap(), "--app", &app, "--name", "echo"]);
    assert_eq!(pushed["deployed"], true, "{pushed}");

    let params = r#"{"greeting":"hello-from-cron"}"#;
    let started = Instant::now();
    let job =
        server.job(&app, &spec("every-two-seconds", "CRON", "*/2 * * * * ?", "echo", json!({"jobParams": params})));
    let instances = server.wait("3 instances SUCCEED", PATIENCE, || {
        let all = server.instances(&app, &job);
        (all.iter().filter(|i| status(i) == "SUCCEED").count() >= 3).then_some(all)
    });
    let took = started.elapsed();

    // Every slot of the schedule, once, in order: multiples of 2 s, 2 s apart.
    let mut slots: Vec<i64> = instances.iter().map(|i| int(&i["expectedTriggerTime"])).collect();
    slots.sort_unstable();
    assert!(slots.iter().all(|s| s % 2000 == 0), "slots are even seconds: {slots:?}");
    assert!(slots.windows(2).all(|w| w[1] - w[0] == 2000), "slots are 2000 ms apart, none missed: {slots:?}");
    for instance in &instances {
        assert_eq!(instance["triggerType"], "SCHEDULE", "{instance}");
        assert_ne!(status(instance), "FAILED", "{instance}");
    }

    // The guest's line reaches the instance's online log, and the CLI prints it.
    let done = instances.iter().find(|i| status(i) == "SUCCEED").unwrap();
    let id = str_of(&done["id"]);
    assert!(str_of(&done["result"]).contains("hello-from-cron"), "the echo is the result: {done}");
    let line = server.wait(format!("the guest's log line in instance {id}"), PATIENCE, || {
        server
            .logs(&id)
            .into_iter()
            .find(|l| l["source"] == "guest" && str_of(&l["message"]).contains("hello-from-cron"))
    });
    assert!(str_of(&line["message"]).contains(&format!("instance {id}")), "{line}");
    let printed = cli.ok(&["instance", "logs", &id]);
    assert!(
        printed.lines().any(|l| l.contains("hello-from-cron") && l.contains(&format!("instance {id}"))),
        "{printed}"
    );
    report(format!("cron: 3 successes {took:?} after the job was created; slots {slots:?}"));
}

#[test]
fn an_api_run_with_a_delay_waits_for_it() {
    let server = Server::standalone();
    let (app, _) = server.app("delayed");
    server.push(&app, "echo", "standalone");
    let job = server.job(&app, &spec("on-demand", "API", "", "echo", json!({})));

    let created = server.run(&job, &json!({"delayMs": 3000, "instanceParams": r#"{"run":"later"}"#}));
    let id = str_of(&created["id"]);
    let created_at = int(&created["createdAt"]);
    assert_eq!(status(&created), "WAITING_DISPATCH", "{created}");
    assert_eq!(int(&created["expectedTriggerTime"]), created_at + 3000, "{created}");
    let early = server.instance(&id);
    if now_ms() < created_at + 2500 {
        assert_eq!(status(&early), "WAITING_DISPATCH", "not dispatched before its time: {early}");
        assert!(early["actualTriggerTime"].is_null(), "{early}");
    }

    let done = server.wait(format!("instance {id} SUCCEED"), PATIENCE, || {
        let instance = server.instance(&id);
        assert!(!["FAILED", "STOPPED", "CANCELED"].contains(&status(&instance)), "{instance}");
        (status(&instance) == "SUCCEED").then_some(instance)
    });
    let waited = int(&done["actualTriggerTime"]) - int(&done["createdAt"]);
    assert!(waited >= 3000, "dispatched {waited} ms after it was created: {done}");
    report(format!("delayed run: dispatched {waited} ms after it was created"));
    assert!(str_of(&done["result"]).contains(r#"{"run":"later"}"#), "{done}");
}

#[test]
fn fixed_rate_runs_sub_runs_until_the_job_is_disabled() {
    let server = Server::standalone();
    let (app, _) = server.app("rate");
    server.push(&app, "echo", "standalone");
    let job = server.job(&app, &spec("every-500-ms", "FIXED_RATE", "500", "echo", json!({})));

    let (instance, runs) = wait_for_sub_runs(&server, &app, &job, 4);
    let id = str_of(&instance["id"]);
    // Sub-runs start on the rate, counted from starts, never early.
    assert!(runs[3].started - runs[0].started <= 3500, "4 sub-runs within 3.5 s: {runs:?}");
    let gaps: Vec<i64> = runs.windows(2).map(|w| w[1].started - w[0].started).collect();
    assert!(gaps.iter().all(|g| *g >= 450), "no sub-run starts before its time: {gaps:?}");
    let average = gaps.iter().sum::<i64>() / gaps.len() as i64;
    assert!((400..=1500).contains(&average), "sub-runs start {average} ms apart on average: {gaps:?}");
    assert_eq!(server.instances(&app, &job).len(), 1, "one long-lived instance");
    report(format!("fixed rate: sub-run starts {gaps:?} ms apart, {average} ms on average"));

    // Disabling the job stops its instance, and nothing replaces it.
    server.api.post(&format!("/api/v1/jobs/{job}/disable"), &json!({}));
    let disabled = Instant::now();
    server.wait(format!("instance {id} STOPPED"), PATIENCE, || {
        (status(&server.instance(&id)) == "STOPPED").then_some(())
    });
    report(format!("fixed rate: STOPPED {:?} after the job was disabled", disabled.elapsed()));
    std::thread::sleep(Duration::from_secs(1));
    let settled = sub_runs(&server.logs(&id)).len();
    std::thread::sleep(Duration::from_secs(2));
    let later = sub_runs(&server.logs(&id)).len();
    assert_eq!(settled, later, "the worker ran no more sub-runs after the stop");
    let instances = server.instances(&app, &job);
    assert_eq!(instances.len(), 1, "no new instance of a disabled job: {instances:?}");
    assert_eq!(server.api.get(&format!("/api/v1/jobs/{job}"))["enabled"], false);
}

#[test]
fn a_fixed_rate_job_without_workers_fails_once_per_interval_not_in_a_loop() {
    let server = Server::start(Mode::Server, &[]);
    let (app, _) = server.app("rate-without-workers");
    server.push(&app, "echo", "standalone");
    let job = server.job(&app, &spec("every-second", "FIXED_RATE", "1000", "echo", json!({})));
    server.wait("a first failed instance", PATIENCE, || {
        server.instances(&app, &job).iter().any(|i| status(i) == "FAILED").then_some(())
    });
    let first = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    let instances = server.instances(&app, &job);
    let waited = first.elapsed().as_secs() as usize;
    // One failure per interval (a second), the first included: never a
    // tight loop of replacements while no worker can take them.
    assert!(instances.len() <= waited + 2, "{} instances in {waited} s: {instances:?}", instances.len());
    // The newest may still be waiting for its dispatch.
    for instance in &instances[..instances.len() - 1] {
        assert!(
            status(instance) == "FAILED" && str_of(&instance["result"]).contains("no worker"),
            "every instance failed for want of a worker: {instance}"
        );
    }
    report(format!("fixed rate without workers: {} failed instances in {waited} s", instances.len()));
}

#[test]
fn fixed_delay_waits_its_interval_after_each_sub_run_ends() {
    let server = Server::standalone();
    let (app, _) = server.app("delay");
    server.push(&app, "echo", "standalone");
    let job = server.job(&app, &spec("500-ms-after", "FIXED_DELAY", "500", "echo", json!({})));

    let (instance, runs) = wait_for_sub_runs(&server, &app, &job, 4);
    let id = str_of(&instance["id"]);
    let pauses: Vec<i64> = runs.windows(2).map(|w| w[1].started - w[0].ended).collect();
    assert!(pauses.iter().all(|p| *p >= 500), "each sub-run starts 500 ms after the last ended: {pauses:?} {runs:?}");
    let average = pauses.iter().sum::<i64>() / pauses.len() as i64;
    assert!(average <= 2000, "sub-runs follow each other {average} ms apart on average: {pauses:?}");
    report(format!("fixed delay: pauses between sub-runs {pauses:?} ms"));

    // A stopped instance of an enabled job is replaced by a new one.
    let stopped = server.api.post(&format!("/api/v1/instances/{id}/stop"), &json!({}));
    assert_eq!(status(&stopped), "STOPPED", "{stopped}");
    let replacement = server.wait("a new instance replaces the stopped one", PATIENCE, || {
        server.instances(&app, &job).into_iter().find(|i| str_of(&i["id"]) != id && status(i) == "RUNNING")
    });
    server.api.post(&format!("/api/v1/jobs/{job}/disable"), &json!({}));
    let replacement = str_of(&replacement["id"]);
    server.wait(format!("instance {replacement} STOPPED"), PATIENCE, || {
        (status(&server.instance(&replacement)) == "STOPPED").then_some(())
    });
    let all = server.instances(&app, &job);
    let seen: Vec<(String, String)> = all.iter().map(|i| (status(i).to_string(), str_of(&i["result"]))).collect();
    assert_eq!(all.len(), 2, "the stopped instance and one replacement: {seen:?}\n{}", server.log_tail());
}

#[test]
fn a_cron_job_stops_at_its_lifecycle_end_and_is_disabled() {
    let server = Server::standalone();
    let (app, _) = server.app("lifecycle");
    server.push(&app, "echo", "standalone");
    let end = now_ms() + 3000;
    let job =
        server.job(&app, &spec("three-seconds", "CRON", "* * * * * ?", "echo", json!({"lifecycle": {"end": end}})));

    server.wait("the job is disabled after its end", PATIENCE, || {
        (server.api.get(&format!("/api/v1/jobs/{job}"))["enabled"] == false).then_some(())
    });
    let after_end = end + 1000 - now_ms();
    if after_end > 0 {
        std::thread::sleep(Duration::from_millis(after_end as u64));
    }
    let fired = server.instances(&app, &job);
    assert!(!fired.is_empty(), "the job fired within its lifecycle");
    let mut slots: Vec<i64> = fired.iter().map(|i| int(&i["expectedTriggerTime"])).collect();
    slots.sort_unstable();
    assert!(slots.iter().all(|s| *s <= end), "no slot after the end {end}: {slots:?}");
    assert!(slots.windows(2).all(|w| w[1] - w[0] == 1000), "every second once: {slots:?}");

    std::thread::sleep(Duration::from_secs(3));
    let later = server.instances(&app, &job);
    assert_eq!(later.len(), fired.len(), "no instance after the end: {later:?}");
    report(format!("lifecycle: end {end}, slots {slots:?}"));
}

/// A server that notices a lost worker within seconds, two workers of one
/// app, and a job that spins forever on whichever gets it.
struct KillSetup {
    server: Server,
    workers: Vec<Worker>,
    app: String,
    lost_at: Instant,
}

fn kill_setup(name: &str) -> KillSetup {
    let server =
        Server::start(Mode::Server, &[("WASMJOB_HEARTBEAT_INTERVAL_MS", "500"), ("WASMJOB_WORKER_TIMEOUT_MS", "2000")]);
    let (app, secret) = server.app(name);
    server.push(&app, "spin", "infinite-loop");
    let workers = vec![Worker::start(&server, name, &secret, "w1"), Worker::start(&server, name, &secret, "w2")];
    let context = || workers.iter().map(|w| w.process.log_tail()).collect::<Vec<_>>().join("\n") + &server.log_tail();
    wait_for("both workers connected", PATIENCE, context, || {
        let listed = server.api.get(&format!("/api/v1/apps/{app}/workers"));
        let alive = listed.as_array().unwrap().iter().filter(|w| w["alive"] == true).count();
        (alive == 2).then_some(())
    });
    KillSetup { server, workers, app, lost_at: Instant::now() }
}

impl KillSetup {
    /// Runs a spinning job with `retries` on one of `designated` (all
    /// workers when empty) and waits until it runs; the instance and its
    /// coordinator.
    fn run_spinning(&self, retries: u32, designated: &[&str]) -> (String, String) {
        let extra = json!({"instanceRetryNum": retries, "designatedWorkers": designated});
        let job = self.server.job(&self.app, &spec("spin", "API", "", "spin", extra));
        let id = str_of(&self.server.run(&job, &json!({}))["id"]);
        let running = wait_for(
            format!("instance {id} RUNNING"),
            PATIENCE,
            || self.context(),
            || {
                let instance = self.server.instance(&id);
                assert_ne!(status(&instance), "FAILED", "{instance}");
                (status(&instance) == "RUNNING" && instance["coordinator"].is_string()).then_some(instance)
            },
        );
        (id, str_of(&running["coordinator"]))
    }

    fn worker(&mut self, address: &str) -> &mut Worker {
        self.workers.iter_mut().find(|w| w.address == address).unwrap()
    }

    /// Runs a spinning job with `retries`; waits until it runs and kills
    /// its coordinator. The instance id and the lost worker's address.
    fn run_and_kill_coordinator(&mut self, retries: u32) -> (String, String) {
        let (id, lost) = self.run_spinning(retries, &[]);
        self.worker(&lost).process.kill();
        self.lost_at = Instant::now();
        (id, lost)
    }

    fn context(&self) -> String {
        self.workers.iter().map(|w| w.process.log_tail()).collect::<Vec<_>>().join("\n") + &self.server.log_tail()
    }
}

#[test]
fn a_killed_workers_instance_is_retried_on_the_other_worker() {
    let mut setup = kill_setup("retried");
    let (id, lost) = setup.run_and_kill_coordinator(1);
    let other = if lost == "w1" { "w2" } else { "w1" };

    let server = &setup.server;
    let retried = wait_for(
        format!("instance {id} runs again on {other}"),
        PATIENCE,
        || setup.context(),
        || {
            let instance = server.instance(&id);
            (int(&instance["runningTimes"]) == 2 && status(&instance) == "RUNNING" && instance["coordinator"] == other)
                .then_some(instance)
        },
    );
    report(format!("lost worker {lost}: running on {other} {:?} after the kill", setup.lost_at.elapsed()));
    let logs: Vec<String> = server.logs(&id).iter().map(|l| str_of(&l["message"])).collect();
    assert!(logs.iter().any(|l| l.contains(&format!("worker {lost} was lost"))), "{logs:?}");
    assert!(logs.iter().any(|l| l.contains("retry 1 of 1")), "{logs:?}");

    let stopped = server.api.post(&format!("/api/v1/instances/{id}/stop"), &json!({}));
    assert_eq!(status(&stopped), "STOPPED", "{stopped}");
    assert_eq!(status(&server.instance(&id)), "STOPPED", "{retried}");
}

#[test]
fn a_killed_workers_instance_fails_naming_it_without_retries() {
    let mut setup = kill_setup("not-retried");
    let (id, lost) = setup.run_and_kill_coordinator(0);

    let server = &setup.server;
    let failed = wait_for(
        format!("instance {id} FAILED"),
        PATIENCE,
        || setup.context(),
        || {
            let instance = server.instance(&id);
            (status(&instance) == "FAILED").then_some(instance)
        },
    );
    report(format!("lost worker {lost}: FAILED {:?} after the kill", setup.lost_at.elapsed()));
    let result = str_of(&failed["result"]);
    assert!(result.contains(&format!("worker {lost} was lost")), "the result names the lost worker: {failed}");
    assert_eq!(int(&failed["runningTimes"]), 1, "{failed}");
    assert_eq!(failed["coordinator"], lost.as_str(), "{failed}");
}

#[test]
fn a_silent_worker_is_dropped_after_the_timeout_and_serves_again_when_it_resumes() {
    let mut setup = kill_setup("frozen");
    let (id, frozen) = setup.run_spinning(1, &[]);
    let other = if frozen == "w1" { "w2" } else { "w1" };
    // Frozen, its link open: only the missing heartbeats tell.
    setup.worker(&frozen).process.signal("STOP");
    setup.lost_at = Instant::now();
    let server = &setup.server;
    wait_for(
        format!("instance {id} runs again on {other}"),
        PATIENCE,
        || setup.context(),
        || {
            let instance = server.instance(&id);
            (int(&instance["runningTimes"]) == 2 && status(&instance) == "RUNNING" && instance["coordinator"] == other)
                .then_some(())
        },
    );
    report(format!("silent worker {frozen}: running on {other} {:?} after it froze", setup.lost_at.elapsed()));
    let logs: Vec<String> = server.logs(&id).iter().map(|l| str_of(&l["message"])).collect();
    assert!(logs.iter().any(|l| l.contains(&format!("worker {frozen} was lost"))), "{logs:?}");

    // Back to life: it is told to stop its old attempt, and takes work again.
    setup.worker(&frozen).process.signal("CONT");
    let server = &setup.server;
    wait_for(
        format!("{frozen} stops the attempt it lost"),
        PATIENCE,
        || setup.context(),
        || {
            let text =
                std::fs::read_to_string(setup.workers.iter().find(|w| w.address == frozen).unwrap().process.log_path())
                    .unwrap_or_default();
            text.lines().any(|l| l.contains("instance ended") && l.contains(&id)).then_some(())
        },
    );
    wait_for(
        format!("{frozen} is alive again"),
        PATIENCE,
        || setup.context(),
        || {
            let listed = server.api.get(&format!("/api/v1/apps/{}/workers", setup.app));
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["address"] == frozen.as_str() && w["alive"] == true)
                .then_some(())
        },
    );
    // A job only it may run: it runs there once the server has it back
    // (after a reconnect, if the server closed the link).
    let job =
        server.job(&setup.app, &spec("on-the-resumed", "API", "", "spin", json!({"designatedWorkers": [frozen]})));
    let again = wait_for(
        format!("a job designated to {frozen} runs there"),
        PATIENCE,
        || setup.context(),
        || {
            let id = str_of(&server.run(&job, &json!({}))["id"]);
            let settled = wait_for(
                format!("instance {id} settles"),
                PATIENCE,
                || setup.context(),
                || {
                    let instance = server.instance(&id);
                    (status(&instance) == "RUNNING" || status(&instance) == "FAILED").then_some(instance)
                },
            );
            if status(&settled) == "FAILED" {
                std::thread::sleep(Duration::from_secs(1));
                return None;
            }
            Some(settled)
        },
    );
    assert_eq!(again["coordinator"], frozen.as_str(), "{again}");
    for instance in [id, str_of(&again["id"])] {
        server.api.post(&format!("/api/v1/instances/{instance}/stop"), &json!({}));
    }
}

/// A fresh schema (PostgreSQL) or database (MariaDB) for one test,
/// dropped at its end.
struct Scratch {
    admin_url: &'static str,
    drop: String,
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Postgres,
    MariaDb,
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

impl Scratch {
    /// The database URL of the new schema or database.
    fn create(backend: Backend) -> (String, Scratch) {
        use std::hash::{BuildHasher, RandomState};
        let name = format!("wjs_{:016x}", RandomState::new().hash_one(std::time::SystemTime::now()));
        let (admin_url, create, drop, url) = match backend {
            Backend::Postgres => {
                let admin = "postgres://postgres@127.0.0.1:5432/test";
                let url = format!("{admin}?options=-c%20search_path%3D{name}");
                (admin, format!("CREATE SCHEMA {name}"), format!("DROP SCHEMA IF EXISTS {name} CASCADE"), url)
            }
            Backend::MariaDb => {
                let admin = "mysql://root@127.0.0.1:3306/test";
                let url = format!("mysql://root@127.0.0.1:3306/{name}");
                (admin, format!("CREATE DATABASE {name}"), format!("DROP DATABASE IF EXISTS {name}"), url)
            }
        };
        block_on(async {
            let db = wasmjob_server::Database::connect(admin_url).await.unwrap_or_else(|e| panic!("{admin_url}: {e}"));
            sqlx::query(&create).execute(db.pool()).await.unwrap();
        });
        (url, Scratch { admin_url, drop })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        block_on(async {
            if let Ok(db) = wasmjob_server::Database::connect(self.admin_url).await {
                let _ = sqlx::query(&self.drop).execute(db.pool()).await;
            }
        });
    }
}

/// 200 CRON jobs firing every second on two servers sharing one database:
/// every (job, second) of the window has exactly one instance.
#[allow(clippy::print_stderr)]
fn exactly_once_with_two_servers(backend: Backend) {
    let seconds: u64 = std::env::var("WASMJOB_EXACTLY_ONCE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let job_count: usize = std::env::var("WASMJOB_EXACTLY_ONCE_JOBS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    // Two servers firing 200 slots a second each keep a small machine
    // busy: the two backends take turns.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let (url, scratch) = Scratch::create(backend);
    // A slot fired late still fires (a busy machine must not turn lateness
    // into skipped slots): this test is about how many fire, not when.
    let env =
        [("WASMJOB_DATABASE_URL", url.as_str()), ("WASMJOB_MISFIRE_THRESHOLD_MS", "3600000"), ("WASMJOB_LOG", "warn")];
    // One after the other: the second finds the schema migrated.
    let mut servers = vec![Server::start(Mode::Server, &env)];
    servers.push(Server::start(Mode::Server, &env));
    let context = || servers.iter().map(Server::log_tail).collect::<Vec<_>>().join("\n");

    let (app, _) = servers[0].app("exactly-once");
    servers[0].push(&app, "echo", "standalone");
    let specs: Vec<Value> =
        (0..job_count).map(|i| spec(&format!("every-second-{i}"), "CRON", "* * * * * ?", "echo", json!({}))).collect();
    let imported = servers[1].api.post(&format!("/api/v1/apps/{app}/jobs/import"), &json!({ "jobs": specs }));
    let jobs: Vec<i64> = imported.as_array().unwrap().iter().map(|j| str_of(&j["id"]).parse().unwrap()).collect();
    assert_eq!(jobs.len(), job_count);
    let window_start = now_ms();
    std::thread::sleep(Duration::from_secs(seconds));
    let window_end = now_ms();
    // The middle of the window: whole seconds, 3 s in from either end.
    let first = (window_start / 1000 + 1) * 1000 + 3000;
    let last = (window_end / 1000) * 1000 - 3000;
    assert!(first < last, "a window of {seconds} s is too short");
    // Slots fire in order: once every job has its last slot, it has all.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let db = runtime.block_on(wasmjob_server::Database::connect(&url)).unwrap();
    wait_for("every job fired the window's last slot", Duration::from_secs(120), context, || {
        let sql = db.sql("SELECT COUNT(DISTINCT job_id) FROM job_instance WHERE expected_trigger_time >= ?");
        let fired: i64 = runtime.block_on(sqlx::query_scalar(&sql).bind(last).fetch_one(db.pool())).unwrap();
        (fired >= job_count as i64).then_some(())
    });
    for (i, job) in jobs.iter().enumerate() {
        servers[i % 2].api.post(&format!("/api/v1/jobs/{job}/disable"), &json!({}));
    }

    let (rows, statuses, ids) = runtime.block_on(async {
        let sql = "SELECT job_id, expected_trigger_time, COUNT(*) FROM job_instance \
                   GROUP BY job_id, expected_trigger_time";
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap();
        let sql = "SELECT status, result, COUNT(*) FROM job_instance GROUP BY status, result";
        let statuses: Vec<(String, DbText, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap();
        let statuses: Vec<(String, String, i64)> = statuses.into_iter().map(|(s, r, n)| (s, r.0, n)).collect();
        let sql = "SELECT id, created_at - expected_trigger_time FROM job_instance";
        let ids: Vec<(i64, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await.unwrap();
        (rows, statuses, ids)
    });
    // Which server created an instance: the node bits of its id (the app's
    // id comes from the first server, the jobs' from the second).
    let node = |id: i64| (id >> 12) & 0x3ff;
    let (first_node, second_node) = (node(app.parse().unwrap()), node(jobs[0]));
    let by_first = ids.iter().filter(|(id, _)| node(*id) == first_node).count();
    let by_second = ids.iter().filter(|(id, _)| node(*id) == second_node).count();
    // How late slots fired (past the default misfire threshold, 5 s, the
    // slots in between would have been skipped).
    let mut delays: Vec<i64> = ids.iter().map(|(_, late)| *late).collect();
    delays.sort_unstable();
    let percentile = |p: usize| delays.get(delays.len().saturating_sub(1) * p / 100).copied().unwrap_or_default();
    let misfired = delays.iter().filter(|d| **d > 5000).count();
    let counts: HashMap<(i64, i64), i64> = rows.iter().map(|&(job, slot, n)| ((job, slot), n)).collect();
    let instances: i64 = rows.iter().map(|r| r.2).sum();

    let slots: Vec<i64> = (first..=last).step_by(1000).collect();
    let mut missing = Vec::new();
    for &job in &jobs {
        for &slot in &slots {
            if counts.get(&(job, slot)).copied().unwrap_or(0) == 0 {
                missing.push((job, slot));
            }
        }
    }
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    let checked = jobs.len() * slots.len();
    eprintln!(
        "exactly once on {backend:?}: {} jobs x {} slots = {checked} (job, slot) pairs checked; {instances} instances \
         in all ({by_first} fired by the first server, {by_second} by the second), {} missing, {} doubled; \
         statuses {statuses:?}; fired late by {} ms (median), {} ms (p99), {} ms (max), {misfired} past the \
         misfire threshold",
        jobs.len(),
        slots.len(),
        missing.len(),
        doubled.len(),
        percentile(50),
        percentile(99),
        percentile(100),
    );
    assert!(doubled.is_empty(), "slots with more than one instance: {doubled:?}\n{}", context());
    assert!(
        missing.is_empty(),
        "{} slots without an instance, e.g. {:?}\n{}",
        missing.len(),
        &missing[..missing.len().min(10)],
        context()
    );
    assert!(counts.keys().all(|(job, _)| jobs.contains(job)));
    drop(servers);
    drop(scratch);
}

#[test]
fn exactly_once_with_two_servers_on_postgres() {
    exactly_once_with_two_servers(Backend::Postgres);
}

#[test]
fn exactly_once_with_two_servers_on_mariadb() {
    exactly_once_with_two_servers(Backend::MariaDb);
}
