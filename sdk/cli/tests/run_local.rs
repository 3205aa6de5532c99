//! `wasmjob run-local` as a guest author uses it: the real binary on real
//! components from `guest-examples/dist` (built by guest-examples/build.sh).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn dist(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../guest-examples/dist/{name}.wasm"));
    assert!(path.exists(), "{} is missing: run guest-examples/build.sh", path.display());
    path
}

fn wasmjob(args: &[&str]) -> (Output, Duration) {
    let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/wasmjob-test-cache");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wasmjob"))
        .args(args)
        .env("WASMJOB_CACHE_DIR", cache)
        .env("WASMJOB_LOG", "warn")
        .output()
        .expect("running wasmjob");
    (output, started.elapsed())
}

fn run_local(guest: &str, extra: &[&str]) -> (i32, Value, String, Duration) {
    let file = dist(guest);
    let mut args = vec!["run-local", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (output, elapsed) = wasmjob(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one JSON line on stdout, got {stdout:?}; stderr: {stderr}");
    let json = serde_json::from_str(lines[0]).expect("the outcome is JSON");
    (output.status.code().unwrap_or(-1), json, stderr, elapsed)
}

#[test]
fn map_reduce_reports_every_subtask_and_the_root() {
    let params = r#"{"num":100000,"batchSize":100,"successRate":100}"#;
    let (code, json, _, _) = run_local("map-reduce", &["--kind", "map-reduce", "--params", params, "--workers", "4"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["success"], true);
    assert_eq!(json["msg"], r#"{"succeeded":1000,"failed":0}"#);
    assert_eq!(json["tasks"], serde_json::json!({"total": 1001, "succeeded": 1001, "failed": 0}));
}

#[test]
fn a_failed_processor_exits_1() {
    let params = r#"{"num":500,"batchSize":100,"successRate":0}"#;
    let (code, json, _, _) = run_local("map-reduce", &["--kind", "map-reduce", "--params", params]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["success"], false);
    assert_eq!(json["tasks"]["failed"], 5);
}

#[test]
fn an_endless_loop_fails_at_its_time_limit() {
    let (code, json, _, elapsed) = run_local("infinite-loop", &["--kind", "standalone", "--timeout-ms", "200"]);
    assert_eq!(code, 1);
    assert_eq!(json["success"], false);
    let msg = json["msg"].as_str().unwrap();
    assert!(msg.contains("exceeded its time limit of 200 ms"), "{msg}");
    // Guards against a deadline that never fires; the 400 ms figure is
    // measured on a release build and reported, not asserted.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn a_memory_bomb_fails_naming_the_memory_limit() {
    let (code, json, _, _) = run_local("memory-bomb", &["--kind", "standalone", "--memory-mb", "64"]);
    assert_eq!(code, 1);
    let msg = json["msg"].as_str().unwrap();
    assert!(msg.contains("memory limit of 64 MiB"), "{msg}");
}

#[test]
fn a_panic_fails_with_its_message() {
    let (code, json, _, _) = run_local("trap", &["--kind", "standalone"]);
    assert_eq!(code, 1);
    let msg = json["msg"].as_str().unwrap();
    assert!(msg.contains("deliberate failure in task 0"), "{msg}");
}

#[test]
fn the_escape_guest_finds_the_sandbox_closed() {
    let (code, json, _, _) = run_local("escape", &["--kind", "standalone"]);
    let report: Value = serde_json::from_str(json["msg"].as_str().unwrap()).unwrap();
    assert_eq!(code, 0, "escaped: {report}");
    assert_eq!(report["envCount"], 0);
    assert!(report["file"].as_str().unwrap().starts_with("denied"), "{report}");
    assert!(report["socket"].as_str().unwrap().starts_with("denied"), "{report}");
}

#[test]
fn broadcast_runs_on_every_simulated_worker() {
    let (code, json, _, _) = run_local("broadcast", &["--kind", "broadcast", "--workers", "5"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["msg"], "5 of 5 workers succeeded");
    assert_eq!(json["tasks"]["total"], 5);
}

#[test]
fn workflow_context_appends_are_reported() {
    let (code, json, _, _) = run_local(
        "workflow-context",
        &["--kind", "standalone", "--params", r#"{"key":"k","value":"v"}"#, "--workflow-context", r#"{"visits":"1"}"#],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["workflowAppends"], serde_json::json!([["k", "v"], ["visits", "2"]]));
}

fn load_error(file: &std::path::Path, kind: &str) -> String {
    let (output, _) = wasmjob(&["run-local", file.to_str().unwrap(), "--kind", kind]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "no outcome line on a load error");
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn files_that_are_not_processors_exit_2_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wasm");
    std::fs::write(&text, "not wasm at all").unwrap();
    assert!(load_error(&text, "standalone").contains("not a WebAssembly file"));

    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    assert!(load_error(&core, "standalone").contains("core WebAssembly module, not a component"));

    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, b"\0asm\x0d\0\x01\0").unwrap();
    assert!(load_error(&empty, "standalone").contains("does not export the function `process`"));

    let wrong_kind = load_error(&dist("standalone"), "map-reduce");
    assert!(wrong_kind.contains("cannot run as MAP_REDUCE"), "{wrong_kind}");
    assert!(wrong_kind.contains("`reduce`"), "{wrong_kind}");

    let missing = load_error(&dir.path().join("absent.wasm"), "standalone");
    assert!(missing.contains("absent.wasm"), "{missing}");
}

#[test]
fn usage_errors_exit_2() {
    let file = dist("standalone");
    let (output, _) = wasmjob(&["run-local", file.to_str().unwrap(), "--kind", "sideways"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected standalone, broadcast, map or map-reduce"));
    let (output, _) = wasmjob(&["run-local", file.to_str().unwrap(), "--kind", "standalone", "--workers", "0"]);
    assert_eq!(output.status.code(), Some(2));
    let (output, _) =
        wasmjob(&["run-local", file.to_str().unwrap(), "--kind", "standalone", "--workflow-context", "[1,2]"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--workflow-context must be a JSON object"));
}

#[test]
fn inspect_names_the_worlds_and_imports() {
    let file = dist("map-reduce");
    let (output, _) = wasmjob(&["inspect", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let info: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(info["worlds"], serde_json::json!(["basic", "map", "map-reduce"]));
    assert!(info["imports"].as_array().unwrap().iter().any(|i| i == "wasmjob:processor/host@0.1.0"));
}

#[test]
fn a_failed_root_task_fails_the_map_reduce_instance() {
    let (code, json, _, _) = run_local("map-reduce", &["--kind", "map-reduce", "--params", "{oops"]);
    assert_eq!(code, 1, "{json}");
    let msg = json["msg"].as_str().unwrap();
    assert!(msg.starts_with("the root task failed: invalid job params"), "{msg}");
    assert_eq!(json["tasks"], serde_json::json!({"total": 1, "succeeded": 0, "failed": 1}));
}
