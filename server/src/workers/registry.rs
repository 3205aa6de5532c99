//! The workers connected to this server, in memory: what they are, how
//! they are doing, and the channel that reaches each.

use crate::ids::{Id, now_ms};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::mpsc::UnboundedSender;
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
    metrics: Mutex<Metrics>,
    last_seen: AtomicI64,
    running: AtomicUsize,
    sender: UnboundedSender<ServerMessage>,
    assigned: Mutex<HashMap<i64, Assignment>>,
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
    /// A worker that has just registered.
    pub fn new(
        id: Id,
        app_id: Option<Id>,
        register: &wasmjob_wire::Register,
        sender: UnboundedSender<ServerMessage>,
    ) -> Self {
        Self {
            id,
            app_id,
            address: register.address.clone(),
            tags: register.tags.clone(),
            capabilities: register.capabilities.clone(),
            peer_address: register.peer_address.clone().filter(|a| !a.trim().is_empty()),
            metrics: Mutex::new(register.metrics),
            last_seen: AtomicI64::new(now_ms() as i64),
            running: AtomicUsize::new(0),
            sender,
            assigned: Mutex::default(),
        }
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

    /// Sends a frame; false when the link is gone.
    pub fn send(&self, message: ServerMessage) -> bool {
        self.sender.send(message).is_ok()
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
        app_ok && self.capabilities.processor_types.iter().any(|p| p == processor_type)
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

    /// Workers that may serve `app` at all (of any processor type).
    pub fn of_app(&self, app: Id) -> Vec<Arc<ConnectedWorker>> {
        let workers = self.workers.read().unwrap_or_else(|p| p.into_inner());
        workers.values().filter(|w| w.app_id.is_none_or(|own| own == app)).cloned().collect()
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
