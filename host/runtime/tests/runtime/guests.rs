//! Each example guest does what its README says.

use crate::support::{KeptLogs, instance, processor};
use std::sync::Arc;
use wasmjob_runtime::{LoadSource, LogLevel, LogSource};
use wasmjob_vocab::{ExecuteType, World};

#[test]
fn standalone_echoes_merged_params_and_logs_them() {
    let logs = Arc::new(KeptLogs::default());
    let mut run = instance(ExecuteType::Standalone, r#"{"a":1,"b":1}"#, logs.clone());
    run.instance_params = r#"{"b":2}"#.into();
    let outcome = run.run(&processor("standalone"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, r#"echo: {"a":1,"b":2}"#);
    let line = logs.lines().into_iter().find(|l| l.source == LogSource::Guest).expect("a guest log line");
    assert_eq!((line.task_id.as_str(), line.level), ("0", LogLevel::Info));
    assert!(line.message.contains(r#"job params "{\"a\":1,\"b\":1}""#), "{}", line.message);
}

#[test]
fn standalone_reports_invalid_params_as_a_failure() {
    let outcome = instance(ExecuteType::Standalone, "{not json", Arc::default()).run(&processor("standalone"));
    assert!(!outcome.success);
    assert!(outcome.msg.starts_with("invalid job params"), "{}", outcome.msg);
}

#[test]
fn python_guest_behaves_like_the_rust_one() {
    let mut run = instance(ExecuteType::Standalone, r#"{"a":1,"b":1}"#, Arc::default());
    run.instance_params = r#"{"b":2}"#.into();
    let outcome = run.run(&processor("python-standalone"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, r#"echo: {"a":1,"b":2}"#);
}

#[test]
fn map_reduce_runs_every_batch_then_reduces() {
    let params = r#"{"num":100000,"batchSize":100,"successRate":100}"#;
    let outcome = instance(ExecuteType::MapReduce, params, Arc::default()).run(&processor("map-reduce"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, r#"{"succeeded":1000,"failed":0}"#);
    assert_eq!((outcome.tasks.total, outcome.tasks.succeeded, outcome.tasks.failed), (1001, 1001, 0));
}

#[test]
fn map_reduce_reduces_even_when_every_subtask_failed() {
    let params = r#"{"num":1000,"batchSize":100,"successRate":0}"#;
    let outcome = instance(ExecuteType::MapReduce, params, Arc::default()).run(&processor("map-reduce"));
    assert!(!outcome.success);
    assert_eq!(outcome.msg, r#"{"succeeded":0,"failed":10}"#);
    assert_eq!((outcome.tasks.total, outcome.tasks.failed), (11, 10));
}

#[test]
fn map_spreads_subtasks_at_every_depth() {
    let logs = Arc::new(KeptLogs::default());
    let params = r#"{"start":0,"end":1000,"fanout":4,"leaf":10}"#;
    let outcome = instance(ExecuteType::Map, params, logs.clone()).run(&processor("map"));
    assert!(outcome.success, "{outcome:?}");
    // 1000 numbers, fan-out 4, leaves of at most 10: 1 + 4 + 16 + 64 + 256.
    assert_eq!(outcome.tasks.total, 341);
    let deepest = logs.lines().iter().map(|l| l.task_id.matches('.').count()).max().unwrap_or(0);
    assert!(deepest >= 3, "the splitter logs from three levels below the root, saw {deepest}");
}

#[test]
fn broadcast_runs_once_per_worker_between_pre_and_post() {
    let logs = Arc::new(KeptLogs::default());
    let mut run = instance(ExecuteType::Broadcast, "", logs.clone());
    run.workers = 3;
    let outcome = run.run(&processor("broadcast"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, "3 of 3 workers succeeded");
    assert_eq!(outcome.tasks.total, 3);
    let messages: Vec<String> = logs.lines().into_iter().map(|l| l.message).collect();
    let pre = messages.iter().position(|m| m.contains("preparing")).expect("pre-process ran");
    let post = messages.iter().position(|m| m.contains("workers succeeded")).expect("post-process ran");
    assert!(pre < post);
    assert_eq!(messages.iter().filter(|m| m.contains("reporting")).count(), 3);
}

#[test]
fn workflow_context_is_read_and_appended() {
    let mut run = instance(ExecuteType::Standalone, r#"{"key":"greeting","value":"hello"}"#, Arc::default());
    run.workflow_context = vec![("visits".into(), "4".into())];
    let outcome = run.run(&processor("workflow-context"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(
        outcome.workflow_appends,
        vec![("greeting".to_string(), "hello".to_string()), ("visits".to_string(), "5".to_string())]
    );
}

#[test]
fn workflow_context_appends_over_the_limit_are_refused() {
    let big = "x".repeat(9000);
    let params = format!(r#"{{"key":"big","value":"{big}"}}"#);
    let outcome = instance(ExecuteType::Standalone, &params, Arc::default()).run(&processor("workflow-context"));
    assert!(!outcome.success);
    assert!(outcome.msg.contains("over its limit of 8192 bytes"), "{}", outcome.msg);
    assert!(outcome.workflow_appends.is_empty());
}

#[test]
fn standalone_jobs_cannot_emit_subtasks() {
    let outcome = instance(ExecuteType::Standalone, r#"{"num":10}"#, Arc::default()).run(&processor("map-reduce"));
    assert!(!outcome.success);
    assert!(outcome.msg.contains("STANDALONE jobs cannot emit subtasks"), "{}", outcome.msg);
    assert_eq!(outcome.tasks.total, 1);
}

#[test]
fn worlds_are_detected_from_exports() {
    assert_eq!(processor("standalone").info().worlds, vec![World::Basic, World::Map]);
    assert_eq!(processor("broadcast").info().worlds, vec![World::Basic, World::Broadcast, World::Map]);
    assert_eq!(processor("map-reduce").info().worlds, vec![World::Basic, World::Map, World::MapReduce]);
    let info = processor("standalone").info().clone();
    assert!(info.imports.iter().any(|i| i.starts_with("wasmjob:processor/host@0.1")), "{:?}", info.imports);
    assert!(!info.imports.iter().any(|i| i == "task-results"), "types are not capabilities: {:?}", info.imports);
}

#[test]
fn compiled_code_is_read_back_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let config = |dir: &std::path::Path| wasmjob_runtime::RuntimeConfig {
        cache_dir: dir.to_path_buf(),
        pooling: None,
        ..Default::default()
    };
    let bytes = crate::support::guest_bytes("trap");
    let first = wasmjob_runtime::Runtime::new(config(dir.path())).unwrap().load(&bytes).unwrap();
    assert_eq!(first.load_source(), LoadSource::Compiled);
    let second = wasmjob_runtime::Runtime::new(config(dir.path())).unwrap().load(&bytes).unwrap();
    assert_eq!(second.load_source(), LoadSource::Cache);
    assert_eq!(first.info(), second.info());
}

#[test]
fn inspection_keeps_no_compiled_code() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        wasmjob_runtime::RuntimeConfig { cache_dir: dir.path().to_path_buf(), pooling: None, ..Default::default() };
    let runtime = wasmjob_runtime::Runtime::new(config).unwrap();
    let bytes = crate::support::guest_bytes("trap");
    let inspected = runtime.inspect(&bytes).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was cached on disk");
    let loaded = runtime.load(&bytes).unwrap();
    assert_eq!(loaded.load_source(), LoadSource::Compiled, "nothing was kept loaded or cached");
    assert_eq!(&inspected, loaded.info(), "an inspection says what a load says");
    let refused = runtime.inspect(b"\0asm\x01\0\0\0").unwrap_err();
    assert!(refused.to_string().contains("core WebAssembly module"), "{refused}");
}

#[test]
fn a_component_built_with_cargo_component_runs() {
    let outcome = instance(ExecuteType::Standalone, r#"{"via":"cargo-component"}"#, Arc::default())
        .run(&processor("cargo-component/standalone"));
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.msg, r#"echo: {"via":"cargo-component"}"#);
}

#[test]
fn concurrent_loads_of_a_new_component_share_one_compile() {
    let dir = tempfile::tempdir().unwrap();
    let config = wasmjob_runtime::RuntimeConfig { cache_dir: dir.path().to_path_buf(), ..Default::default() };
    let runtime = wasmjob_runtime::Runtime::new(config).unwrap();
    let bytes = crate::support::guest_bytes("broadcast");
    let loaded: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| runtime.load(&bytes).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(loaded.iter().all(|p| Arc::ptr_eq(p, &loaded[0])), "every caller gets the same processor");
    assert_eq!(loaded[0].load_source(), LoadSource::Compiled);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "one compiled file");
}
