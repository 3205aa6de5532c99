//! The worker link: the messages a wasmjob worker and a server exchange.
//!
//! A worker opens the link (a WebSocket at `GET /api/v1/workers/connect`,
//! authenticated with an app token or, for a shared pool, an administrator
//! token), so it needs no inbound port. Every frame is one JSON
//! [`WorkerMessage`] (worker → server) or [`ServerMessage`] (server →
//! worker), tagged by `type`. The worker sends [`Register`] first and
//! [`Heartbeat`]s after; the server answers [`Welcome`], then sends
//! [`Dispatch`]es and [`Stop`]s; the worker reports [`StatusReport`]s,
//! [`SubRunReport`]s (FIXED_RATE / FIXED_DELAY) and [`LogBatch`]es.
//!
//! Reports carry the instance's `attempt` (its run count when dispatched):
//! the server ignores reports of an earlier attempt and reports from a
//! worker other than the instance's coordinator.
//!
//! A BROADCAST, MAP or MAP_REDUCE instance may spread over several
//! workers: the coordinator's [`Dispatch`] names the `participants`, each
//! of which gets a [`Join`] naming the coordinator's peer listener. The
//! workers then exchange tasks directly (the server is not on that path);
//! the coordinator reports counts in [`ProgressReport`]s.
//!
//! Deploying a container version sends a [`Prefetch`] to the workers that
//! may run it: they fetch and precompile it in the background and answer
//! [`ArtifactReport`]s. Peers that predate these frames skip them (an
//! unknown frame is ignored), so [`PROTOCOL_VERSION`] stays 1.
#![deny(missing_docs)]

mod artifacts;
mod messages;
mod model;

pub use artifacts::{ArtifactReport, ArtifactState, Prefetch, PrefetchArtifact};

pub use messages::{
    Dispatch, Heartbeat, Join, LogBatch, LogLine, ProgressReport, Register, RunningInstance, ServerMessage,
    StatusReport, Stop, SubRunReport, Welcome, WorkerMessage,
};
pub use model::{
    Capabilities, InstanceProgress, Metrics, PeerToken, ProcessorSpec, ReportedStatus, RunSchedule, TaskTally,
    WorkerShare,
};

/// The path of the worker link, under the server's base URL.
pub const CONNECT_PATH: &str = "/api/v1/workers/connect";

/// The path an artifact is fetched from, under the server's base URL
/// (`{digest}` is the sha256 of the component, in hex).
pub const ARTIFACT_PATH: &str = "/api/v1/artifacts/";

/// Version of this protocol; a server refuses workers of another major.
pub const PROTOCOL_VERSION: u32 = 1;
