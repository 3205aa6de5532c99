//! The workers connected to this server, in memory: what they are, how
//! they are doing, the channel that reaches each, and whether the token
//! that opened its link still authorises it (see `revocation`).

use crate::ids::{Id, now_ms};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use wasmjob_wire::{Capabilities, Metrics, ServerMessage};

/// One connected worker.
#[derive(Debug)]
pub struct ConnectedWorker {
    /// Its row in the `worker` table.
    pub id: Id,
    /// The app it serves; `None` for a shared pool worker (any app's wasm
    /// jobs).
    pub app_id: Option<Id>,
    /// Its address (unique within the app).
    pub address: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// What it can run.
    pub capabilities: Capabilities,
    /// Where the other workers of an instance it coordinates reach it;
    /// `None`: it runs instances alone and takes part in no other's.
    pub peer_address: Option<String>,
    /// The sha256 of the bearer token that opened its link (as
    /// `api_token` stores it): the link lives no longer than that token.
    pub token_hash: String,
    metrics: Mutex<Metrics>,
    last_seen: AtomicI64,
    running: AtomicUsize,
    sender: UnboundedSender<ServerMessage>,
    assigned: Mutex<HashMap<i64, Assignment>>,
    /// Set once its token was checked at registration: until then it is
    /// chosen for nothing.
    open: AtomicBool,
    /// Why its link was revoked, once it was: it is sent nothing more and
    /// its link closes with this reason.
    revoked: watch::Sender<Option<String>>,
}

/// An instance this server dispatched to a worker: lets the link accept
/// the worker's logs for it and settle its reports without a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The instance's job.
    pub job_id: Id,
    /// Whether the job is FIXED_RATE / FIXED_DELAY.
    pub frequent: bool,
    /// Whether the worker takes part in the instance another worker
    /// coordinates (its logs are accepted; its status reports are not).
    pub participant: bool,
    /// When it ended (Unix ms); its late log lines are still accepted for
    /// a while.
    pub finished_at: Option<i64>,
}

/// How long after an instance ended its late log lines are accepted.
const LATE_LOGS_MS: i64 = 60_000;

impl ConnectedWorker {
    /// A worker that has just registered through a link opened with the
    /// token whose hash is `token_hash`; it is chosen for nothing until
    /// [`ConnectedWorker::open`].
    pub fn new(
        id: Id,
        app_id: Option<Id>,
        register: &wasmjob_wire::Register,
        token_hash: String,
        sender: UnboundedSender<ServerMessage>,
    ) -> Self {
        Self {
            id,
            app_id,
            address: register.address.clone(),
            tags: register.tags.clone(),
            capabilities: register.capabilities.clone(),
            peer_address: register.peer_address.clone().filter(|a| !a.trim().is_empty()),
            token_hash,
            metrics: Mutex::new(register.metrics),
            last_seen: AtomicI64::new(now_ms() as i64),
            running: AtomicUsize::new(0),
            sender,
            assigned: Mutex::default(),
            open: AtomicBool::new(false),
            revoked: watch::Sender::new(None),
        }
    }

    /// Its token was found valid: it may be chosen for instances.
    pub fn open(&self) {
        self.open.store(true, Ordering::Release);
    }

    /// Revokes its link: nothing more is sent to it, it is chosen for
    /// nothing, and its link closes with `reason`. False when it was
    /// revoked already.
    pub fn revoke(&self, reason: &str) -> bool {
        self.revoked.send_if_modified(|revoked| match revoked {
            Some(_) => false,
            None => {
                *revoked = Some(reason.to_string());
                true
            }
        })
    }

    /// Whether its link was revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked.borrow().is_some()
    }

    /// Resolves with the reason once its link is revoked.
    pub fn revocation(&self) -> watch::Receiver<Option<String>> {
        self.revoked.subscribe()
    }

    /// Whether it may be chosen for instances: open and not revoked.
    pub fn is_usable(&self) -> bool {
        self.open.load(Ordering::Acquire) && !self.is_revoked()
    }

    /// The instances dispatched to it (or adopted) that have not ended.
    pub fn unfinished(&self) -> Vec<(i64, Assignment)> {
        let assigned = self.assigned.lock().unwrap_or_else(|p| p.into_inner());
        assigned.iter().filter(|(_, a)| a.finished_at.is_none()).map(|(id, a)| (*id, *a)).collect()
    }

    /// Records an instance dispatched to this worker.
    pub fn assign(&self, instance: Id, assignment: Assignment) {
        self.running.fetch_add(1, Ordering::Relaxed);
        self.assigned.lock().unwrap_or_else(|p| p.into_inner()).insert(instance.0, assignment);
    }

    /// Records an instance found to be this worker's (after a reconnect).
    pub fn adopt(&self, instance: Id, assignment: Assignment) {
        self.assigned.lock().unwrap_or_else(|p| p.into_inner()).entry(instance.0).or_insert(assignment);
    }

    /// The assignment of an instance, if it was dispatched to this worker
    /// through this link.
    pub fn assignment(&self, instance: i64) -> Option<Assignment> {
        self.assigned.lock().unwrap_or_else(|p| p.into_inner()).get(&instance).copied()
    }

    /// Marks an assigned instance finished.
    pub fn finished(&self, instance: i64) {
        let now = now_ms() as i64;
        if let Some(a) = self.assigned.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&instance) {
            a.finished_at.get_or_insert(now);
        }
    }

    /// Forgets instances that ended long ago.
    pub fn prune(&self) {
        let cutoff = now_ms() as i64 - LATE_LOGS_MS;
        self.assigned.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, a| a.finished_at.is_none_or(|t| t > cutoff));
    }

    /// Whether log lines of `instance` may come from this worker.
    pub fn may_log(&self, instance: i64) -> bool {
        self.assigned.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&instance)
    }

    /// Sends a frame; false when the link is gone or was revoked.
    pub fn send(&self, message: ServerMessage) -> bool {
        !self.is_revoked() && self.sender.send(message).is_ok()
    }

    /// Records a heartbeat.
    pub fn heartbeat(&self, metrics: Metrics, running: usize) {
        *self.metrics.lock().unwrap_or_else(|p| p.into_inner()) = metrics;
        self.running.store(running, Ordering::Relaxed);
        self.seen();
    }

    /// Records any sign of life.
    pub fn seen(&self) {
        self.last_seen.store(now_ms() as i64, Ordering::Relaxed);
    }

    /// The last metrics reported.
    pub fn metrics(&self) -> Metrics {
        *self.metrics.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When it last spoke (Unix ms).
    pub fn last_seen(&self) -> i64 {
        self.last_seen.load(Ordering::Relaxed)
    }

    /// Instances it runs, as far as this server knows.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Whether it may run `app`'s jobs of `processor_type`.
    pub fn serves(&self, app: Id, processor_type: &str) -> bool {
        let app_ok = match self.app_id {
            Some(own) => own == app,
            // Shared pools run sandboxed components only.
            None => processor_type == "WASM",
        };
        app_ok && self.is_usable() && self.capabilities.processor_types.iter().any(|p| p == processor_type)
    }
}

/// Every worker connected to this server.
#[derive(Debug)]
pub struct WorkerRegistry {
    server_id: i64,
    workers: RwLock<HashMap<Id, Arc<ConnectedWorker>>>,
}

impl WorkerRegistry {
    /// An empty registry of server `server_id`.
    pub fn new(server_id: i64) -> Self {
        Self { server_id, workers: RwLock::default() }
    }

    /// This server's id (in the `worker` table).
    pub fn server_id(&self) -> i64 {
        self.server_id
    }

    /// Adds a worker, replacing an older link of the same worker.
    pub fn add(&self, worker: Arc<ConnectedWorker>) {
        self.workers.write().unwrap_or_else(|p| p.into_inner()).insert(worker.id, worker);
    }

    /// Removes a worker if `worker` is still its current link.
    pub fn remove(&self, worker: &Arc<ConnectedWorker>) -> bool {
        let mut workers = self.workers.write().unwrap_or_else(|p| p.into_inner());
        if workers.get(&worker.id).is_some_and(|w| Arc::ptr_eq(w, worker)) {
            workers.remove(&worker.id);
            return true;
        }
        false
    }

    /// Whether `worker` is still the registered link of its worker (the
    /// sweeper drops links that went silent).
    pub fn holds(&self, worker: &Arc<ConnectedWorker>) -> bool {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.get(&worker.id).is_some_and(|w| Arc::ptr_eq(w, worker))
    }

    /// Workers that serve `app`'s jobs of `processor_type`.
    pub fn serving(&self, app: Id, processor_type: &str) -> Vec<Arc<ConnectedWorker>> {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.values().filter(|w| w.serves(app, processor_type)).cloned().collect()
    }

    /// Workers that may serve `app` at all (of any processor type); links
    /// not checked yet or revoked are none.
    pub fn of_app(&self, app: Id) -> Vec<Arc<ConnectedWorker>> {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.values().filter(|w| w.is_usable() && w.app_id.is_none_or(|own| own == app)).cloned().collect()
    }

    /// The worker with `address` that serves `app`, if connected here.
    pub fn find(&self, app: Id, address: &str) -> Option<Arc<ConnectedWorker>> {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.values().find(|w| w.address == address && w.app_id.is_none_or(|own| own == app)).cloned()
    }

    /// The workers that were sent `instance`: its coordinator and its
    /// participants, as far as they are connected here.
    pub fn holding(&self, instance: i64) -> Vec<Arc<ConnectedWorker>> {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.values().filter(|w| w.assignment(instance).is_some()).cloned().collect()
    }

    /// Every connected worker.
    pub fn all(&self) -> Vec<Arc<ConnectedWorker>> {
        self.workers.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmjob_wire::{Capabilities, Register};

    fn register() -> Register {
        Register {
            protocol: 1,
            address: "w:1".into(),
            tags: Vec::new(),
            capabilities: Capabilities {
                processor_types: vec!["WASM".into()],
                max_concurrent_tasks: 4,
                engine: String::new(),
            },
            metrics: Metrics::default(),
            version: String::new(),
            peer_address: None,
        }
    }

    #[tokio::test]
    async fn a_revoked_worker_is_sent_nothing_and_chosen_for_nothing() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let worker = ConnectedWorker::new(Id(1), Some(Id(7)), &register(), "hash".into(), tx);
        assert!(!worker.serves(Id(7), "WASM"), "a link whose token was not checked yet is chosen for nothing");
        worker.open();
        assert!(worker.serves(Id(7), "WASM"));
        let mut revocation = worker.revocation();
        assert!(worker.revoke("the app's secret was rotated"));
        assert!(!worker.revoke("again"), "the first reason stays");
        let reason = revocation.wait_for(Option::is_some).await.unwrap().clone();
        assert_eq!(reason.as_deref(), Some("the app's secret was rotated"));
        assert!(!worker.serves(Id(7), "WASM"));
        let stop = wasmjob_wire::Stop { instance_id: 1, attempt: None, reason: String::new() };
        assert!(!worker.send(ServerMessage::Stop(stop)), "nothing more is sent");
        assert!(rx.try_recv().is_err());
    }
}
