//! The `worker` table: every server writes the workers connected to it, so
//! each server (and the API) sees the whole fleet.

use crate::db::{Database, DbText};
use crate::ids::{Id, IdGenerator};
use serde::Serialize;
use utoipa::ToSchema;
use wasmjob_wire::{Metrics, Register};

/// A worker as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkerInfo {
    /// Its id.
    #[schema(value_type = String)]
    pub id: Id,
    /// The app it serves; absent for a shared pool worker.
    #[schema(value_type = Option<String>)]
    pub app_id: Option<Id>,
    /// Its address.
    pub address: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Processor types it runs.
    pub processor_types: Vec<String>,
    /// Instances it may run at once.
    pub max_concurrent_tasks: u32,
    /// CPU cores.
    pub cpu_cores: f64,
    /// One-minute load average.
    pub load_average: f64,
    /// Memory in all, GB.
    pub memory_total_gb: f64,
    /// Memory available, GB.
    pub memory_available_gb: f64,
    /// Disk in all, GB.
    pub disk_total_gb: f64,
    /// Disk available, GB.
    pub disk_available_gb: f64,
    /// The worker program's version.
    pub version: String,
    /// Whether its link is open and it spoke within the worker timeout.
    pub alive: bool,
    /// When it registered (Unix ms).
    pub registered_at: i64,
    /// Its last heartbeat (Unix ms).
    pub last_heartbeat: i64,
}

/// Records a registration; returns the worker's row id (the same row when
/// the worker comes back).
pub async fn upsert(
    db: &Database,
    ids: &IdGenerator,
    (app, server_id): (Option<Id>, i64),
    register: &Register,
    now: i64,
) -> Result<Id, sqlx::Error> {
    let app_id = app.map(|a| a.0);
    let existing: Option<i64> = sqlx::query_scalar(
        &db.sql("SELECT id FROM worker WHERE address = ? AND (app_id = ? OR (app_id IS NULL AND ? IS NULL))"),
    )
    .bind(&register.address)
    .bind(app_id)
    .bind(app_id)
    .fetch_optional(db.pool())
    .await?;
    let tags = serde_json::to_string(&register.tags).unwrap_or_default();
    let capabilities = serde_json::to_string(&register.capabilities).unwrap_or_default();
    let metrics = serde_json::to_string(&register.metrics).unwrap_or_default();
    match existing {
        Some(id) => {
            sqlx::query(&db.sql(
                "UPDATE worker SET server_id = ?, tags = ?, capabilities = ?, metrics = ?, version = ?, connected = 1, \
                 registered_at = ?, last_heartbeat = ? WHERE id = ?",
            ))
            .bind(server_id)
            .bind(tags)
            .bind(capabilities)
            .bind(metrics)
            .bind(&register.version)
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(db.pool())
            .await?;
            Ok(Id(id))
        }
        None => {
            let id = ids.next();
            sqlx::query(&db.sql(
                "INSERT INTO worker (id, app_id, address, server_id, tags, capabilities, metrics, version, connected, \
                 registered_at, last_heartbeat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            ))
            .bind(id.0)
            .bind(app_id)
            .bind(&register.address)
            .bind(server_id)
            .bind(tags)
            .bind(capabilities)
            .bind(metrics)
            .bind(&register.version)
            .bind(now)
            .bind(now)
            .execute(db.pool())
            .await?;
            Ok(id)
        }
    }
}

/// Records a heartbeat.
pub async fn heartbeat(db: &Database, id: Id, metrics: &Metrics, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql("UPDATE worker SET metrics = ?, last_heartbeat = ?, connected = 1 WHERE id = ?"))
        .bind(serde_json::to_string(metrics).unwrap_or_default())
        .bind(now)
        .bind(id.0)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records that a worker's link closed.
pub async fn disconnected(db: &Database, id: Id, server_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql("UPDATE worker SET connected = 0 WHERE id = ? AND server_id = ?"))
        .bind(id.0)
        .bind(server_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Whether a live worker that may serve `app` is connected to another
/// server (then that server dispatches the app's instances).
pub async fn live_elsewhere(db: &Database, app: Id, server_id: i64, since: i64) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(&db.sql(
        "SELECT COUNT(*) FROM worker WHERE (app_id = ? OR app_id IS NULL) AND server_id <> ? AND connected = 1 \
         AND last_heartbeat >= ?",
    ))
    .bind(app.0)
    .bind(server_id)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(count > 0)
}

/// id, app_id, address, tags, capabilities, metrics, version, connected,
/// registered_at, last_heartbeat.
type WorkerRow = (i64, Option<i64>, String, DbText, DbText, DbText, String, i64, i64, i64);

/// The workers of an app (and the shared pool workers that serve it), or
/// every worker when `app` is `None`; `since` decides who is alive.
pub async fn list(db: &Database, app: Option<Id>, since: i64) -> Result<Vec<WorkerInfo>, sqlx::Error> {
    let app_id = app.map(|a| a.0);
    let rows: Vec<WorkerRow> = sqlx::query_as(&db.sql(
        "SELECT id, app_id, address, tags, capabilities, metrics, version, connected, registered_at, last_heartbeat \
             FROM worker WHERE (? IS NULL OR app_id = ? OR app_id IS NULL) ORDER BY address, id",
    ))
    .bind(app_id)
    .bind(app_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, app_id, address, tags, capabilities, metrics, version, connected, registered_at, last_heartbeat)| {
            let capabilities: wasmjob_wire::Capabilities = serde_json::from_str(&capabilities.0).unwrap_or_default();
            let m: Metrics = serde_json::from_str(&metrics.0).unwrap_or_default();
            WorkerInfo {
                id: Id(id),
                app_id: app_id.map(Id),
                address,
                tags: serde_json::from_str(&tags.0).unwrap_or_default(),
                processor_types: capabilities.processor_types,
                max_concurrent_tasks: capabilities.max_concurrent_tasks,
                cpu_cores: m.cpu_cores,
                load_average: m.load_average,
                memory_total_gb: m.memory_total_gb,
                memory_available_gb: m.memory_available_gb,
                disk_total_gb: m.disk_total_gb,
                disk_available_gb: m.disk_available_gb,
                version,
                alive: connected != 0 && last_heartbeat >= since,
                registered_at,
                last_heartbeat,
            }
        })
        .collect())
}
