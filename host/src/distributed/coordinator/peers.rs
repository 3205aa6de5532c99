//! The runners of an instance as the coordinator sees them: how to reach
//! each, how much it may hold, what it did, and the workers that were
//! asked to take part but have not joined (yet).

use super::Event;
use crate::distributed::runner::{Runner, RunnerOutput};
use crate::distributed::{Children, PeerId, TaskDone, ToRunner, WorkerShare};
use std::fmt;
use tokio::sync::mpsc;

/// How the coordinator reaches a runner.
pub trait PeerLink: Send + fmt::Debug {
    /// Sends a message; false when the runner is gone.
    fn send(&self, message: ToRunner) -> bool;
}

/// A runner in the coordinator's own process.
#[derive(Debug)]
pub(super) struct LocalLink(pub(super) Runner);

impl PeerLink for LocalLink {
    fn send(&self, message: ToRunner) -> bool {
        match message {
            ToRunner::Tasks(tasks) => self.0.push(tasks),
            ToRunner::Stop(_) => self.0.stop(),
            ToRunner::Finished => self.0.close(),
        }
        true
    }
}

/// A runner elsewhere, behind a channel to its network session.
impl PeerLink for mpsc::UnboundedSender<ToRunner> {
    fn send(&self, message: ToRunner) -> bool {
        mpsc::UnboundedSender::send(self, message).is_ok()
    }
}

/// Reports of the coordinator's own runner, straight into its events.
#[derive(Debug)]
pub(super) struct LocalOutput {
    pub(super) peer: PeerId,
    pub(super) events: mpsc::Sender<Event>,
}

impl RunnerOutput for LocalOutput {
    fn children(&self, children: Children) -> Result<(), String> {
        self.events
            .blocking_send(Event::Children { peer: self.peer, children })
            .map_err(|_| "the instance is ending: no more subtasks are taken".to_string())
    }

    fn done(&self, done: TaskDone) {
        let _ = self.events.blocking_send(Event::Done { peer: self.peer, results: vec![done] });
    }
}

/// Where a runner stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PeerState {
    Active,
    /// It ended its part.
    Left,
    /// It went away; its tasks went to others.
    Lost,
}

/// One runner.
#[derive(Debug)]
pub(super) struct Peer {
    pub(super) id: PeerId,
    pub(super) address: String,
    /// The coordinator's own runner.
    pub(super) local: bool,
    pub(super) link: Box<dyn PeerLink>,
    pub(super) concurrency: u32,
    pub(super) in_flight: usize,
    pub(super) state: PeerState,
    pub(super) succeeded: u64,
    pub(super) failed: u64,
}

/// Most tasks one runner holds at once.
const MAX_HELD: usize = 4096;
/// A runner is given about this much work ahead, in microseconds.
const AHEAD_US: f64 = 50_000.0;

impl Peer {
    /// How many tasks it may hold (running and queued), given the mean
    /// task time: about 50 ms of work, never fewer than two per thread.
    pub(super) fn capacity(&self, mean_task_us: f64) -> usize {
        let threads = self.concurrency.max(1) as f64;
        let per_thread = (AHEAD_US / mean_task_us.max(1.0)).max(2.0);
        ((threads * per_thread) as usize).clamp(2, MAX_HELD)
    }

    pub(super) fn is_active(&self) -> bool {
        self.state == PeerState::Active
    }

    pub(super) fn share(&self) -> WorkerShare {
        let state = match self.state {
            PeerState::Active => "ACTIVE",
            PeerState::Left => "LEFT",
            PeerState::Lost => "LOST",
        };
        WorkerShare {
            address: self.address.clone(),
            coordinator: self.local,
            state: state.to_string(),
            running: self.in_flight as u64,
            succeeded: self.succeeded,
            failed: self.failed,
        }
    }
}

/// A worker asked to take part that has not joined.
pub(super) fn absent_share(address: &str, state: &str) -> WorkerShare {
    WorkerShare {
        address: address.to_string(),
        coordinator: false,
        state: state.to_string(),
        running: 0,
        succeeded: 0,
        failed: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_follows_the_task_time() {
        let (tx, _rx) = mpsc::unbounded_channel();
        let peer = Peer {
            id: PeerId(0),
            address: "w".into(),
            local: false,
            link: Box::new(tx),
            concurrency: 4,
            in_flight: 0,
            state: PeerState::Active,
            succeeded: 0,
            failed: 0,
        };
        assert_eq!(peer.capacity(1_000_000.0), 8, "long tasks: two per thread");
        assert_eq!(peer.capacity(1_000.0), 200, "50 ms of 1 ms tasks on 4 threads");
        assert_eq!(peer.capacity(1.0), 4096, "never more than the cap");
    }
}
