//! Dispatched instances run on real guests (`guest-examples/dist`, built by
//! `guest-examples/build.sh`), without a server: components come from the
//! artifact cache and reports are read from the outbox, exactly as the
//! session would send them.

use super::instances::StopCause;
use super::*;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;
use wasmjob_vocab::{ExecuteType, LogLevel, ProcessorType};
use wasmjob_wire::{Dispatch, LogLine, ProcessorSpec, ReportedStatus, RunSchedule, WorkerMessage};

/// One runtime (one engine) for every test of the crate.
fn runtime() -> Arc<Runtime> {
    static RUNTIME: OnceLock<Arc<Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let cache_dir = std::env::temp_dir().join("wasmjob-worker-test-compiled");
            let config = wasmjob_runtime::RuntimeConfig { cache_dir, ..wasmjob_runtime::RuntimeConfig::default() };
            Arc::new(Runtime::new(config).expect("runtime"))
        })
        .clone()
}

struct Harness {
    shared: Arc<Shared>,
    frames: Vec<WorkerMessage>,
    _dir: tempfile::TempDir,
}

/// Whatever a test left running is stopped as the test ends: a test that
/// fails while a guest spins would otherwise hang for ever instead of
/// failing, since the runtime waits for its blocking tasks as it shuts
/// down (seen under load: the test that queues two spinning guests hung
/// past its 60 s waits, with one guest still spinning).
impl Drop for Harness {
    fn drop(&mut self) {
        self.shared.instances.stop_all(&StopCause::Requested("the test ended".into()));
    }
}

/// A worker that is never connected; `max_instances` at once.
fn harness(max_instances: u32) -> Harness {
    harness_at("test-worker:1", max_instances)
}

/// The same, at `address`, serving its peer listener.
fn harness_at(address: &str, max_instances: u32) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let server = "http://127.0.0.1:1".to_string();
    let mut config = WorkerConfig::new(&server, Credentials::Token("t".into()), dir.path().to_path_buf());
    config.address = address.into();
    config.peer_timeout = Duration::from_secs(2);
    config.coordinator.join_timeout = Duration::from_secs(1);
    config.max_concurrent_instances = max_instances;
    config.runtime = runtime().config().clone();
    let artifacts = artifacts::ArtifactStore::open(&dir.path().join("artifacts")).unwrap();
    let Worker { shared, reports } = Worker::with_runtime(config, server, artifacts, runtime()).unwrap();
    tokio::spawn(reports::flusher(reports, shared.outbox.clone()));
    tokio::spawn(peer::accept(shared.clone()));
    Harness { shared, frames: Vec::new(), _dir: dir }
}

fn dispatch(instance_id: i64, execute_type: ExecuteType, processor: ProcessorSpec) -> Dispatch {
    Dispatch {
        instance_id,
        job_id: 7,
        attempt: 1,
        execute_type,
        processor,
        job_params: r#"{"day":"2026-11-23"}"#.into(),
        instance_params: String::new(),
        time_limit_ms: 0,
        concurrency: 4,
        task_retry_num: 0,
        schedule: RunSchedule::Once,
        log_level: LogLevel::Debug,
        ship_logs: true,
        participants: Vec::new(),
        peer_token: Default::default(),
        paddling: false,
        skip_reduce_on_failure: false,
    }
}

impl Harness {
    /// A guest example, put in the artifact cache.
    fn guest(&self, name: &str) -> ProcessorSpec {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../guest-examples/dist/{name}.wasm"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; build the guest examples with guest-examples/build.sh", path.display())
        });
        let digest = wasmjob_runtime::content_digest(&bytes);
        self.shared.artifacts.write(&digest, &bytes).unwrap();
        ProcessorSpec::Wasm { container: name.into(), version: "1".into(), digest, size: bytes.len() as u64 }
    }

    fn dispatch(&self, dispatch: Dispatch) {
        executor::dispatch(&self.shared, dispatch);
    }

    /// Collects frames until `done` holds for one of those collected.
    async fn until(&mut self, what: &str, done: impl Fn(&WorkerMessage) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.frames.extend(self.shared.outbox.take(usize::MAX));
            if self.frames.iter().any(&done) {
                return;
            }
            // Checked here too: frames that keep coming (a running guest's
            // logs) would otherwise keep the wait from ever timing out.
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero() && tokio::time::timeout(left, self.shared.outbox.ready()).await.is_ok(),
                "no {what}: {:#?}",
                self.frames
            );
        }
    }

    async fn until_status(&mut self, instance: i64, wanted: fn(ReportedStatus) -> bool) {
        self.until(
            "status",
            |f| matches!(f, WorkerMessage::Status(s) if s.instance_id == instance && wanted(s.status)),
        )
        .await;
    }

    /// The instance's statuses, in order.
    fn statuses(&self, instance: i64) -> Vec<(ReportedStatus, String)> {
        let status = |f: &WorkerMessage| match f {
            WorkerMessage::Status(s) if s.instance_id == instance => Some((s.status, s.result.clone())),
            _ => None,
        };
        self.frames.iter().filter_map(status).collect()
    }

    fn lines(&self) -> Vec<LogLine> {
        let lines = |f: &WorkerMessage| match f {
            WorkerMessage::Logs(batch) => batch.lines.clone(),
            _ => Vec::new(),
        };
        self.frames.iter().flat_map(lines).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standalone_instance_reports_running_logs_and_its_result_in_order() {
    let mut h = harness(4);
    h.dispatch(dispatch(42, ExecuteType::Standalone, h.guest("standalone")));
    h.until_status(42, ReportedStatus::is_final).await;
    let statuses = h.statuses(42);
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    assert_eq!((statuses[0].0, statuses[1].0), (ReportedStatus::Running, ReportedStatus::Succeed));
    assert!(statuses[1].1.starts_with("echo:"), "{statuses:?}");
    let lines = h.lines();
    let texts: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(texts[0], "received by worker test-worker:1");
    assert!(texts[1].starts_with("loaded standalone@1 (") && texts[1].ends_with(") from cache"), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("job 7 instance 42:")), "guests see the real ids: {texts:?}");
    assert_eq!(*texts.last().unwrap(), format!("finished: {}", statuses[1].1));
    assert!(lines.iter().all(|l| l.instance_id == 42));
    // The last log frame goes before the final status.
    let last_log = h.frames.iter().rposition(|f| matches!(f, WorkerMessage::Logs(_))).unwrap();
    let last_status = h.frames.iter().rposition(|f| matches!(f, WorkerMessage::Status(_))).unwrap();
    assert!(last_log < last_status);
    assert!(h.shared.instances.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_a_spinning_guest_within_a_second() {
    let mut h = harness(4);
    h.dispatch(dispatch(1, ExecuteType::Standalone, h.guest("infinite-loop")));
    h.until(
        "the guest's first line",
        |f| matches!(f, WorkerMessage::Logs(b) if b.lines.iter().any(|l| l.source == "guest")),
    )
    .await;
    let asked = Instant::now();
    assert!(h.shared.instances.stop(1, None, StopCause::Requested("asked by a test".into())));
    h.until_status(1, ReportedStatus::is_final).await;
    assert!(asked.elapsed() < Duration::from_secs(1), "{:?}", asked.elapsed());
    assert_eq!(h.statuses(1).last().unwrap(), &(ReportedStatus::Stopped, "stopped: asked by a test".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_past_its_time_limit_fails() {
    let mut h = harness(4);
    let mut spin = dispatch(2, ExecuteType::Standalone, h.guest("infinite-loop"));
    spin.time_limit_ms = 300;
    h.dispatch(spin);
    h.until_status(2, ReportedStatus::is_final).await;
    let expected = (ReportedStatus::Failed, "the instance exceeded its time limit of 300 ms".to_string());
    assert_eq!(h.statuses(2).last().unwrap(), &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_rate_sub_runs_until_the_lifecycle_ends() {
    let mut h = harness(4);
    let mut rate = dispatch(3, ExecuteType::Standalone, h.guest("standalone"));
    rate.schedule = RunSchedule::FixedRate { interval_ms: 100, until: Some(now_ms() + 2_000) };
    h.dispatch(rate);
    h.until_status(3, ReportedStatus::is_final).await;
    let runs: Vec<_> =
        h.frames.iter().filter_map(|f| if let WorkerMessage::SubRun(r) = f { Some(r) } else { None }).collect();
    assert!(runs.len() >= 3, "{runs:?}");
    for (n, run) in runs.iter().enumerate() {
        assert_eq!(run.sub_instance_id, n as u64 + 1);
        assert!(run.success, "{run:?}");
    }
    for pair in runs.windows(2) {
        assert!(pair[1].started_at - pair[0].started_at >= 100, "{pair:?}");
        assert!(pair[1].started_at >= pair[0].finished_at, "never two at once: {pair:?}");
    }
    let expected = (ReportedStatus::Succeed, format!("lifecycle ended after {} sub-runs", runs.len()));
    assert_eq!(h.statuses(3).last().unwrap(), &expected);
    assert!(h.lines().iter().any(|l| l.task_id == "#2/0" && l.source == "guest"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_delay_sub_runs_until_stopped() {
    let mut h = harness(4);
    let mut delay = dispatch(4, ExecuteType::Standalone, h.guest("standalone"));
    delay.schedule = RunSchedule::FixedDelay { interval_ms: 50, until: None };
    h.dispatch(delay);
    h.until("a third sub-run", |f| matches!(f, WorkerMessage::SubRun(r) if r.sub_instance_id == 3)).await;
    h.shared.instances.stop(4, None, StopCause::Requested("enough".into()));
    h.until_status(4, ReportedStatus::is_final).await;
    assert_eq!(h.statuses(4).last().unwrap(), &(ReportedStatus::Stopped, "stopped: enough".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_reduce_spreads_over_threads_and_reduces() {
    let mut h = harness(4);
    let mut job = dispatch(5, ExecuteType::MapReduce, h.guest("map-reduce"));
    job.job_params = r#"{"num":1000,"batchSize":100,"successRate":100}"#.into();
    h.dispatch(job);
    h.until_status(5, ReportedStatus::is_final).await;
    let expected = (ReportedStatus::Succeed, r#"{"succeeded":10,"failed":0}"#.to_string());
    assert_eq!(h.statuses(5).last().unwrap(), &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_run_fails_with_the_reason() {
    let mut h = harness(4);
    h.dispatch(dispatch(6, ExecuteType::MapReduce, h.guest("standalone")));
    let shell = ProcessorSpec::Official { processor_type: ProcessorType::Shell, processor_info: "echo".into() };
    h.dispatch(dispatch(7, ExecuteType::Standalone, shell));
    h.until_status(6, ReportedStatus::is_final).await;
    h.until_status(7, ReportedStatus::is_final).await;
    let (status, msg) = h.statuses(6).pop().unwrap();
    assert_eq!(status, ReportedStatus::Failed);
    assert!(msg.contains("cannot run as MAP_REDUCE"), "{msg}");
    let expected = (ReportedStatus::Failed, "worker test-worker:1 does not enable processor SHELL".to_string());
    assert_eq!(h.statuses(7).pop().unwrap(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatches_beyond_the_bound_wait_their_turn() {
    let mut h = harness(1);
    let spin = h.guest("infinite-loop");
    h.dispatch(dispatch(8, ExecuteType::Standalone, spin.clone()));
    h.dispatch(dispatch(9, ExecuteType::Standalone, spin));
    // Both dispatches race for the one instance slot; either may win (a
    // run once failed here after 60 s waiting for 8 while 9 held the slot).
    let running = |f: &WorkerMessage| matches!(f, WorkerMessage::Status(s) if s.status == ReportedStatus::Running);
    h.until("a status", running).await;
    let first = h.frames.iter().find_map(|f| match f {
        WorkerMessage::Status(s) if s.status == ReportedStatus::Running => Some(s.instance_id),
        _ => None,
    });
    let (first, second) = if first == Some(8) { (8, 9) } else { (9, 8) };
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.frames.extend(h.shared.outbox.take(usize::MAX));
    assert!(h.statuses(second).is_empty(), "the second waits: {:?}", h.statuses(second));
    let held: Vec<i64> = h.shared.instances.running().iter().map(|r| r.instance_id).collect();
    assert_eq!(held, [8, 9], "heartbeats list queued instances too");
    h.shared.instances.stop(first, None, StopCause::Requested("make room".into()));
    h.until_status(second, |s| s == ReportedStatus::Running).await;
    h.shared.instances.stop(second, None, StopCause::Requested("done".into()));
    h.until_status(second, ReportedStatus::is_final).await;
}

/// The coordinator's dispatch of a distributed instance, and the join
/// the server would send `participant`.
fn distributed(
    coordinator: &Harness,
    instance_id: i64,
    kind: ExecuteType,
    processor: ProcessorSpec,
    participant: &str,
) -> (Dispatch, wasmjob_wire::Join) {
    let mut job = dispatch(instance_id, kind, processor);
    job.participants = vec![participant.to_string()];
    job.peer_token = wasmjob_wire::PeerToken("a-fresh-secret".into());
    job.concurrency = 2;
    let join = wasmjob_wire::Join {
        dispatch: job.clone(),
        coordinator: coordinator.shared.config.address.clone(),
        coordinator_peer: coordinator.shared.peer_address().unwrap(),
    };
    (job, join)
}

/// The progress the final status carries.
fn progress(frames: &[WorkerMessage], instance: i64) -> Option<&wasmjob_wire::InstanceProgress> {
    frames.iter().rev().find_map(|f| match f {
        WorkerMessage::Status(s) if s.instance_id == instance && s.status.is_final() => s.progress.as_ref(),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_reduce_instance_spreads_over_two_workers_through_the_peer_link() {
    let mut a = harness_at("worker-a:1", 4);
    let b = harness_at("worker-b:1", 4);
    let (mut job, mut join) = distributed(&a, 11, ExecuteType::MapReduce, a.guest("map-reduce"), "worker-b:1");
    b.guest("map-reduce");
    job.job_params = r#"{"num":2000,"batchSize":1,"successRate":100,"sleepMs":1}"#.into();
    join.dispatch.job_params = job.job_params.clone();
    a.dispatch(job);
    peer::join(&b.shared, join);
    a.until_status(11, ReportedStatus::is_final).await;
    let expected = (ReportedStatus::Succeed, r#"{"succeeded":2000,"failed":0}"#.to_string());
    assert_eq!(a.statuses(11).last().unwrap(), &expected);
    let report = progress(&a.frames, 11).expect("the final status carries the progress");
    let tasks = report.tasks.unwrap();
    assert_eq!((tasks.total, tasks.succeeded), (2001, 2001));
    let shares: Vec<(&str, bool, u64)> =
        report.workers.iter().map(|w| (w.address.as_str(), w.coordinator, w.succeeded)).collect();
    assert_eq!(shares.len(), 2, "{shares:?}");
    assert!(shares.iter().all(|(_, _, n)| *n > 0), "both workers ran tasks: {shares:?}");
    assert!(shares.iter().any(|(address, coordinator, _)| *address == "worker-a:1" && *coordinator), "{shares:?}");
    assert!(shares.iter().any(|(address, coordinator, _)| *address == "worker-b:1" && !*coordinator), "{shares:?}");
    // The participant is done with the instance once the coordinator is.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !b.shared.participations.is_empty() {
        assert!(Instant::now() < deadline, "the participant leaves the instance");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_whose_join_comes_before_the_coordinators_dispatch_still_takes_part() {
    let mut a = harness_at("worker-a:3", 4);
    let b = harness_at("worker-b:3", 4);
    let (job, join) = distributed(&a, 13, ExecuteType::Broadcast, a.guest("broadcast"), "worker-b:3");
    b.guest("broadcast");
    // The server sends both at once; here the participant is well ahead:
    // it has loaded the guest and said hello before the coordinator hears
    // of the instance.
    peer::join(&b.shared, join);
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.dispatch(job);
    a.until_status(13, ReportedStatus::is_final).await;
    let (status, msg) = a.statuses(13).pop().unwrap();
    assert_eq!((status, msg.as_str()), (ReportedStatus::Succeed, "2 of 2 workers succeeded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_with_a_wrong_token_is_refused_and_the_coordinator_carries_on() {
    let mut a = harness_at("worker-a:2", 4);
    let mut b = harness_at("worker-b:2", 4);
    let (mut job, mut join) = distributed(&a, 12, ExecuteType::Broadcast, a.guest("broadcast"), "worker-b:2");
    b.guest("broadcast");
    job.peer_token = wasmjob_wire::PeerToken("the-real-one".into());
    join.dispatch.peer_token = wasmjob_wire::PeerToken("a-guess".into());
    a.dispatch(job);
    peer::join(&b.shared, join);
    b.until("the participant's note", |f| {
        matches!(f, WorkerMessage::Logs(batch) if batch.lines.iter().any(|l| l.message.contains("the peer token is wrong")))
    })
    .await;
    a.until_status(12, ReportedStatus::is_final).await;
    let (status, msg) = a.statuses(12).pop().unwrap();
    assert_eq!(status, ReportedStatus::Failed, "{msg}");
    assert!(msg.starts_with("1 of 2 workers succeeded"), "{msg}");
}
