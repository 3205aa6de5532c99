//! The TaskTracker of one instance, on its own thread: it takes events
//! from the instance's runners (joined, tasks done, subtasks emitted,
//! left), keeps the tasks (`queue`) and the runners (`peers`, `joins`),
//! hands work out, and ends the instance by its kind's rules (`finish`).
//!
//! Runners join through a [`CoordinatorHandle`]: the coordinator's own
//! runner (unless the job is PADDLING) at once, the other workers'
//! runners when their network sessions connect. A worker asked to take
//! part that has not joined within the join timeout is counted absent;
//! a runner that leaves or goes silent is lost, and its tasks run
//! elsewhere (its broadcast task fails: no other worker may run it).

mod finish;
mod joins;
mod peers;
mod queue;

pub use peers::PeerLink;

use super::runner::RunnerSpec;
use super::store::{StoreError, TaskStore};
use super::{Children, PeerId, Progress, TaskDone, ToRunner};
use peers::{Peer, PeerState, absent_share};
use queue::{Ended, TaskQueue, Window};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use wasmjob_runtime::{LogLevel, LogRecord, LogSource};
use wasmjob_vocab::ExecuteType;

/// How the coordinator waits between looks at its stop flag and timers.
const TICK: Duration = Duration::from_millis(50);
/// Events taken in per step (one store transaction).
const EVENTS_PER_STEP: usize = 1024;
/// Events that may wait for the coordinator; senders wait beyond.
const EVENT_QUEUE: usize = 64;
/// How often the progress snapshot is refreshed.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Tunables of a coordinator.
#[derive(Debug, Clone)]
pub struct CoordinatorSettings {
    /// Where the task store's file goes.
    pub store_dir: PathBuf,
    /// Tasks held in memory, waiting, at most (the rest wait on disk).
    pub window_tasks: usize,
    /// Bytes of waiting tasks held in memory, about, at most.
    pub window_bytes: usize,
    /// How long the workers asked to take part have to join.
    pub join_timeout: Duration,
}

impl Default for CoordinatorSettings {
    fn default() -> Self {
        Self {
            store_dir: std::env::temp_dir(),
            window_tasks: 10_000,
            window_bytes: 32 << 20,
            join_timeout: Duration::from_secs(10),
        }
    }
}

/// Everything a coordinator needs.
#[derive(Debug)]
pub struct CoordinatorSpec {
    /// The instance's processor, kind, root context, limits, log and stop
    /// control (shared with the coordinator's own runner).
    pub runner: RunnerSpec,
    /// This worker's address.
    pub address: String,
    /// Threads of the coordinator's own runner.
    pub local_threads: usize,
    /// PADDLING: the coordinator runs no tasks itself while another
    /// worker can.
    pub paddling: bool,
    /// Addresses of the other workers asked to take part.
    pub participants: Vec<String>,
    /// MAP_REDUCE: fail without reducing when a task failed.
    pub skip_reduce_on_failure: bool,
    /// Tunables.
    pub settings: CoordinatorSettings,
}

/// What a runner or the worker tells the coordinator.
#[derive(Debug)]
pub enum Event {
    /// A runner joined the instance.
    Joined {
        /// Its number, from [`CoordinatorHandle::new_peer`].
        peer: PeerId,
        /// Its worker's address.
        address: String,
        /// Tasks it runs at once.
        concurrency: u32,
        /// How to reach it.
        link: Box<dyn PeerLink>,
    },
    /// Tasks ended.
    Done {
        /// The runner.
        peer: PeerId,
        /// Their ends.
        results: Vec<TaskDone>,
    },
    /// A running task emitted subtasks.
    Children {
        /// The runner.
        peer: PeerId,
        /// The subtasks.
        children: Children,
    },
    /// A runner left or went silent.
    Left {
        /// The runner.
        peer: PeerId,
        /// Why, for the log.
        reason: String,
    },
    /// Stop the instance.
    Stop,
}

/// Lets runners join a running coordinator and the worker stop it.
#[derive(Debug, Clone)]
pub struct CoordinatorHandle {
    events: mpsc::Sender<Event>,
    next_peer: Arc<AtomicU32>,
}

impl CoordinatorHandle {
    /// A number for a new runner.
    pub fn new_peer(&self) -> PeerId {
        PeerId(self.next_peer.fetch_add(1, Ordering::Relaxed))
    }

    /// Where a runner's events go.
    pub fn events(&self) -> &mpsc::Sender<Event> {
        &self.events
    }

    /// Asks the coordinator to stop the instance.
    pub fn stop(&self) {
        let _ = self.events.try_send(Event::Stop);
    }

    /// A handle on `events`, with no coordinator behind it.
    #[cfg(test)]
    pub(crate) fn for_tests(events: mpsc::Sender<Event>) -> Self {
        Self { events, next_peer: Arc::new(AtomicU32::new(0)) }
    }
}

/// How the instance ended.
#[derive(Debug, Clone)]
pub struct InstanceEnd {
    /// Whether it succeeded.
    pub success: bool,
    /// Its result message.
    pub msg: String,
    /// Whether it ended because it was stopped.
    pub stopped: bool,
    /// The last word on its tasks and workers.
    pub progress: Progress,
}

/// A running coordinator.
#[derive(Debug)]
pub struct Coordination {
    /// Joins runners, stops it.
    pub handle: CoordinatorHandle,
    /// Its tasks and workers, refreshed a few times a second.
    pub progress: Arc<Mutex<Progress>>,
    /// Resolves once the instance has ended.
    pub ended: oneshot::Receiver<InstanceEnd>,
}

/// The events a coordinator will take, before it starts: runners may join
/// (their events wait) while the instance's processor still loads.
#[derive(Debug)]
pub struct Inbox(mpsc::Receiver<Event>);

/// A handle and the inbox it sends to, for [`start_with`].
pub fn inbox() -> (CoordinatorHandle, Inbox) {
    let (events, rx) = mpsc::channel(EVENT_QUEUE);
    (CoordinatorHandle { events, next_peer: Arc::new(AtomicU32::new(0)) }, Inbox(rx))
}

/// Starts the coordinator of an instance on a thread of its own.
pub fn start(spec: CoordinatorSpec) -> std::io::Result<Coordination> {
    let (handle, inbox) = inbox();
    start_with(spec, handle, inbox)
}

/// Starts a coordinator on the inbox of `handle`.
pub fn start_with(spec: CoordinatorSpec, handle: CoordinatorHandle, inbox: Inbox) -> std::io::Result<Coordination> {
    let events_rx = inbox.0;
    let progress = Arc::new(Mutex::new(Progress::default()));
    let (ended_tx, ended) = oneshot::channel();
    let coordinator = (handle.clone(), events_rx, progress.clone());
    let name = format!("wasmjob-coordinator-{}", spec.runner.root.instance_id);
    std::thread::Builder::new().name(name).spawn(move || {
        let (handle, events, progress) = coordinator;
        let end = Coordinator::run(spec, handle, events, progress);
        let _ = ended_tx.send(end);
    })?;
    Ok(Coordination { handle, progress, ended })
}

struct Coordinator {
    spec: CoordinatorSpec,
    handle: CoordinatorHandle,
    events: mpsc::Receiver<Event>,
    queue: TaskQueue,
    peers: Vec<Peer>,
    /// Workers asked to take part that have not joined yet.
    pending: Vec<String>,
    /// Workers that never joined.
    absent: Vec<String>,
    joined: HashSet<String>,
    started: Instant,
    mean_task_us: f64,
    broadcast_tasks: u32,
    stop_requested: bool,
    rotate: usize,
    progress: Arc<Mutex<Progress>>,
    published: Instant,
}

impl Coordinator {
    fn run(
        spec: CoordinatorSpec,
        handle: CoordinatorHandle,
        events: mpsc::Receiver<Event>,
        progress: Arc<Mutex<Progress>>,
    ) -> InstanceEnd {
        let name = format!("instance-{}", spec.runner.root.instance_id);
        let store = match TaskStore::create(&spec.settings.store_dir, &name) {
            Ok(store) => store,
            Err(e) => return finish::failed(format!("the coordinator cannot create its task store: {e}")),
        };
        let window = Window { tasks: spec.settings.window_tasks, bytes: spec.settings.window_bytes };
        let queue = TaskQueue::new(store, window, spec.runner.root.max_retry);
        let mut coordinator = Coordinator {
            pending: spec.participants.iter().filter(|a| **a != spec.address).cloned().collect(),
            spec,
            handle,
            events,
            queue,
            peers: Vec::new(),
            absent: Vec::new(),
            joined: HashSet::new(),
            started: Instant::now(),
            mean_task_us: 25_000.0,
            broadcast_tasks: 0,
            stop_requested: false,
            rotate: 0,
            progress,
            published: Instant::now(),
        };
        coordinator.pending.sort();
        coordinator.pending.dedup();
        let end = coordinator.drive();
        *coordinator.progress.lock().unwrap_or_else(|p| p.into_inner()) = end.progress.clone();
        end
    }

    fn drive(&mut self) -> InstanceEnd {
        if let Some(end) = self.prepare() {
            return end;
        }
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_time().build() {
            Ok(runtime) => runtime,
            Err(e) => return self.abort(format!("the coordinator cannot start its timer: {e}")),
        };
        loop {
            if let Err(e) = self.step(&runtime) {
                return self.abort(format!("the coordinator's task store failed: {e}"));
            }
            if self.stop_requested || self.spec.runner.control.is_stopped() {
                return self.stopped();
            }
            if self.is_done() {
                return self.finish();
            }
        }
    }

    /// Queues the first work and starts the coordinator's own runner;
    /// broadcast runs pre-process first. `Some` when the instance ended
    /// already.
    fn prepare(&mut self) -> Option<InstanceEnd> {
        let start = match self.spec.runner.kind {
            ExecuteType::Broadcast => match finish::pre_process(&self.spec.runner) {
                Ok(()) => Ok(()),
                Err(msg) => return Some(self.end(false, msg)),
            },
            _ => self.queue.push_root(),
        };
        if let Err(e) = start {
            return Some(self.abort(format!("the coordinator's task store failed: {e}")));
        }
        if !self.spec.paddling || self.pending.is_empty() {
            if self.spec.paddling {
                self.note(LogLevel::Warn, "PADDLING, but no other worker takes part: the coordinator runs the tasks");
            }
            if let Err(e) = self.start_local() {
                return Some(self.abort(format!("the coordinator's task store failed: {e}")));
            }
        }
        None
    }

    /// Takes in what arrived (waiting up to a tick for the first event),
    /// in one store transaction, then hands out work.
    fn step(&mut self, runtime: &tokio::runtime::Runtime) -> Result<(), StoreError> {
        let events = &mut self.events;
        let first = runtime.block_on(async { tokio::time::timeout(TICK, events.recv()).await });
        self.queue.begin()?;
        if let Ok(Some(event)) = first {
            self.apply(event)?;
            for _ in 1..EVENTS_PER_STEP {
                match self.events.try_recv() {
                    Ok(event) => self.apply(event)?,
                    Err(_) => break,
                }
            }
        }
        self.check_joins()?;
        self.queue.refill()?;
        self.hand_out();
        self.queue.commit()?;
        self.publish(false);
        Ok(())
    }

    fn apply(&mut self, event: Event) -> Result<(), StoreError> {
        match event {
            Event::Joined { peer, address, concurrency, link } => self.joined_peer(peer, address, concurrency, link)?,
            Event::Done { peer, results } => {
                let retry = !self.stop_requested;
                for done in results {
                    self.mean_task_us = self.mean_task_us * 0.9 + done.elapsed_us as f64 * 0.1;
                    let ended = self.queue.complete(peer, done, retry)?;
                    if let Some(p) = self.peers.iter_mut().find(|p| p.id == peer) {
                        match ended {
                            Ended::Ignored => continue,
                            Ended::Final { success: true } => p.succeeded += 1,
                            Ended::Final { success: false } | Ended::Retrying => p.failed += 1,
                        }
                        p.in_flight = p.in_flight.saturating_sub(1);
                    }
                }
            }
            Event::Children { peer, children } => {
                self.queue.add_children(peer, children)?;
            }
            Event::Left { peer, reason } => self.lost(peer, &reason)?,
            Event::Stop => self.stop_requested = true,
        }
        Ok(())
    }

    /// Gives every active runner what it has room for, round robin.
    fn hand_out(&mut self) {
        let active = self.peers.iter().filter(|p| p.is_active()).count();
        if active == 0 || self.stop_requested {
            return;
        }
        let n = self.peers.len();
        self.rotate = (self.rotate + 1) % n;
        for k in 0..n {
            let i = (self.rotate + k) % n;
            let peer = &self.peers[i];
            if !peer.is_active() {
                continue;
            }
            let room = peer.capacity(self.mean_task_us).saturating_sub(peer.in_flight);
            if room == 0 {
                continue;
            }
            let tasks = self.queue.take_for(peer.id, room, active > 1);
            if tasks.is_empty() {
                continue;
            }
            let peer = &mut self.peers[i];
            peer.in_flight += tasks.len();
            if !peer.link.send(ToRunner::Tasks(tasks)) {
                let id = peer.id;
                // Its session is gone; the Left event follows, but its
                // tasks need not wait for it.
                if let Err(e) = self.lost(id, "its link closed") {
                    tracing::error!(error = %e, "cannot release a lost runner's tasks");
                }
            }
        }
    }

    fn is_done(&self) -> bool {
        match self.spec.runner.kind {
            ExecuteType::Broadcast => self.pending.is_empty() && self.queue.is_drained(),
            _ => self.queue.is_drained(),
        }
    }

    fn progress_now(&self) -> Progress {
        let mut workers: Vec<_> = self.peers.iter().map(Peer::share).collect();
        workers.extend(self.pending.iter().map(|a| absent_share(a, "JOINING")));
        workers.extend(self.absent.iter().map(|a| absent_share(a, "ABSENT")));
        if !self.peers.iter().any(|p| p.local) {
            let mut own = absent_share(&self.spec.address, "COORDINATING");
            own.coordinator = true;
            workers.insert(0, own);
        }
        Progress { tasks: self.queue.tally(), workers }
    }

    fn publish(&mut self, now: bool) {
        if !now && self.published.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.published = Instant::now();
        let snapshot = self.progress_now();
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = snapshot;
    }

    /// A line of the coordinator's in the instance's log.
    fn note(&self, level: LogLevel, message: &str) {
        self.spec.runner.log.record(LogRecord {
            instance_id: self.spec.runner.root.instance_id,
            task_id: wasmjob_runtime::ROOT_TASK_ID,
            level,
            source: LogSource::Host,
            message,
        });
    }

    fn tell_all(&mut self, message: &ToRunner) {
        for peer in self.peers.iter_mut().filter(|p| p.is_active()) {
            peer.link.send(message.clone());
            peer.state = PeerState::Left;
        }
    }

    fn stopped(&mut self) -> InstanceEnd {
        self.tell_all(&ToRunner::Stop("the instance was stopped".into()));
        InstanceEnd { stopped: true, ..self.end(false, "stopped".into()) }
    }

    /// Ends the instance as failed for a reason of the coordinator's own.
    fn abort(&mut self, msg: String) -> InstanceEnd {
        self.tell_all(&ToRunner::Stop(msg.clone()));
        self.end(false, msg)
    }

    fn end(&self, success: bool, msg: String) -> InstanceEnd {
        InstanceEnd { success, msg, stopped: false, progress: self.progress_now() }
    }
}

#[cfg(test)]
mod tests;
