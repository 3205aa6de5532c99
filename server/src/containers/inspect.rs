//! Validating an upload with the worker's own runtime: the bytes must be
//! a component that satisfies at least one processor world and imports
//! nothing a worker does not provide. One runtime per server, built on
//! first use (or the embedded worker's, in standalone mode); compiling
//! runs on tokio's blocking pool.
//!
//! Inspection keeps nothing: wasmtime types a component only by compiling
//! it, and the compiled code is dropped as soon as the answer is known
//! (neither cached on disk nor kept loaded), so inspecting many distinct
//! components leaves the server's memory and disk as they were. Compiling
//! is CPU-heavy: at most [`Inspector::at_once`] run together (uploads
//! included); inspections asked for through the API wait for a turn in a
//! line of bounded length ([`Inspector::turn`]), and each app may ask for
//! a limited number of them a minute ([`Inspector::admit`]).

use crate::ids::{Id, now_ms};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};
use wasmjob_runtime::{ComponentInfo, Runtime, RuntimeConfig};

/// Why an upload was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The bytes are not a usable processor; the message says why.
    #[error("{0}")]
    Rejected(String),
    /// The runtime itself failed (its cache, its engine): not the
    /// uploader's fault.
    #[error("cannot inspect the component: {0}")]
    Failed(String),
}

/// Too many inspections run and wait already: come back after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy(pub Duration);

/// A turn to compile: held while one inspection runs.
#[derive(Debug)]
pub struct Turn {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

/// How many inspections may wait for a turn, per one that runs.
const WAITING_PER_RUNNING: usize = 4;

/// How long a caller told the server is busy should wait.
const BUSY_RETRY_AFTER: Duration = Duration::from_secs(2);

/// Apps whose rate is remembered at most; beyond it, those with a full
/// allowance again are forgotten (they lose nothing by it).
const RATED_APPS: usize = 10_000;

/// Inspects uploaded components.
#[derive(Debug)]
pub struct Inspector {
    config: RuntimeConfig,
    runtime: OnceCell<Arc<Runtime>>,
    /// Inspections that may compile at once.
    running: Arc<Semaphore>,
    at_once: usize,
    /// Inspections waiting for a turn now.
    waiting: AtomicUsize,
    /// Each app's allowance: inspections left, and when it was last topped up (Unix ms).
    allowance: Mutex<HashMap<Id, (f64, i64)>>,
}

impl Inspector {
    /// An inspector whose runtime opens its compiled-code cache in
    /// `cache_dir` (inspection writes nothing there). Half the machine's
    /// cores (at least one) inspect at once.
    pub fn new(cache_dir: PathBuf) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_concurrency(cache_dir, (cores / 2).max(1))
    }

    /// [`Inspector::new`] with `at_once` inspections at once (at least one).
    pub fn with_concurrency(cache_dir: PathBuf, at_once: usize) -> Self {
        // No pooling: nothing runs here, instances are never created. The
        // epoch only matters to running tasks: tick rarely.
        let config = RuntimeConfig {
            cache_dir,
            pooling: None,
            epoch_tick: Duration::from_millis(500),
            ..RuntimeConfig::default()
        };
        let at_once = at_once.max(1);
        Self {
            config,
            runtime: OnceCell::new(),
            running: Arc::new(Semaphore::new(at_once)),
            at_once,
            waiting: AtomicUsize::new(0),
            allowance: Mutex::default(),
        }
    }

    /// Inspects with `runtime` instead of building one: a process that
    /// has a runtime already (standalone mode's embedded worker) keeps one
    /// engine. False when a runtime was built or given already.
    pub fn share_runtime(&self, runtime: Arc<Runtime>) -> bool {
        self.runtime.set(runtime).is_ok()
    }

    /// How many inspections compile at once.
    pub fn at_once(&self) -> usize {
        self.at_once
    }

    /// Counts one inspection against `app`'s allowance of `per_minute` a
    /// minute (refilled continuously); when none is left, how long until
    /// one is.
    pub fn admit(&self, app: Id, per_minute: u32) -> Result<(), Duration> {
        let per_minute = f64::from(per_minute.max(1));
        let per_ms = per_minute / 60_000.0;
        let now = now_ms() as i64;
        let mut allowance = self.allowance.lock().unwrap_or_else(|p| p.into_inner());
        if allowance.len() >= RATED_APPS && !allowance.contains_key(&app) {
            allowance.retain(|_, (left, at)| *left + (now - *at) as f64 * per_ms < per_minute);
        }
        let (left, at) = allowance.entry(app).or_insert((per_minute, now));
        *left = (*left + (now - *at).max(0) as f64 * per_ms).min(per_minute);
        *at = now;
        if *left >= 1.0 {
            *left -= 1.0;
            return Ok(());
        }
        let wait_ms = ((1.0 - *left) / per_ms).ceil() as u64;
        Err(Duration::from_millis(wait_ms.max(1000)))
    }

    /// What `bytes` are, or why they are no processor, once it is their
    /// turn (uploads wait for it however many wait: each holds a request
    /// the server admitted).
    pub async fn inspect(&self, bytes: Vec<u8>) -> Result<ComponentInfo, InspectError> {
        let turn = match self.running.clone().acquire_owned().await {
            Ok(permit) => Turn { _permit: permit },
            Err(_) => return Err(InspectError::Failed("the inspector is shutting down".into())),
        };
        self.inspect_in_turn(turn, bytes).await
    }

    /// A turn to inspect: at once when fewer than [`Inspector::at_once`]
    /// run, else after waiting in a line of bounded length; [`Busy`] when
    /// the line is full.
    pub async fn turn(&self) -> Result<Turn, Busy> {
        if let Ok(permit) = self.running.clone().try_acquire_owned() {
            return Ok(Turn { _permit: permit });
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.at_once * WAITING_PER_RUNNING {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy(BUSY_RETRY_AFTER));
        }
        // Leaves the line however the wait ends (a caller may go away).
        let _in_line = InLine(&self.waiting);
        self.running
            .clone()
            .acquire_owned()
            .await
            .map(|permit| Turn { _permit: permit })
            .map_err(|_| Busy(BUSY_RETRY_AFTER))
    }

    /// What `bytes` are, or why they are no processor, in a turn had from
    /// [`Inspector::turn`].
    pub async fn inspect_in_turn(&self, turn: Turn, bytes: Vec<u8>) -> Result<ComponentInfo, InspectError> {
        let runtime = self
            .runtime
            .get_or_try_init(|| async {
                let config = self.config.clone();
                tokio::task::spawn_blocking(move || Runtime::new(config).map(Arc::new))
                    .await
                    .map_err(|e| InspectError::Failed(e.to_string()))?
                    .map_err(|e| InspectError::Failed(e.to_string()))
            })
            .await?;
        let info = runtime.inspect_blocking(bytes).await.map_err(classify);
        drop(turn);
        info
    }
}

/// One place in the line of inspections waiting for a turn.
struct InLine<'a>(&'a AtomicUsize);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn classify(error: wasmjob_runtime::Error) -> InspectError {
    use wasmjob_runtime::Error;
    match error {
        Error::NotWasm
        | Error::CoreModule
        | Error::Invalid(_)
        | Error::NoWorld(_)
        | Error::WrongWorld { .. }
        | Error::UnsatisfiedImport(_) => InspectError::Rejected(error.to_string()),
        // Engine, cache and read failures, and the worker's own errors, are
        // the server's problem, not the upload's.
        _ => InspectError::Failed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_is_no_component_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let inspector = Inspector::new(dir.path().join("compiled"));
        let garbage = inspector.inspect(b"hello".to_vec()).await.unwrap_err();
        assert!(matches!(&garbage, InspectError::Rejected(m) if m.contains("not a WebAssembly file")), "{garbage}");
        let module = inspector.inspect(b"\0asm\x01\0\0\0".to_vec()).await.unwrap_err();
        assert!(matches!(&module, InspectError::Rejected(m) if m.contains("core WebAssembly module")), "{module}");
    }

    #[test]
    fn each_app_has_its_allowance_a_minute() {
        let dir = tempfile::tempdir().unwrap();
        let inspector = Inspector::new(dir.path().join("compiled"));
        for _ in 0..3 {
            assert!(inspector.admit(Id(1), 3).is_ok());
        }
        let wait = inspector.admit(Id(1), 3).unwrap_err();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(inspector.admit(Id(2), 3).is_ok(), "another app has its own allowance");
    }

    #[tokio::test]
    async fn inspections_beyond_the_line_are_told_to_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let inspector = Arc::new(Inspector::with_concurrency(dir.path().join("compiled"), 1));
        // Hold the only turn, then fill the line.
        let held = inspector.turn().await.unwrap();
        let line: Vec<_> = (0..WAITING_PER_RUNNING)
            .map(|_| {
                let inspector = inspector.clone();
                tokio::spawn(async move { inspector.turn().await.map(drop) })
            })
            .collect();
        while inspector.waiting.load(Ordering::Acquire) < WAITING_PER_RUNNING {
            tokio::task::yield_now().await;
        }
        assert_eq!(inspector.turn().await.unwrap_err(), Busy(BUSY_RETRY_AFTER));
        drop(held);
        for waiting in line {
            assert!(waiting.await.unwrap().is_ok(), "those in line get their turn");
        }
        assert_eq!(inspector.waiting.load(Ordering::Acquire), 0);
        let turn = inspector.turn().await.unwrap();
        let garbage = inspector.inspect_in_turn(turn, b"hello".to_vec()).await;
        assert!(matches!(garbage, Err(InspectError::Rejected(_))));
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_leaves_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let inspector = Inspector::with_concurrency(dir.path().join("compiled"), 1);
        let held = inspector.turn().await.unwrap();
        let gave_up = tokio::time::timeout(Duration::from_millis(20), inspector.turn()).await;
        assert!(gave_up.is_err(), "it waited while the turn was held");
        assert_eq!(inspector.waiting.load(Ordering::Acquire), 0);
        drop(held);
    }
}
