//! The coordinator on real guests (`guest-examples/dist`), with runners in
//! this process: its own, and "remote" ones that reach it only through
//! events and a [`PeerLink`] channel, as a network session would.

use super::peers::LocalLink;
use super::*;
use crate::distributed::runner::{Runner, RunnerOutput};
use std::sync::OnceLock;
use wasmjob_runtime::DiscardLogSink;
use wasmjob_runtime::local::LocalInstance;
use wasmjob_runtime::{Processor, Runtime, RuntimeConfig, TaskLimits};
use wasmjob_runtime::{TaskControl, TaskSpec};

fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let cache_dir = std::env::temp_dir().join("wasmjob-coordinator-test-compiled");
            Arc::new(Runtime::new(RuntimeConfig { cache_dir, ..RuntimeConfig::default() }).expect("runtime"))
        })
        .clone()
}

fn guest(name: &str) -> Arc<Processor> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../guest-examples/dist/{name}.wasm"));
    runtime().load_file(&path).unwrap_or_else(|e| panic!("{name}: {e}; run guest-examples/build.sh"))
}

fn runner_spec(processor: &Arc<Processor>, kind: ExecuteType, params: &str, retries: u32) -> RunnerSpec {
    RunnerSpec {
        processor: processor.clone(),
        kind,
        root: TaskSpec { max_retry: retries, ..TaskSpec::root(7, 42, params, "") },
        limits: TaskLimits::default(),
        log: Arc::new(DiscardLogSink),
        control: TaskControl::new(),
    }
}

struct Setup {
    spec: CoordinatorSpec,
    _dir: tempfile::TempDir,
}

fn setup(runner: RunnerSpec, participants: &[&str]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let settings = CoordinatorSettings {
        store_dir: dir.path().to_path_buf(),
        window_tasks: 64,
        join_timeout: Duration::from_millis(500),
        ..CoordinatorSettings::default()
    };
    let spec = CoordinatorSpec {
        runner,
        address: "coordinator:1".into(),
        local_threads: 2,
        paddling: false,
        participants: participants.iter().map(|p| p.to_string()).collect(),
        skip_reduce_on_failure: false,
        settings,
    };
    Setup { spec, _dir: dir }
}

/// A runner that reaches the coordinator only through its handle, with a
/// stop control of its own, like another worker's.
#[derive(Debug)]
struct Remote {
    peer: PeerId,
    events: mpsc::Sender<Event>,
}

impl RunnerOutput for Remote {
    fn children(&self, children: Children) -> Result<(), String> {
        self.events.blocking_send(Event::Children { peer: self.peer, children }).map_err(|_| "gone".to_string())
    }

    fn done(&self, done: TaskDone) {
        let _ = self.events.blocking_send(Event::Done { peer: self.peer, results: vec![done] });
    }
}

fn join_remote(handle: &CoordinatorHandle, address: &str, mut spec: RunnerSpec, threads: usize) -> Runner {
    spec.control = TaskControl::new();
    let peer = handle.new_peer();
    let runner = Runner::start(spec, threads, Arc::new(Remote { peer, events: handle.events().clone() }));
    let (tx, mut rx) = mpsc::unbounded_channel::<ToRunner>();
    let relay = runner.clone();
    std::thread::spawn(move || {
        while let Some(message) = rx.blocking_recv() {
            LocalLink(relay.clone()).send(message);
        }
    });
    let joined = Event::Joined { peer, address: address.into(), concurrency: threads as u32, link: Box::new(tx) };
    handle.events().blocking_send(joined).unwrap();
    runner
}

fn share<'a>(end: &'a InstanceEnd, address: &str) -> &'a crate::distributed::WorkerShare {
    end.progress.workers.iter().find(|w| w.address == address).unwrap_or_else(|| panic!("{address}: {end:?}"))
}

#[test]
fn map_reduce_spreads_over_every_runner_and_reduces_from_disk() {
    let processor = guest("map-reduce");
    let params = r#"{"num":20000,"batchSize":1,"successRate":100}"#;
    let setup = setup(runner_spec(&processor, ExecuteType::MapReduce, params, 0), &["a:1", "b:1"]);
    let coordination = start(setup.spec).unwrap();
    join_remote(&coordination.handle, "a:1", runner_spec(&processor, ExecuteType::MapReduce, params, 0), 2);
    join_remote(&coordination.handle, "b:1", runner_spec(&processor, ExecuteType::MapReduce, params, 0), 2);
    let end = coordination.ended.blocking_recv().unwrap();
    assert!(end.success, "{end:?}");
    assert_eq!(end.msg, r#"{"succeeded":20000,"failed":0}"#);
    let tasks = end.progress.tasks;
    assert_eq!((tasks.total, tasks.succeeded, tasks.failed, tasks.waiting, tasks.running), (20001, 20001, 0, 0, 0));
    let shares: Vec<u64> = ["coordinator:1", "a:1", "b:1"].iter().map(|a| share(&end, a).succeeded).collect();
    assert_eq!(shares.iter().sum::<u64>(), 20001);
    assert!(shares.iter().all(|s| *s > 0), "every runner took tasks: {shares:?}");
    assert!(share(&end, "coordinator:1").coordinator);
}

#[test]
fn map_results_match_the_local_reference_and_paddling_keeps_the_coordinator_out() {
    let processor = guest("map");
    let params = r#"{"start":0,"end":5000,"fanout":4,"leaf":10}"#;
    let reference = LocalInstance {
        job_id: 7,
        instance_id: 42,
        kind: ExecuteType::Map,
        workers: 2,
        job_params: params.into(),
        instance_params: String::new(),
        workflow_context: Vec::new(),
        task_retry: 0,
        limits: TaskLimits::default(),
        control: TaskControl::new(),
        log: Arc::new(DiscardLogSink),
    }
    .run(processor.as_ref());
    let mut setup = setup(runner_spec(&processor, ExecuteType::Map, params, 0), &["a:1"]);
    setup.spec.paddling = true;
    let coordination = start(setup.spec).unwrap();
    join_remote(&coordination.handle, "a:1", runner_spec(&processor, ExecuteType::Map, params, 0), 2);
    let end = coordination.ended.blocking_recv().unwrap();
    assert_eq!((end.success, end.msg.as_str()), (reference.success, reference.msg.as_str()), "{end:?}");
    assert_eq!(end.progress.tasks.total, reference.tasks.total);
    assert_eq!(share(&end, "a:1").succeeded, reference.tasks.total, "the participant ran every task");
    assert_eq!(share(&end, "coordinator:1").state, "COORDINATING", "{end:?}");
}

#[test]
fn a_lost_runners_tasks_run_elsewhere_and_a_paddling_coordinator_left_alone_runs_them() {
    let processor = guest("map-reduce");
    let params = r#"{"num":300,"batchSize":1,"successRate":100}"#;
    let mut setup = setup(runner_spec(&processor, ExecuteType::MapReduce, params, 0), &["silent:1"]);
    setup.spec.paddling = true;
    let coordination = start(setup.spec).unwrap();
    // The only runner: it takes the root task and never reports.
    let handle = coordination.handle.clone();
    let peer = handle.new_peer();
    let (tx, mut rx) = mpsc::unbounded_channel::<ToRunner>();
    let joined = Event::Joined { peer, address: "silent:1".into(), concurrency: 8, link: Box::new(tx) };
    handle.events().blocking_send(joined).unwrap();
    let Some(ToRunner::Tasks(held)) = rx.blocking_recv() else { panic!("the silent runner gets the root task") };
    assert_eq!(held.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["0"]);
    handle.events().blocking_send(Event::Left { peer, reason: "its heartbeat stopped".into() }).unwrap();
    let end = coordination.ended.blocking_recv().unwrap();
    assert_eq!(end.msg, r#"{"succeeded":300,"failed":0}"#, "{end:?}");
    assert_eq!(share(&end, "silent:1").state, "LOST");
    assert_eq!(share(&end, "coordinator:1").succeeded, 301);
}

#[test]
fn failed_tasks_are_retried_then_reduced_or_the_reduce_is_skipped() {
    let processor = guest("map-reduce");
    let params = r#"{"num":20,"batchSize":1,"successRate":0}"#;
    let setup1 = setup(runner_spec(&processor, ExecuteType::MapReduce, params, 2), &[]);
    let end = start(setup1.spec).unwrap().ended.blocking_recv().unwrap();
    assert_eq!((end.success, end.msg.as_str()), (false, r#"{"succeeded":0,"failed":20}"#));
    assert_eq!(share(&end, "coordinator:1").failed, 60, "three attempts of each of 20 subtasks");
    assert_eq!(end.progress.tasks.failed, 20);

    let mut setup2 = setup(runner_spec(&processor, ExecuteType::MapReduce, params, 0), &[]);
    setup2.spec.skip_reduce_on_failure = true;
    let end = start(setup2.spec).unwrap().ended.blocking_recv().unwrap();
    assert!(!end.success);
    assert!(end.msg.starts_with("20 of 21 tasks failed; first: task 0."), "{}", end.msg);
    assert!(end.msg.ends_with("(reduce skipped: the job skips reduce when a task failed)"), "{}", end.msg);
}

#[test]
fn broadcast_runs_once_per_worker_and_an_absent_worker_counts_as_failed() {
    let processor = guest("broadcast");
    let spec = || runner_spec(&processor, ExecuteType::Broadcast, "", 0);
    let all = setup(spec(), &["a:1", "b:1"]);
    let coordination = start(all.spec).unwrap();
    join_remote(&coordination.handle, "a:1", spec(), 1);
    join_remote(&coordination.handle, "b:1", spec(), 1);
    let end = coordination.ended.blocking_recv().unwrap();
    assert_eq!((end.success, end.msg.as_str()), (true, "3 of 3 workers succeeded"), "{end:?}");
    for address in ["coordinator:1", "a:1", "b:1"] {
        assert_eq!(share(&end, address).succeeded, 1, "{address}");
    }

    let partial = setup(spec(), &["a:1", "never:1"]);
    let coordination = start(partial.spec).unwrap();
    join_remote(&coordination.handle, "a:1", spec(), 1);
    let end = coordination.ended.blocking_recv().unwrap();
    assert!(!end.success);
    assert!(end.msg.starts_with("2 of 3 workers succeeded; failed: 0."), "{}", end.msg);
    assert_eq!(share(&end, "never:1").state, "ABSENT");
}

#[test]
fn a_stop_ends_the_instance_and_every_runner_at_once() {
    let processor = guest("map-reduce");
    let params = r#"{"num":100000,"batchSize":1,"successRate":100,"sleepMs":5}"#;
    let setup = setup(runner_spec(&processor, ExecuteType::MapReduce, params, 0), &["a:1"]);
    let coordination = start(setup.spec).unwrap();
    let remote =
        join_remote(&coordination.handle, "a:1", runner_spec(&processor, ExecuteType::MapReduce, params, 0), 2);
    while coordination.progress.lock().unwrap().tasks.succeeded < 50 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let asked = Instant::now();
    coordination.handle.stop();
    let end = coordination.ended.blocking_recv().unwrap();
    assert!(end.stopped && !end.success, "{end:?}");
    while !remote.is_finished() {
        assert!(asked.elapsed() < Duration::from_secs(1), "the remote runner stops within a second");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(end.progress.tasks.total > 50_000, "the root emitted its subtasks: {:?}", end.progress.tasks);
}
