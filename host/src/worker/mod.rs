//! The worker agent behind `wasmjob worker`: it opens the worker link to a
//! server (`wasmjob_wire`), runs the instances the server dispatches with
//! the [`Runtime`], and reports their statuses, sub-runs and logs.
//!
//! - `auth`: login and the bearer token; `link`: connecting, registering
//!   and reconnecting with backoff; `session`: one connected link (frames
//!   in, reports and heartbeats out).
//! - `reports`: reports in order, logs batched; `outbox`: frames waiting
//!   for the link, kept (bounded) while disconnected.
//! - `instances`: what runs, how to stop it, and its final status;
//!   `executor`: one dispatched instance; `schedule`: FIXED_RATE and
//!   FIXED_DELAY sub-runs; `slots`: the bounds on what runs at once.
//! - `peer`: the peer link between the workers of a distributed instance
//!   (this worker's listener, the coordinator's side of each participant,
//!   and this worker's part in others' instances); `executor` coordinates
//!   BROADCAST, MAP and MAP_REDUCE instances with
//!   [`crate::distributed::coordinator`].
//! - `loader`: a dispatch's processor, from memory, from `artifacts`
//!   (components fetched, verified and cached on disk) or downloaded;
//!   `logs`: the [`wasmjob_runtime::LogSink`] that ships task logs; `metrics`: the
//!   machine, for registration and heartbeats.
//! - `prefetch`: deployed versions fetched and compiled before their
//!   first dispatch, their states reported, and cached components no job
//!   can use any more removed (never one that runs).

mod artifacts;
mod auth;
mod config;
mod executor;
mod instances;
mod link;
mod loader;
mod logs;
mod metrics;
mod outbox;
mod peer;
mod prefetch;
mod reports;
mod schedule;
mod session;
mod slots;

#[cfg(test)]
mod run_tests;

pub use config::{CoordinatorTuning, Credentials, WorkerConfig, default_address};

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmjob_runtime::Processor;
use wasmjob_runtime::Runtime;

/// A worker: connects to its server and runs what it is dispatched.
pub struct Worker {
    shared: Arc<Shared>,
    reports: tokio::sync::mpsc::UnboundedReceiver<reports::Report>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker").field("config", &self.shared.config).finish_non_exhaustive()
    }
}

/// What every part of a running worker shares.
#[derive(Debug)]
struct Shared {
    config: WorkerConfig,
    /// The server's base URL without a trailing `/`.
    server: String,
    runtime: Arc<Runtime>,
    http: reqwest::Client,
    auth: auth::Auth,
    artifacts: artifacts::ArtifactStore,
    /// Processors loaded so far, by digest (the runtime keeps them loaded
    /// anyway; this skips reading and hashing the component again).
    processors: Mutex<HashMap<String, Arc<Processor>>>,
    /// Prefetches in flight, states reported, last uses.
    prefetch: prefetch::Prefetcher,
    /// The official processors this worker enables.
    official: wasmjob_official::OfficialProcessors,
    instances: instances::Instances,
    /// Instances other workers coordinate that this one takes part in.
    participations: instances::Instances,
    /// Instances this worker coordinates that others may join.
    routes: peer::Routes,
    /// The peer listener until the worker runs.
    peer_listener: Mutex<Option<peer::PeerListener>>,
    /// Where other workers reach it (`None`: it has no listener).
    peer_address: Option<String>,
    slots: slots::Slots,
    metrics: Arc<metrics::MetricsProbe>,
    reports: reports::Reporter,
    outbox: Arc<outbox::Outbox>,
}

impl Worker {
    /// Checks the configuration, prepares the data directory and builds
    /// the [`Runtime`] (its engine, pool and compiled-code cache).
    pub fn new(config: WorkerConfig) -> Result<Self> {
        let server = config.server.trim_end_matches('/').to_string();
        if !server.starts_with("http://") {
            let why = if server.starts_with("https://") {
                "https is not supported yet"
            } else {
                "it must start with http://"
            };
            return Err(Error::WorkerConfig(format!("bad server URL `{server}`: {why}")));
        }
        if config.max_concurrent_instances == 0 {
            return Err(Error::WorkerConfig("max_concurrent_instances must be at least 1".into()));
        }
        // Private (0700), an existing directory too: it holds downloaded
        // components, compiled code and instances' tasks.
        wasmjob_runtime::private::create_dir(&config.data_dir)
            .map_err(|source| Error::DataDir { path: config.data_dir.clone(), source })?;
        let artifacts = artifacts::ArtifactStore::open(&config.data_dir.join("artifacts"))?;
        let runtime = Arc::new(Runtime::new(config.runtime.clone())?);
        Self::with_runtime(config, server, artifacts, runtime)
    }

    /// The worker around a built runtime.
    fn with_runtime(
        config: WorkerConfig,
        server: String,
        artifacts: artifacts::ArtifactStore,
        runtime: Arc<Runtime>,
    ) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| Error::WorkerConfig(format!("cannot build the HTTP client: {e}")))?;
        let auth = auth::Auth::new(&server, config.credentials.clone(), http.clone());
        let pool = config.runtime.pooling.as_ref().map(|p| p.max_concurrent_tasks);
        let slots = slots::Slots::new(config.max_concurrent_instances, pool);
        let metrics = Arc::new(metrics::MetricsProbe::new(&config.data_dir));
        let listener = config
            .peer_listen
            .map(|addr| peer::PeerListener::bind(addr, config.peer_advertise.as_deref()))
            .transpose()?;
        let peer_address = listener.as_ref().map(|l| l.advertised().to_string());
        let runtime_handle = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::WorkerConfig(
                "a worker must be built inside a tokio runtime (Runtime::enter or an async context)".into(),
            )
        })?;
        let official = wasmjob_official::OfficialProcessors::new(&config.official, runtime_handle)?;
        let (reports, receiver) = reports::channel();
        let shared = Shared {
            config,
            server,
            runtime,
            http,
            auth,
            artifacts,
            processors: Mutex::default(),
            prefetch: prefetch::Prefetcher::default(),
            official,
            instances: instances::Instances::default(),
            participations: instances::Instances::default(),
            routes: peer::Routes::default(),
            peer_listener: Mutex::new(listener),
            peer_address,
            slots,
            metrics,
            reports,
            outbox: Arc::new(outbox::Outbox::default()),
        };
        Ok(Self { shared: Arc::new(shared), reports: receiver })
    }

    /// The configuration the worker was built with.
    pub fn config(&self) -> &WorkerConfig {
        &self.shared.config
    }

    /// The worker's runtime (its engine), for a process that needs one
    /// too and should not build a second (standalone mode's server checks
    /// uploads with it).
    pub fn runtime(&self) -> Arc<Runtime> {
        self.shared.runtime.clone()
    }

    /// Runs until `shutdown` resolves: logs in, connects, registers, and
    /// reconnects with backoff (100 ms doubling to 5 s) when the link
    /// drops. Instances keep running across reconnects; reports made while
    /// disconnected are sent after registering again. On shutdown, running
    /// instances are stopped and their final reports sent (for up to a few
    /// seconds) before the link closes.
    ///
    /// Fails when the server refuses the worker for good: wrong app name or
    /// secret, a refused token, or an `ERROR` frame answering registration.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<()> {
        let Self { shared, reports } = self;
        let flusher = tokio::spawn(reports::flusher(reports, shared.outbox.clone()));
        let peers = tokio::spawn(peer::accept(shared.clone()));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let serve = link::serve(shared.clone(), link::Shutdown::new(stop_rx));
        tokio::pin!(serve);
        let result = tokio::select! {
            result = &mut serve => result,
            () = shutdown => {
                tracing::info!("shutting down");
                let _ = stop_tx.send(true);
                serve.await
            }
        };
        if result.is_err() {
            shared.stop_all(&instances::StopCause::Shutdown);
        }
        flusher.abort();
        peers.abort();
        result
    }
}

impl Shared {
    /// Stops every instance the worker runs or takes part in.
    fn stop_all(&self, cause: &instances::StopCause) {
        self.instances.stop_all(cause);
        self.participations.stop_all(cause);
    }

    /// Whether the worker runs and takes part in nothing.
    fn is_idle(&self) -> bool {
        self.instances.is_empty() && self.participations.is_empty()
    }

    /// The peer listener's address, for the server.
    fn peer_address(&self) -> Option<String> {
        self.peer_address.clone()
    }

    /// Processor types to advertise: the configured ones and the official
    /// processors enabled.
    fn processor_types(&self) -> Vec<String> {
        let mut types = self.config.processor_types.clone();
        types.extend(self.official.advertised().iter().cloned());
        types.dedup();
        types
    }

    /// The processor of `digest`, if loaded before.
    fn loaded(&self, digest: &str) -> Option<Arc<Processor>> {
        self.processors.lock().unwrap_or_else(|p| p.into_inner()).get(digest).cloned()
    }

    /// Keeps a loaded processor for the next dispatches.
    fn remember(&self, digest: &str, processor: &Arc<Processor>) {
        self.processors.lock().unwrap_or_else(|p| p.into_inner()).insert(digest.to_string(), processor.clone());
    }
}

/// Now, in Unix milliseconds.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(server: &str, data_dir: &std::path::Path) -> WorkerConfig {
        let mut config = WorkerConfig::new(server, Credentials::Token("t".into()), data_dir.to_path_buf());
        config.runtime.pooling = None;
        config
    }

    #[test]
    fn unusable_configurations_are_refused_up_front() {
        let dir = tempfile::tempdir().unwrap();
        for server in ["https://jobs.example", "127.0.0.1:7700"] {
            let err = Worker::new(config(server, dir.path())).unwrap_err();
            assert!(matches!(err, Error::WorkerConfig(_)), "{err}");
        }
        let mut none = config("http://127.0.0.1:7700", dir.path());
        none.max_concurrent_instances = 0;
        assert!(Worker::new(none).is_err());
    }

    #[tokio::test]
    async fn an_unreachable_server_is_retried_until_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        // Port 1 refuses connections: the worker keeps retrying with backoff.
        let worker = Worker::new(config("http://127.0.0.1:1/", dir.path())).unwrap();
        assert!(dir.path().join("artifacts").is_dir() && dir.path().join("compiled").is_dir());
        let started = std::time::Instant::now();
        let shutdown = tokio::time::sleep(Duration::from_millis(400));
        tokio::time::timeout(Duration::from_secs(5), worker.run(shutdown)).await.expect("stops on shutdown").unwrap();
        assert!(started.elapsed() >= Duration::from_millis(400));
    }
}
