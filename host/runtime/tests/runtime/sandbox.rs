//! Misbehaving guests are contained: deadlines, stop requests, memory
//! caps, traps, and no way out of the sandbox.

use crate::support::{KeptLogs, instance, processor};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmjob_runtime::{TaskCall, TaskControl, TaskFailure, TaskLimits, TaskRequest, TaskSpec};
use wasmjob_vocab::ExecuteType;

fn request(kind: ExecuteType, limits: TaskLimits, control: TaskControl) -> TaskRequest {
    TaskRequest {
        kind,
        call: TaskCall::Process,
        spec: TaskSpec::root(1, 1, "", ""),
        limits,
        control,
        log: Arc::new(KeptLogs::default()),
        subtasks: None,
    }
}

#[test]
fn an_endless_loop_is_stopped_at_its_deadline() {
    let limits = TaskLimits { timeout: Some(Duration::from_millis(200)), ..TaskLimits::default() };
    let started = Instant::now();
    let run = processor("infinite-loop").run(request(ExecuteType::Standalone, limits, TaskControl::new()));
    let elapsed = started.elapsed();
    assert_eq!(run.outcome, Err(TaskFailure::TimedOut { limit: Duration::from_millis(200) }));
    assert!(run.message().contains("exceeded its time limit of 200 ms"), "{}", run.message());
    assert!(elapsed >= Duration::from_millis(200), "stopped early: {elapsed:?}");
    // A guard against a deadline that never fires, not a timing assertion.
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn a_stop_request_interrupts_a_running_guest() {
    let processor = processor("infinite-loop");
    let control = TaskControl::new();
    let stopper = control.clone();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        stopper.stop();
    });
    let started = Instant::now();
    let run = processor.run(request(ExecuteType::Standalone, TaskLimits::default(), control));
    thread.join().unwrap();
    assert_eq!(run.outcome, Err(TaskFailure::Stopped));
    assert!(started.elapsed() < Duration::from_secs(30), "a stop that never lands");
}

#[test]
fn a_memory_bomb_fails_naming_the_memory_limit() {
    let limits = TaskLimits { memory_bytes: 64 << 20, ..TaskLimits::default() };
    let run = processor("memory-bomb").run(request(ExecuteType::Standalone, limits, TaskControl::new()));
    assert_eq!(run.outcome, Err(TaskFailure::MemoryExceeded { limit_bytes: 64 << 20 }));
    assert!(run.message().contains("memory limit of 64 MiB"), "{}", run.message());
}

#[test]
fn a_panic_fails_with_the_panic_message() {
    let logs = Arc::new(KeptLogs::default());
    let outcome = instance(ExecuteType::Standalone, "", logs.clone()).run(&processor("trap"));
    assert!(!outcome.success);
    assert!(outcome.msg.contains("the task trapped"), "{}", outcome.msg);
    assert!(outcome.msg.contains("deliberate failure in task 0"), "{}", outcome.msg);
    assert!(logs.contains("processor panicked"), "the SDK logs the panic: {:?}", logs.lines());
}

#[test]
fn a_guest_sees_no_file_environment_arguments_or_network() {
    let outcome = instance(ExecuteType::Standalone, "", Arc::default()).run(&processor("escape"));
    let report: serde_json::Value = serde_json::from_str(&outcome.msg).expect("the guest reports JSON");
    assert!(outcome.success, "the guest escaped: {report}");
    assert!(report["file"].as_str().unwrap().starts_with("denied"), "{report}");
    assert!(report["dir"].as_str().unwrap().starts_with("denied"), "{report}");
    assert!(report["socket"].as_str().unwrap().starts_with("denied"), "{report}");
    assert_eq!(report["envCount"], 0);
    assert_eq!(report["home"], serde_json::Value::Null);
    assert_eq!(report["args"], serde_json::json!([]));
}

#[test]
fn output_past_the_limit_is_dropped_without_failing_the_guest() {
    // The trap guest writes its panic to stderr; a 16-byte cap keeps only
    // the start, and the failure still carries what was kept.
    let limits = TaskLimits { output_bytes: 16, ..TaskLimits::default() };
    let logs = Arc::new(KeptLogs::default());
    let mut req = request(ExecuteType::Standalone, limits, TaskControl::new());
    req.log = logs.clone();
    let run = processor("trap").run(req);
    assert!(matches!(run.outcome, Err(TaskFailure::Trapped { .. })));
    assert!(logs.contains("bytes of stderr over the task's limit"), "{:?}", logs.lines());
}

#[test]
fn many_tasks_run_concurrently_in_fresh_stores() {
    let p = processor("standalone");
    std::thread::scope(|scope| {
        for t in 0..8 {
            let p = p.clone();
            scope.spawn(move || {
                for i in 0..50 {
                    let mut req = request(ExecuteType::Standalone, TaskLimits::default(), TaskControl::new());
                    req.spec = TaskSpec::root(1, 1, &format!(r#"{{"t":{t},"i":{i}}}"#), "");
                    let run = p.run(req);
                    assert_eq!(run.message(), format!(r#"echo: {{"i":{i},"t":{t}}}"#));
                }
            });
        }
    });
}
