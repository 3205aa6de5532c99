//! Getting versions to the workers ahead of use, and seeing how far they
//! got.
//!
//! - [`announce`]: after a deployment, every worker connected here that
//!   may run the app's WASM jobs (the app's own workers, and shared pool
//!   workers) gets a `PREFETCH` of the app's deployed versions (and those
//!   enabled jobs name by label): it downloads and precompiles them in the
//!   background.
//! - [`on_register`]: a worker that has just registered gets the same for
//!   every app it serves, with `keep`, the digests it may still be sent; a
//!   task per link sends that again every [`SYNC_EVERY`], so deployments
//!   made through another server, and deletions, reach it too.
//! - [`on_report`]: the worker's `ARTIFACT` reports (FETCHING, READY,
//!   FAILED, REMOVED) are kept in `worker_artifact`; [`with_status`] adds
//!   them to a container's detail.

use super::deploy::history;
use super::model::ContainerDetail;
use crate::db::{Database, Dialect};
use crate::ids::{Id, now_ms};
use crate::state::AppState;
use crate::workers::ConnectedWorker;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;
use wasmjob_wire::{ArtifactReport, ArtifactState, Prefetch, PrefetchArtifact, ServerMessage};

/// How often each connected worker is sent what to keep and prefetch.
pub const SYNC_EVERY: Duration = Duration::from_secs(30);

/// Longest failure message kept per worker and artifact.
const MAX_MESSAGE: usize = 2000;

/// How the deployed version of a container stands on one worker.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WorkerDeployStatus {
    /// The worker's id.
    #[schema(value_type = String)]
    pub worker_id: Id,
    /// Its address.
    pub address: String,
    /// Whether it is a shared pool worker (else the app's own).
    pub pool: bool,
    /// `READY` (downloaded and compiled), `FETCHING`, `FAILED`, or
    /// `NOT_REPORTED` (it has said nothing of this version yet).
    pub state: String,
    /// Why it failed (empty otherwise).
    pub message: String,
    /// When it last reported on this version, Unix milliseconds.
    pub updated_at: Option<i64>,
}

/// The versions workers serving `app` (every app: `None`) should hold.
#[derive(Debug, Default)]
struct Wanted {
    /// Deployed versions, and versions enabled jobs name by label.
    prefetch: Vec<PrefetchArtifact>,
    /// Every digest a dispatch may still name: deployed versions, versions
    /// any job names by label, and those of live instances.
    keep: BTreeSet<String>,
}

type VersionRow = (i64, String, String, String, i64, Option<i64>, i64);

async fn wanted(db: &Database, app: Option<Id>) -> Result<Wanted, sqlx::Error> {
    let app = app.map(|a| a.0);
    // app, container, label, digest, size, deployed version, version id
    let versions: Vec<VersionRow> = sqlx::query_as(&db.sql(
        "SELECT c.app_id, c.name, v.label, v.digest, v.size_bytes, c.deployed_version_id, v.id \
         FROM container c JOIN container_version v ON v.container_id = c.id WHERE (? IS NULL OR c.app_id = ?)",
    ))
    .bind(app)
    .bind(app)
    .fetch_all(db.pool())
    .await?;
    let jobs: Vec<(i64, String, String)> = sqlx::query_as(&db.sql(
        "SELECT app_id, processor_info, status FROM job WHERE processor_type = 'WASM' AND (? IS NULL OR app_id = ?)",
    ))
    .bind(app)
    .bind(app)
    .fetch_all(db.pool())
    .await?;
    let live: Vec<(String,)> = sqlx::query_as(&db.sql(
        "SELECT DISTINCT container_digest FROM job_instance WHERE container_digest IS NOT NULL \
         AND status IN ('WAITING_WORKER_RECEIVE', 'RUNNING') AND (? IS NULL OR app_id = ?)",
    ))
    .bind(app)
    .bind(app)
    .fetch_all(db.pool())
    .await?;
    // (app, container, label) → enabled?
    let mut pinned: HashMap<(i64, String, String), bool> = HashMap::new();
    for (app, info, status) in jobs {
        if let Some((container, label)) = info.trim().split_once('@') {
            let enabled = pinned.entry((app, container.to_string(), label.to_string())).or_default();
            *enabled |= status == "ENABLED";
        }
    }
    let mut wanted = Wanted::default();
    let mut prefetched = BTreeSet::new();
    for (app, container, label, digest, size, deployed, id) in versions {
        let pin = pinned.get(&(app, container.clone(), label.clone())).copied();
        let is_deployed = deployed == Some(id);
        if is_deployed || pin.is_some() {
            wanted.keep.insert(digest.clone());
        }
        if (is_deployed || pin == Some(true)) && prefetched.insert(digest.clone()) {
            let size = u64::try_from(size).unwrap_or_default();
            wanted.prefetch.push(PrefetchArtifact { container, version: label, digest, size });
        }
    }
    wanted.keep.extend(live.into_iter().map(|(digest,)| digest));
    Ok(wanted)
}

/// Whether a worker runs WASM jobs at all.
fn runs_wasm(worker: &ConnectedWorker) -> bool {
    worker.capabilities.processor_types.iter().any(|p| p == "WASM")
}

/// Tells every worker connected here that may run `app`'s WASM jobs to
/// fetch and precompile the app's deployed (and pinned) versions.
pub(crate) async fn announce(state: &AppState, app: Id) -> Result<(), sqlx::Error> {
    let workers: Vec<_> = state.workers.of_app(app).into_iter().filter(|w| w.serves(app, "WASM")).collect();
    if workers.is_empty() {
        return Ok(());
    }
    let wanted = wanted(&state.db, Some(app)).await?;
    for worker in workers {
        worker.send(ServerMessage::Prefetch(Prefetch { artifacts: wanted.prefetch.clone(), keep: None }));
    }
    Ok(())
}

/// Sends a worker everything it should hold, and what it may keep.
async fn sync(state: &AppState, worker: &ConnectedWorker) -> Result<(), sqlx::Error> {
    if !runs_wasm(worker) {
        return Ok(());
    }
    let wanted = wanted(&state.db, worker.app_id).await?;
    let keep = Some(wanted.keep.into_iter().collect());
    worker.send(ServerMessage::Prefetch(Prefetch { artifacts: wanted.prefetch, keep }));
    Ok(())
}

/// A worker has just registered: forget what it reported before (it may
/// have come back with an empty cache), send it what to prefetch and keep,
/// and again every [`SYNC_EVERY`] while its link lasts.
pub(crate) fn on_register(state: &AppState, worker: &Arc<ConnectedWorker>) {
    let (state, worker) = (state.clone(), worker.clone());
    tokio::spawn(async move {
        let forgotten = sqlx::query(&state.db.sql("DELETE FROM worker_artifact WHERE worker_id = ?"))
            .bind(worker.id.0)
            .execute(state.db.pool())
            .await;
        if let Err(e) = forgotten {
            tracing::warn!(address = %worker.address, error = %e, "cannot reset a worker's artifact states");
        }
        loop {
            if let Err(e) = sync(&state, &worker).await {
                tracing::warn!(address = %worker.address, error = %e, "cannot send a worker its prefetches");
            }
            tokio::time::sleep(SYNC_EVERY).await;
            if !state.workers.holds(&worker) {
                return;
            }
        }
    });
}

/// Records what a worker reports of an artifact.
pub(crate) async fn on_report(
    state: &AppState,
    worker: &ConnectedWorker,
    report: ArtifactReport,
) -> Result<(), sqlx::Error> {
    if !super::is_digest(&report.digest) {
        tracing::warn!(address = %worker.address, digest = %report.digest, "an artifact report of no digest");
        return Ok(());
    }
    let db = &state.db;
    if report.state == ArtifactState::Removed {
        sqlx::query(&db.sql("DELETE FROM worker_artifact WHERE worker_id = ? AND digest = ?"))
            .bind(worker.id.0)
            .bind(&report.digest)
            .execute(db.pool())
            .await?;
        return Ok(());
    }
    let mut message = report.message;
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
    }
    let sql = match db.dialect() {
        Dialect::MySql => {
            "INSERT INTO worker_artifact (worker_id, digest, state, message, updated_at) VALUES (?, ?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE state = VALUES(state), message = VALUES(message), updated_at = VALUES(updated_at)"
        }
        Dialect::Sqlite | Dialect::Postgres => {
            "INSERT INTO worker_artifact (worker_id, digest, state, message, updated_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (worker_id, digest) DO UPDATE SET state = excluded.state, message = excluded.message, \
             updated_at = excluded.updated_at"
        }
    };
    sqlx::query(&db.sql(sql))
        .bind(worker.id.0)
        .bind(&report.digest)
        .bind(report.state.name())
        .bind(message)
        .bind(now_ms() as i64)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A container's detail with its deployment, its history, and how its
/// versions stand on the live workers that may run the app's WASM jobs.
pub(crate) async fn with_status(state: &AppState, mut detail: ContainerDetail) -> Result<ContainerDetail, sqlx::Error> {
    let db = &state.db;
    detail.deployments = history(db, detail.id, 50).await?;
    detail.deployment =
        detail.deployments.first().filter(|d| Some(d.version_id) == detail.deployed_version_id).cloned();
    let since = now_ms() as i64 - state.config.worker_timeout_ms as i64;
    let workers: Vec<_> = crate::workers::store::list(db, Some(detail.app_id), since)
        .await?
        .into_iter()
        .filter(|w| w.alive && w.processor_types.iter().any(|p| p == "WASM"))
        .collect();
    // worker → digest → (state, message, updated_at)
    let rows: Vec<(i64, String, String, Option<String>, i64)> = sqlx::query_as(&db.sql(
        "SELECT a.worker_id, a.digest, a.state, a.message, a.updated_at FROM worker_artifact a \
         JOIN worker w ON w.id = a.worker_id WHERE w.app_id = ? OR w.app_id IS NULL",
    ))
    .bind(detail.app_id.0)
    .fetch_all(db.pool())
    .await?;
    let mut reported: HashMap<i64, BTreeMap<String, (String, String, i64)>> = HashMap::new();
    for (worker, digest, state, message, at) in rows {
        reported.entry(worker).or_default().insert(digest, (state, message.unwrap_or_default(), at));
    }
    for version in &mut detail.versions {
        version.workers = workers
            .iter()
            .filter(|w| reported.get(&w.id.0).and_then(|r| r.get(&version.digest)).is_some_and(|r| r.0 == "READY"))
            .map(|w| w.address.clone())
            .collect();
    }
    if let Some(digest) = detail.deployed_digest.clone() {
        detail.workers = workers
            .iter()
            .map(|w| {
                let found = reported.get(&w.id.0).and_then(|r| r.get(&digest));
                WorkerDeployStatus {
                    worker_id: w.id,
                    address: w.address.clone(),
                    pool: w.app_id.is_none(),
                    state: found.map_or("NOT_REPORTED", |r| r.0.as_str()).to_string(),
                    message: found.map(|r| r.1.clone()).unwrap_or_default(),
                    updated_at: found.map(|r| r.2),
                }
            })
            .collect();
    }
    Ok(detail)
}
