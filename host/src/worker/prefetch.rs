//! Deploys ahead of use: a `PREFETCH` frame names artifacts the server
//! will soon dispatch; each is downloaded, verified and compiled in the
//! background through the same path a dispatch takes (`loader`), so the
//! next dispatch finds it loaded. Progress goes back as `ARTIFACT` frames
//! (FETCHING, READY, FAILED), each state once per session and artifact.
//!
//! A prefetch with `keep` also cleans up: cached components whose digest
//! is not in it are removed (artifact file, compiled code, loaded
//! processor) — unless an instance holds the processor, or it was used or
//! fetched within [`GRACE`]: something running is never touched.

use super::{Shared, loader};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use wasmjob_wire::{ArtifactReport, ArtifactState, Prefetch, WorkerMessage};

/// A component used or fetched this recently is never removed.
pub(crate) const GRACE: Duration = Duration::from_secs(120);

/// Prefetches compiled at once (compiling is CPU-heavy: leave room for
/// the instances that run).
const PARALLEL: usize = 2;

/// What the worker's prefetching keeps track of.
#[derive(Debug)]
pub(crate) struct Prefetcher {
    /// Digests being prefetched now.
    in_flight: Mutex<HashSet<String>>,
    /// What this session reported of each digest.
    reported: Mutex<HashMap<String, ArtifactState>>,
    /// When each digest was last loaded or asked for.
    touched: Mutex<HashMap<String, Instant>>,
    permits: Arc<Semaphore>,
    cleaning: AtomicBool,
}

impl Default for Prefetcher {
    fn default() -> Self {
        Self {
            in_flight: Mutex::default(),
            reported: Mutex::default(),
            touched: Mutex::default(),
            permits: Arc::new(Semaphore::new(PARALLEL)),
            cleaning: AtomicBool::new(false),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Prefetcher {
    /// A new link: report every state again (the server forgot them).
    pub(crate) fn new_session(&self) {
        lock(&self.reported).clear();
    }

    /// Notes that `digest` is in use now.
    pub(crate) fn touch(&self, digest: &str) {
        lock(&self.touched).insert(digest.to_string(), Instant::now());
    }

    fn recently_touched(&self, digest: &str) -> bool {
        lock(&self.touched).get(digest).is_some_and(|at| at.elapsed() < GRACE)
    }
}

/// Reports a state of `digest` unless this session reported it already
/// (failures always: their message may differ).
fn report(shared: &Shared, digest: &str, state: ArtifactState, message: String) {
    let previous = lock(&shared.prefetch.reported).insert(digest.to_string(), state);
    if previous == Some(state) && state != ArtifactState::Failed {
        return;
    }
    let frame = ArtifactReport { digest: digest.to_string(), state, message };
    shared.reports.frame(WorkerMessage::Artifact(frame));
}

/// A component was loaded for a dispatch (or a prefetch): it is READY.
pub(crate) fn loaded(shared: &Shared, digest: &str) {
    shared.prefetch.touch(digest);
    report(shared, digest, ArtifactState::Ready, String::new());
}

/// Acts on a `PREFETCH` frame: fetches and compiles what is not loaded,
/// in the background, then cleans up if the frame says what to keep.
pub(crate) fn on_prefetch(shared: &Arc<Shared>, prefetch: Prefetch) {
    let mut tasks = Vec::new();
    for artifact in prefetch.artifacts {
        if !super::artifacts::is_digest(&artifact.digest) {
            tracing::warn!(digest = %artifact.digest, "ignoring a prefetch of an invalid digest");
            continue;
        }
        shared.prefetch.touch(&artifact.digest);
        if shared.loaded(&artifact.digest).is_some() {
            report(shared, &artifact.digest, ArtifactState::Ready, String::new());
            continue;
        }
        if !lock(&shared.prefetch.in_flight).insert(artifact.digest.clone()) {
            continue;
        }
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let digest = artifact.digest.clone();
            report(&shared, &digest, ArtifactState::Fetching, String::new());
            let permit = shared.prefetch.permits.clone().acquire_owned().await;
            let result = loader::processor(&shared, &digest, artifact.size).await;
            drop(permit);
            lock(&shared.prefetch.in_flight).remove(&digest);
            match result {
                Ok(_) => {
                    let (container, version) = (&artifact.container, &artifact.version);
                    tracing::info!(%container, %version, %digest, "prefetched");
                    loaded(&shared, &digest);
                }
                Err(why) => {
                    tracing::warn!(%digest, "cannot prefetch: {why}");
                    report(&shared, &digest, ArtifactState::Failed, why);
                }
            }
        }));
    }
    if let Some(keep) = prefetch.keep {
        let shared = shared.clone();
        tokio::spawn(async move {
            // What this frame prefetches is kept anyway; let it land first.
            for task in tasks {
                let _ = task.await;
            }
            clean(&shared, keep.into_iter().collect()).await;
        });
    }
}

/// Removes cached components not in `keep` that nothing uses.
async fn clean(shared: &Arc<Shared>, keep: HashSet<String>) {
    if shared.prefetch.cleaning.swap(true, Ordering::AcqRel) {
        return;
    }
    let worker = shared.clone();
    let removed = tokio::task::spawn_blocking(move || {
        let mut candidates: HashSet<String> = worker.artifacts.list().into_iter().collect();
        candidates.extend(lock(&worker.processors).keys().cloned());
        let mut removed = Vec::new();
        for digest in candidates {
            if keep.contains(&digest) || worker.prefetch.recently_touched(&digest) {
                continue;
            }
            if lock(&worker.prefetch.in_flight).contains(&digest) {
                continue;
            }
            {
                let mut processors = lock(&worker.processors);
                // Held by this map and the runtime's: more holders are
                // instances running it.
                if processors.get(&digest).is_some_and(|p| Arc::strong_count(p) > 2) {
                    continue;
                }
                processors.remove(&digest);
            }
            worker.runtime.unload(&digest);
            worker.artifacts.remove(&digest);
            removed.push(digest);
        }
        removed
    })
    .await
    .unwrap_or_default();
    for digest in removed {
        tracing::info!(%digest, "removed a cached component no job can use any more");
        lock(&shared.prefetch.touched).remove(&digest);
        report(shared, &digest, ArtifactState::Removed, String::new());
    }
    shared.prefetch.cleaning.store(false, Ordering::Release);
}
