//! The coordinator's queue: what waits (a window in memory, the rest in
//! the [`TaskStore`]), what runs where, and how tasks end.
//!
//! Invariant: every task whose `seq` is at most `cursor` has been taken
//! into memory exactly once (it waits in `ready` or `pinned`, runs in
//! `in_flight`, or has its outcome in the store); every task past the
//! cursor waits on disk. New subtasks go straight into the window while
//! nothing waits on disk and the window has room.

use crate::distributed::store::{StoreError, StoredOutcomes, StoredTask, TaskStore};
use crate::distributed::{Children, PeerId, TaskAssignment, TaskDone, TaskTally};
use std::collections::{HashMap, VecDeque};
use wasmjob_runtime::TaskOutcome;

/// A task out of the store, with what its attempts so far left behind.
#[derive(Debug)]
pub(super) struct Queued {
    task: StoredTask,
    retry: u32,
    /// Subtasks of this task already stored (by any attempt): a retry that
    /// emits them again adds nothing.
    emitted: u32,
    /// A runner a retry should go elsewhere than, when it can.
    avoid: Option<PeerId>,
    /// A broadcast task: only its own runner may run it.
    pinned: bool,
}

impl Queued {
    fn new(task: StoredTask) -> Self {
        Self { task, retry: 0, emitted: 0, avoid: None, pinned: false }
    }

    /// The task's id.
    pub(super) fn id(&self) -> &str {
        &self.task.id
    }
}

#[derive(Debug)]
struct InFlight {
    queued: Queued,
    peer: PeerId,
}

/// How a reported end was taken.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// Not a task this runner holds (a stale or duplicate report).
    Ignored,
    /// The task ended for good.
    Final { success: bool },
    /// It failed and waits for another attempt.
    Retrying,
}

/// Limits of the in-memory window.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub(super) tasks: usize,
    pub(super) bytes: usize,
}

#[derive(Debug)]
pub(super) struct TaskQueue {
    store: TaskStore,
    window: Window,
    cursor: u64,
    ready: VecDeque<Queued>,
    ready_bytes: usize,
    /// Broadcast tasks, each for one runner only.
    pinned: HashMap<PeerId, VecDeque<Queued>>,
    in_flight: HashMap<u64, InFlight>,
    max_retry: u32,
    succeeded: u64,
    failed: u64,
}

impl TaskQueue {
    pub(super) fn new(store: TaskStore, window: Window, max_retry: u32) -> Self {
        Self {
            store,
            window: Window { tasks: window.tasks.max(16), bytes: window.bytes.max(1 << 16) },
            cursor: 0,
            ready: VecDeque::new(),
            ready_bytes: 0,
            pinned: HashMap::new(),
            in_flight: HashMap::new(),
            max_retry,
            succeeded: 0,
            failed: 0,
        }
    }

    pub(super) fn begin(&mut self) -> Result<(), StoreError> {
        self.store.begin()
    }

    pub(super) fn commit(&mut self) -> Result<(), StoreError> {
        self.store.commit()
    }

    /// Appends a task: into the window when nothing waits on disk and
    /// there is room, else on disk only.
    fn push(&mut self, id: &str, name: &str, payload: Option<Vec<u8>>) -> Result<(), StoreError> {
        let direct = self.cursor == self.store.last_seq()
            && self.ready.len() < self.window.tasks
            && self.ready_bytes < self.window.bytes;
        let seq = self.store.push(id, name, payload.as_deref())?;
        if direct {
            self.cursor = seq;
            let task = StoredTask { seq, id: id.to_string(), name: name.to_string(), payload };
            self.ready_bytes += task.weight();
            self.ready.push_back(Queued::new(task));
        }
        Ok(())
    }

    /// Queues the root task of a MAP or MAP_REDUCE instance.
    pub(super) fn push_root(&mut self) -> Result<(), StoreError> {
        self.push(wasmjob_runtime::ROOT_TASK_ID, wasmjob_runtime::ROOT_TASK_NAME, None)
    }

    /// Queues a broadcast task that only `peer` may run.
    pub(super) fn push_pinned(&mut self, id: &str, peer: PeerId) -> Result<(), StoreError> {
        let seq = self.store.push(id, BROADCAST_TASK_NAME, None)?;
        self.cursor = self.cursor.max(seq);
        let task = StoredTask { seq, id: id.to_string(), name: BROADCAST_TASK_NAME.to_string(), payload: None };
        self.pinned.entry(peer).or_default().push_back(Queued { pinned: true, ..Queued::new(task) });
        Ok(())
    }

    /// Stores a task that never ran as failed (a broadcast worker that did
    /// not join).
    pub(super) fn push_failed(&mut self, id: &str, msg: &str) -> Result<(), StoreError> {
        let seq = self.store.push(id, BROADCAST_TASK_NAME, None)?;
        self.cursor = self.cursor.max(seq);
        self.failed += 1;
        self.store.record(&TaskOutcome {
            task_id: id.to_string(),
            task_name: BROADCAST_TASK_NAME.to_string(),
            success: false,
            msg: msg.to_string(),
        })
    }

    /// Stores the subtasks a running task emitted; how many were new.
    pub(super) fn add_children(&mut self, peer: PeerId, children: Children) -> Result<u64, StoreError> {
        let Some(flight) = self.in_flight.get(&children.seq) else { return Ok(0) };
        if flight.peer != peer || flight.queued.retry != children.retry {
            return Ok(0);
        }
        let (parent, mut emitted) = (flight.queued.task.id.clone(), flight.queued.emitted);
        let mut added = 0;
        for (i, payload) in children.payloads.into_iter().enumerate() {
            let n = children.first.saturating_add(i as u32);
            if n < emitted {
                continue;
            }
            self.push(&format!("{parent}.{n}"), &children.name, Some(payload))?;
            emitted = n + 1;
            added += 1;
        }
        if let Some(flight) = self.in_flight.get_mut(&children.seq) {
            flight.queued.emitted = emitted;
        }
        Ok(added)
    }

    /// Tops the window up from disk once it is half empty.
    pub(super) fn refill(&mut self) -> Result<(), StoreError> {
        if self.ready.len() >= self.window.tasks / 2 || self.cursor >= self.store.last_seq() {
            return Ok(());
        }
        let room = self.window.tasks - self.ready.len();
        let bytes = self.window.bytes.saturating_sub(self.ready_bytes).max(1);
        for task in self.store.load_after(self.cursor, room, bytes)? {
            self.cursor = task.seq;
            self.ready_bytes += task.weight();
            self.ready.push_back(Queued::new(task));
        }
        Ok(())
    }

    /// Up to `max` tasks for `peer`: its pinned ones first, then the
    /// window's, leaving retries that should avoid it to other runners
    /// while `others_can_run` says there are some.
    pub(super) fn take_for(&mut self, peer: PeerId, max: usize, others_can_run: bool) -> Vec<TaskAssignment> {
        let mut taken = Vec::new();
        if let Some(pinned) = self.pinned.get_mut(&peer) {
            while taken.len() < max {
                let Some(queued) = pinned.pop_front() else { break };
                taken.push(queued);
            }
        }
        let mut passed = Vec::new();
        while taken.len() < max {
            let Some(queued) = self.ready.pop_front() else { break };
            self.ready_bytes -= queued.task.weight();
            if queued.avoid == Some(peer) && others_can_run && passed.len() < MAX_PASSED {
                passed.push(queued);
                continue;
            }
            taken.push(queued);
        }
        for queued in passed.into_iter().rev() {
            self.ready_bytes += queued.task.weight();
            self.ready.push_front(queued);
        }
        taken
            .into_iter()
            .map(|queued| {
                let assignment = TaskAssignment {
                    seq: queued.task.seq,
                    retry: queued.retry,
                    id: queued.task.id.clone(),
                    name: queued.task.name.clone(),
                    payload: queued.task.payload.clone(),
                };
                self.in_flight.insert(queued.task.seq, InFlight { queued, peer });
                assignment
            })
            .collect()
    }

    /// Takes a task's end from `peer`. A failure with retries left goes
    /// back to the queue, unless `retry` is false (the instance is
    /// stopping).
    pub(super) fn complete(&mut self, peer: PeerId, done: TaskDone, retry: bool) -> Result<Ended, StoreError> {
        let valid = self.in_flight.get(&done.seq).is_some_and(|f| f.peer == peer && f.queued.retry == done.retry);
        if !valid {
            return Ok(Ended::Ignored);
        }
        let Some(InFlight { mut queued, .. }) = self.in_flight.remove(&done.seq) else { return Ok(Ended::Ignored) };
        if !done.success && retry && queued.retry < self.max_retry {
            queued.retry += 1;
            queued.avoid = Some(peer);
            self.requeue(queued, peer);
            return Ok(Ended::Retrying);
        }
        if done.success {
            self.succeeded += 1;
        } else {
            self.failed += 1;
        }
        let outcome =
            TaskOutcome { task_id: queued.task.id, task_name: queued.task.name, success: done.success, msg: done.msg };
        self.store.record(&outcome)?;
        Ok(Ended::Final { success: done.success })
    }

    fn requeue(&mut self, queued: Queued, peer: PeerId) {
        if queued.pinned {
            self.pinned.entry(peer).or_default().push_front(queued);
        } else {
            self.ready_bytes += queued.task.weight();
            self.ready.push_front(queued);
        }
    }

    /// Takes back what a lost runner held: its tasks wait again (the same
    /// attempt, for another runner); its broadcast tasks, which no other
    /// runner may take, are returned.
    pub(super) fn release(&mut self, peer: PeerId) -> (usize, Vec<Queued>) {
        let held: Vec<u64> = self.in_flight.iter().filter(|(_, f)| f.peer == peer).map(|(seq, _)| *seq).collect();
        let mut pinned: Vec<Queued> = self.pinned.remove(&peer).map(Vec::from).unwrap_or_default();
        let mut requeued = 0;
        let mut back = Vec::new();
        for seq in held {
            let Some(InFlight { queued, .. }) = self.in_flight.remove(&seq) else { continue };
            if queued.pinned {
                pinned.push(queued);
            } else {
                back.push(queued);
            }
        }
        back.sort_by_key(|q| q.task.seq);
        for queued in back.into_iter().rev() {
            requeued += 1;
            self.ready_bytes += queued.task.weight();
            self.ready.push_front(queued);
        }
        (requeued, pinned)
    }

    /// Records a task that can no longer run as failed.
    pub(super) fn fail(&mut self, queued: Queued, msg: String) -> Result<(), StoreError> {
        self.failed += 1;
        self.store.record(&TaskOutcome { task_id: queued.task.id, task_name: queued.task.name, success: false, msg })
    }

    /// Whether nothing waits or runs any more.
    pub(super) fn is_drained(&self) -> bool {
        self.ready.is_empty()
            && self.in_flight.is_empty()
            && self.pinned.values().all(VecDeque::is_empty)
            && self.cursor >= self.store.last_seq()
    }

    /// Whether tasks wait that any runner may take.
    pub(super) fn has_open_work(&self) -> bool {
        !self.ready.is_empty() || self.cursor < self.store.last_seq()
    }

    pub(super) fn tally(&self) -> TaskTally {
        let total = self.store.last_seq();
        let running = self.in_flight.len() as u64;
        let ended = self.succeeded + self.failed;
        TaskTally {
            total,
            waiting: total.saturating_sub(running + ended),
            running,
            succeeded: self.succeeded,
            failed: self.failed,
        }
    }

    /// The first failed task, for a MAP result's message.
    pub(super) fn first_failure(&self) -> Result<Option<TaskOutcome>, StoreError> {
        self.store.first_failure()
    }

    /// Every outcome so far, for reduce and post-process.
    pub(super) fn outcome_reader(&mut self) -> Result<StoredOutcomes, StoreError> {
        self.store.outcome_reader()
    }
}

/// Retries that should avoid a runner are passed over at most this many
/// at a time (so a runner never scans a long queue for work).
const MAX_PASSED: usize = 256;

/// The name broadcast tasks run under (as in `run-local`).
pub(super) const BROADCAST_TASK_NAME: &str = "BROADCAST";

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(dir: &std::path::Path, window: usize, max_retry: u32) -> TaskQueue {
        let store = TaskStore::create(dir, "q").unwrap();
        TaskQueue::new(store, Window { tasks: window, bytes: usize::MAX }, max_retry)
    }

    fn done(seq: u64, retry: u32, success: bool) -> TaskDone {
        TaskDone { seq, retry, success, msg: format!("t{seq}"), elapsed_us: 10 }
    }

    fn children(seq: u64, retry: u32, first: u32, count: usize) -> Children {
        Children { seq, retry, first, name: "C".into(), payloads: vec![b"{}".to_vec(); count] }
    }

    #[test]
    fn the_window_holds_a_bounded_part_and_refills_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = queue(dir.path(), 16, 0);
        let (a, b) = (PeerId(0), PeerId(1));
        q.push_root().unwrap();
        let root = q.take_for(a, 10, false);
        assert_eq!(root.len(), 1);
        assert_eq!(root[0].id, "0");
        assert_eq!(q.add_children(a, children(1, 0, 0, 100)).unwrap(), 100);
        assert_eq!(q.ready.len(), 16, "the window stops at its size; the rest waits on disk");
        assert_eq!(q.complete(a, done(1, 0, true), true).unwrap(), Ended::Final { success: true });
        let tally = q.tally();
        assert_eq!((tally.total, tally.waiting, tally.running, tally.succeeded), (101, 100, 0, 1));
        let mut ids = Vec::new();
        while !q.is_drained() {
            q.refill().unwrap();
            assert!(q.ready.len() <= 16);
            for t in q.take_for(b, 5, false) {
                ids.push(t.id);
                q.complete(b, done(t.seq, 0, true), true).unwrap();
            }
        }
        assert_eq!(ids, (0..100).map(|n| format!("0.{n}")).collect::<Vec<_>>(), "queue order, each once");
        assert_eq!(q.tally().succeeded, 101);
    }

    #[test]
    fn retries_go_elsewhere_and_reemitted_subtasks_are_not_stored_twice() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = queue(dir.path(), 1000, 1);
        let (a, b) = (PeerId(0), PeerId(1));
        q.push_root().unwrap();
        q.take_for(a, 1, true);
        assert_eq!(q.add_children(a, children(1, 0, 0, 3)).unwrap(), 3);
        assert_eq!(q.complete(a, done(1, 0, false), true).unwrap(), Ended::Retrying);
        // The retry is left to `b` while `b` can run it.
        let for_a = q.take_for(a, 10, true);
        assert_eq!(for_a.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["0.0", "0.1", "0.2"]);
        let for_b = q.take_for(b, 10, true);
        assert_eq!((for_b[0].id.as_str(), for_b[0].retry), ("0", 1));
        // A stale report of the first attempt changes nothing.
        assert_eq!(q.complete(a, done(1, 0, true), true).unwrap(), Ended::Ignored);
        assert_eq!(q.add_children(b, children(1, 1, 0, 5)).unwrap(), 2, "0.0-0.2 exist: only 0.3 and 0.4 are new");
        assert_eq!(q.complete(b, done(1, 1, false), true).unwrap(), Ended::Final { success: false });
        assert_eq!(q.tally().total, 6);
        assert_eq!(q.first_failure().unwrap().unwrap().task_id, "0");
    }

    #[test]
    fn a_lost_runners_tasks_wait_again_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = queue(dir.path(), 1000, 0);
        let (a, b) = (PeerId(0), PeerId(1));
        q.push_root().unwrap();
        q.take_for(a, 1, false);
        q.add_children(a, children(1, 0, 0, 6)).unwrap();
        q.complete(a, done(1, 0, true), true).unwrap();
        let held = q.take_for(b, 4, false);
        assert_eq!(held.len(), 4);
        let (requeued, pinned) = q.release(b);
        assert_eq!((requeued, pinned.len()), (4, 0));
        assert_eq!(q.tally().running, 0);
        let again: Vec<String> = q.take_for(a, 10, false).into_iter().map(|t| t.id).collect();
        assert_eq!(again, ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"]);
        // Reports from the lost runner no longer count.
        assert_eq!(q.complete(b, done(held[0].seq, 0, true), true).unwrap(), Ended::Ignored);
    }

    #[test]
    fn broadcast_tasks_stay_with_their_runner() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = queue(dir.path(), 1000, 1);
        let (a, b) = (PeerId(0), PeerId(1));
        q.push_pinned("0.0", a).unwrap();
        q.push_pinned("0.1", b).unwrap();
        assert!(!q.has_open_work());
        let for_a = q.take_for(a, 10, true);
        assert_eq!(for_a.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["0.0"]);
        assert_eq!(q.complete(a, done(for_a[0].seq, 0, false), true).unwrap(), Ended::Retrying);
        assert!(q.take_for(b, 10, true).iter().all(|t| t.id == "0.1"), "b never gets a's task");
        assert_eq!(q.take_for(a, 10, true)[0].retry, 1, "the retry stays on a");
        let (requeued, pinned) = q.release(a);
        assert_eq!((requeued, pinned.len()), (0, 1));
        q.fail(pinned.into_iter().next().unwrap(), "lost".into()).unwrap();
        q.push_failed("0.2", "did not join").unwrap();
        assert_eq!(q.tally().failed, 2);
    }
}
