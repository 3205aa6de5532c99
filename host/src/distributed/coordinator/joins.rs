//! Who runs the instance's tasks: the coordinator's own runner, workers
//! that join (only those asked to, once each for a broadcast), workers
//! that leave or go silent (their tasks wait for others), and the ones
//! that never joined.

use super::Coordinator;
use super::peers::{LocalLink, LocalOutput, Peer, PeerLink, PeerState};
use crate::distributed::runner::Runner;
use crate::distributed::store::StoreError;
use crate::distributed::{PeerId, ToRunner};
use std::sync::Arc;
use wasmjob_runtime::LogLevel;
use wasmjob_vocab::ExecuteType;

impl Coordinator {
    pub(super) fn start_local(&mut self) -> Result<(), StoreError> {
        let peer = self.handle.new_peer();
        let output = Arc::new(LocalOutput { peer, events: self.handle.events.clone() });
        let threads = self.spec.local_threads.max(1);
        let runner = Runner::start(self.spec.runner.clone(), threads, output);
        let address = self.spec.address.clone();
        self.add_peer(peer, address, threads as u32, Box::new(LocalLink(runner)), true)
    }

    fn add_peer(
        &mut self,
        id: PeerId,
        address: String,
        concurrency: u32,
        link: Box<dyn PeerLink>,
        local: bool,
    ) -> Result<(), StoreError> {
        if self.spec.runner.kind == ExecuteType::Broadcast {
            let task = format!("0.{}", self.broadcast_tasks);
            self.broadcast_tasks += 1;
            self.queue.push_pinned(&task, id)?;
        }
        self.joined.insert(address.clone());
        self.peers.push(Peer {
            id,
            address,
            local,
            link,
            concurrency: concurrency.max(1),
            in_flight: 0,
            state: PeerState::Active,
            succeeded: 0,
            failed: 0,
        });
        Ok(())
    }

    pub(super) fn joined_peer(
        &mut self,
        peer: PeerId,
        address: String,
        concurrency: u32,
        link: Box<dyn PeerLink>,
    ) -> Result<(), StoreError> {
        let expected = self.pending.iter().position(|a| *a == address);
        let rejoin = self.spec.runner.kind != ExecuteType::Broadcast
            && self.joined.contains(&address)
            && !self.peers.iter().any(|p| p.address == address && p.is_active());
        if expected.is_none() && !rejoin {
            link.send(ToRunner::Finished);
            return Ok(());
        }
        if let Some(i) = expected {
            self.pending.remove(i);
        }
        self.note(LogLevel::Info, &format!("worker {address} joined with {concurrency} task threads"));
        self.add_peer(peer, address, concurrency, link, false)
    }

    /// A runner is gone: its tasks wait for others; its broadcast task fails.
    pub(super) fn lost(&mut self, peer: PeerId, reason: &str) -> Result<(), StoreError> {
        let Some(p) = self.peers.iter_mut().find(|p| p.id == peer && p.is_active()) else { return Ok(()) };
        p.state = PeerState::Lost;
        p.in_flight = 0;
        let address = p.address.clone();
        let (requeued, pinned) = self.queue.release(peer);
        for task in pinned {
            let msg = format!("worker {address} was lost before task {} ended: {reason}", task.id());
            self.queue.fail(task, msg)?;
        }
        let level = if requeued > 0 { LogLevel::Warn } else { LogLevel::Info };
        self.note(level, &format!("worker {address} left ({reason}); {requeued} of its tasks wait for other workers"));
        Ok(())
    }

    /// Workers that missed the join timeout are absent (their broadcast
    /// task fails); a PADDLING coordinator left alone runs the tasks.
    pub(super) fn check_joins(&mut self) -> Result<(), StoreError> {
        let timeout = self.spec.settings.join_timeout;
        if !self.pending.is_empty() && self.started.elapsed() >= timeout {
            for address in std::mem::take(&mut self.pending) {
                let why = format!("worker {address} did not join within {} ms", timeout.as_millis());
                if self.spec.runner.kind == ExecuteType::Broadcast {
                    let task = format!("0.{}", self.broadcast_tasks);
                    self.broadcast_tasks += 1;
                    self.queue.push_failed(&task, &why)?;
                }
                self.note(LogLevel::Warn, &why);
                self.absent.push(address);
            }
        }
        let alone = self.pending.is_empty() && !self.peers.iter().any(Peer::is_active);
        let work_left = self.queue.has_open_work() || self.spec.runner.kind == ExecuteType::Broadcast;
        if alone && work_left && !self.peers.iter().any(|p| p.local) {
            self.note(LogLevel::Warn, "PADDLING, but no other worker is left: the coordinator runs the tasks");
            self.start_local()?;
        }
        Ok(())
    }
}
