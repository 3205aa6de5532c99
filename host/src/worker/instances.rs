//! The instances a worker holds (queued or running), the handle that stops
//! one, and how an ending becomes the final status the server is told.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use wasmjob_runtime::TaskControl;
use wasmjob_wire::{ReportedStatus, RunningInstance};

/// Why an instance was stopped; the first cause wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StopCause {
    /// A `STOP` frame (or a newer attempt of the same instance).
    Requested(String),
    /// The instance ran past its time limit, in ms.
    TimeLimit(u64),
    /// The worker is shutting down.
    Shutdown,
}

/// One dispatched instance: stops it, and tells whoever waits that it was.
#[derive(Debug)]
pub(crate) struct InstanceHandle {
    pub(crate) instance_id: i64,
    pub(crate) attempt: i64,
    state: Mutex<StopState>,
    stopped: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct StopState {
    cause: Option<StopCause>,
    /// The control of the run in progress (a sub-run gets a fresh one).
    control: TaskControl,
}

impl InstanceHandle {
    pub(crate) fn new(instance_id: i64, attempt: i64) -> Self {
        Self { instance_id, attempt, state: Mutex::default(), stopped: watch::Sender::new(false) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StopState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the instance: the run in progress is interrupted within an
    /// epoch tick, and nothing new starts.
    pub(crate) fn stop(&self, cause: StopCause) {
        let mut state = self.lock();
        state.cause.get_or_insert(cause);
        state.control.stop();
        drop(state);
        self.stopped.send_replace(true);
    }

    /// Why it was stopped, if it was.
    pub(crate) fn cause(&self) -> Option<StopCause> {
        self.lock().cause.clone()
    }

    /// A control for the next run; already stopped if the instance is.
    pub(crate) fn next_control(&self) -> TaskControl {
        let mut state = self.lock();
        let control = TaskControl::new();
        if state.cause.is_some() {
            control.stop();
        }
        state.control = control.clone();
        control
    }

    /// Resolves once the instance is stopped.
    pub(crate) async fn stopped(&self) {
        let mut rx = self.stopped.subscribe();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// Instances by id, and the endings of recent attempts.
#[derive(Debug, Default)]
pub(crate) struct Instances {
    map: Mutex<HashMap<i64, Arc<InstanceHandle>>>,
    ended: Mutex<Ended>,
}

/// How many ended attempts are remembered.
const ENDED_KEPT: usize = 10_000;

/// The final statuses of recently ended attempts, oldest first: a dispatch
/// repeated after its attempt ended (the server re-sent it while the
/// report was on its way) gets the ending again instead of a second run.
#[derive(Debug, Default)]
struct Ended {
    by_attempt: HashMap<(i64, i64), (ReportedStatus, String)>,
    order: std::collections::VecDeque<(i64, i64)>,
}

impl Instances {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<InstanceHandle>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a dispatch in; `None` when this attempt is already here (a
    /// repeated dispatch). An older attempt of the instance is stopped.
    pub(crate) fn register(&self, instance_id: i64, attempt: i64) -> Option<Arc<InstanceHandle>> {
        let mut map = self.lock();
        if let Some(old) = map.get(&instance_id) {
            if old.attempt >= attempt {
                return None;
            }
            old.stop(StopCause::Requested(format!("superseded by attempt {attempt}")));
        }
        let handle = Arc::new(InstanceHandle::new(instance_id, attempt));
        map.insert(instance_id, handle.clone());
        Some(handle)
    }

    /// Remembers how an attempt ended.
    pub(crate) fn record_ending(&self, instance_id: i64, attempt: i64, status: ReportedStatus, result: &str) {
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        if ended.by_attempt.insert((instance_id, attempt), (status, result.to_string())).is_none() {
            ended.order.push_back((instance_id, attempt));
        }
        while ended.order.len() > ENDED_KEPT {
            if let Some(oldest) = ended.order.pop_front() {
                ended.by_attempt.remove(&oldest);
            }
        }
    }

    /// How an attempt ended, if it ended here recently.
    pub(crate) fn ending(&self, instance_id: i64, attempt: i64) -> Option<(ReportedStatus, String)> {
        self.ended.lock().unwrap_or_else(|p| p.into_inner()).by_attempt.get(&(instance_id, attempt)).cloned()
    }

    /// Forgets an ended instance (unless a newer attempt replaced it).
    pub(crate) fn remove(&self, handle: &Arc<InstanceHandle>) {
        let mut map = self.lock();
        if map.get(&handle.instance_id).is_some_and(|h| Arc::ptr_eq(h, handle)) {
            map.remove(&handle.instance_id);
        }
    }

    /// Stops an instance (only `attempt` of it, when given); `false` when
    /// the worker does not hold it.
    pub(crate) fn stop(&self, instance_id: i64, attempt: Option<i64>, cause: StopCause) -> bool {
        let handle = self.lock().get(&instance_id).filter(|h| attempt.is_none_or(|a| a == h.attempt)).cloned();
        handle.map(|h| h.stop(cause)).is_some()
    }

    /// Stops every instance.
    pub(crate) fn stop_all(&self, cause: &StopCause) {
        let handles: Vec<_> = self.lock().values().cloned().collect();
        for handle in handles {
            handle.stop(cause.clone());
        }
    }

    /// What heartbeats list: every instance held, queued or running.
    pub(crate) fn running(&self) -> Vec<RunningInstance> {
        let mut running: Vec<RunningInstance> =
            self.lock().values().map(|h| RunningInstance { instance_id: h.instance_id, attempt: h.attempt }).collect();
        running.sort_by_key(|r| r.instance_id);
        running
    }

    /// Whether no instance is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// The final status of an instance that ran to its end (`success`, `msg`)
/// or was cut short (`cause`).
pub(crate) fn final_status(success: bool, msg: String, cause: Option<&StopCause>) -> (ReportedStatus, String) {
    match cause {
        Some(StopCause::TimeLimit(ms)) => {
            (ReportedStatus::Failed, format!("the instance exceeded its time limit of {ms} ms"))
        }
        Some(StopCause::Requested(reason)) => (ReportedStatus::Stopped, format!("stopped: {reason}")),
        Some(StopCause::Shutdown) => (ReportedStatus::Stopped, "stopped: the worker is shutting down".to_string()),
        None if success => (ReportedStatus::Succeed, msg),
        None => (ReportedStatus::Failed, msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_final_statuses() {
        assert_eq!(final_status(true, "ok".into(), None), (ReportedStatus::Succeed, "ok".into()));
        assert_eq!(final_status(false, "bad".into(), None), (ReportedStatus::Failed, "bad".into()));
        let stop = StopCause::Requested("asked by admin".into());
        assert_eq!(
            final_status(false, "x".into(), Some(&stop)),
            (ReportedStatus::Stopped, "stopped: asked by admin".into())
        );
        let late = StopCause::TimeLimit(1500);
        let (status, msg) = final_status(true, "x".into(), Some(&late));
        assert_eq!((status, msg.as_str()), (ReportedStatus::Failed, "the instance exceeded its time limit of 1500 ms"));
        assert_eq!(final_status(true, "x".into(), Some(&StopCause::Shutdown)).0, ReportedStatus::Stopped);
    }

    #[test]
    fn the_first_stop_cause_wins_and_reaches_every_run() {
        let handle = InstanceHandle::new(1, 1);
        let first = handle.next_control();
        handle.stop(StopCause::TimeLimit(10));
        handle.stop(StopCause::Requested("later".into()));
        assert!(first.is_stopped());
        assert!(handle.next_control().is_stopped(), "no new run starts once stopped");
        assert_eq!(handle.cause(), Some(StopCause::TimeLimit(10)));
    }

    #[test]
    fn a_newer_attempt_replaces_an_older_one() {
        let instances = Instances::default();
        instances.record_ending(4, 1, ReportedStatus::Succeed, "done");
        assert_eq!(instances.ending(4, 1), Some((ReportedStatus::Succeed, "done".to_string())));
        assert_eq!(instances.ending(4, 2), None);
        let old = instances.register(5, 1).unwrap();
        assert!(instances.register(5, 1).is_none(), "a repeated dispatch is ignored");
        let new = instances.register(5, 2).unwrap();
        assert_eq!(old.cause(), Some(StopCause::Requested("superseded by attempt 2".into())));
        instances.remove(&old);
        assert_eq!(instances.running(), [RunningInstance { instance_id: 5, attempt: 2 }]);
        assert!(!instances.stop(5, Some(1), StopCause::Shutdown), "attempt 1 is gone");
        assert!(instances.stop(5, Some(2), StopCause::Shutdown));
        assert!(instances.stop(5, None, StopCause::Shutdown));
        assert!(!instances.stop(6, None, StopCause::Shutdown));
        instances.remove(&new);
        assert!(instances.is_empty());
    }

    #[tokio::test]
    async fn waiters_learn_of_a_stop() {
        let handle = Arc::new(InstanceHandle::new(1, 1));
        let waiter = tokio::spawn({
            let handle = handle.clone();
            async move { handle.stopped().await }
        });
        handle.stop(StopCause::Shutdown);
        tokio::time::timeout(std::time::Duration::from_secs(2), waiter).await.unwrap().unwrap();
    }
}
