//! The online log of an instance: lines appended by the server (and, with
//! the scheduler, by workers), read a page at a time or followed.

use crate::api::params::InstanceIdPath;
use crate::auth::Principal;
use crate::db::{Database, DbText};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ids::{Id, now_ms};
use crate::json::IdPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wasmjob_vocab::{LogLevel, Word};

/// One line of an instance's log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Position in the log; pass the last one as `after` to read on.
    pub seq: i64,
    /// When it was logged, Unix milliseconds.
    pub time: i64,
    /// DEBUG, INFO, WARN or ERROR.
    pub level: String,
    /// The task that logged it (`0` for the root; empty for the server).
    pub task_id: String,
    /// `server`, `guest`, `stdout`, `stderr` or `host`.
    pub source: String,
    /// The text.
    pub message: String,
}

/// A page of log lines.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    /// The lines, oldest first.
    pub lines: Vec<LogLine>,
    /// Pass as `after` to get the lines that follow.
    pub next: i64,
}

/// Appends a server-side line to an instance's log.
pub async fn append(db: &Database, instance: Id, level: &str, message: &str) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql(
        "INSERT INTO instance_log (instance_id, logged_at, level, task_id, source, message) VALUES (?, ?, ?, '', 'server', ?)",
    ))
    .bind(instance.0)
    .bind(now_ms() as i64)
    .bind(level)
    .bind(message)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Which lines to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Lines after this position (default: from the start).
    after: Option<i64>,
    /// At most this many lines, 1 to 5000 (default 500).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<u32>,
    /// Wait up to this many milliseconds (at most 30000) for new lines
    /// when there are none yet: the tail/follow form.
    #[param(minimum = 0, maximum = 30000)]
    wait_ms: Option<u64>,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(instance_logs))
}

async fn read(db: &Database, instance: Id, after: i64, limit: u32) -> Result<Vec<LogLine>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, String, DbText)> = sqlx::query_as(&db.sql(
        "SELECT seq, logged_at, level, task_id, source, message FROM instance_log \
         WHERE instance_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ))
    .bind(instance.0)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, time, level, task_id, source, message)| LogLine {
            seq,
            time,
            level,
            task_id,
            source,
            message: message.0,
        })
        .collect())
}

/// Reads an instance's log a page at a time; with `waitMs`, waits for
/// new lines (tail -f).
#[utoipa::path(get, path = "/instances/{id}/logs", tag = "instances",
    params(InstanceIdPath, LogQuery),
    responses((status = 200, body = LogPage),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn instance_logs(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<LogPage>> {
    let instance = super::store::fetch(&state.db, id).await?.ok_or(ApiError::NotFound("instance"))?;
    principal.require_app(instance.app_id)?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 5000"));
    }
    let wait = q.wait_ms.unwrap_or(0);
    if wait > 30_000 {
        return Err(ApiError::field("waitMs", "at most 30000"));
    }
    let after = q.after.unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait);
    loop {
        let lines = read(&state.db, id, after, limit).await?;
        if !lines.is_empty() || tokio::time::Instant::now() >= deadline {
            let next = lines.last().map_or(after, |l| l.seq);
            return Ok(Json(LogPage { lines, next }));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Rows per multi-row insert of worker log lines.
const LINES_PER_INSERT: usize = 50;

/// `INSERT ... VALUES (...), (...)` for `rows` rows: built once from a
/// fixed template, never from input.
fn multi_row_insert(rows: usize) -> String {
    let mut sql =
        String::from("INSERT INTO instance_log (instance_id, logged_at, level, task_id, source, message) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str("(?, ?, ?, ?, ?, ?)");
    }
    sql
}

/// The insert statements for 1 to `LINES_PER_INSERT` rows (index = rows - 1).
static INSERTS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| (1..=LINES_PER_INSERT).map(multi_row_insert).collect());

/// Longest stored log message, in bytes.
const MAX_MESSAGE: usize = 16 << 10;

/// Appends lines shipped by a worker, in order: one statement per
/// `LINES_PER_INSERT` lines, in one transaction when there are several.
pub async fn append_lines(db: &Database, lines: &[wasmjob_wire::LogLine]) -> Result<(), sqlx::Error> {
    let statement = |chunk: &[wasmjob_wire::LogLine]| db.sql(INSERTS[chunk.len() - 1].as_str());
    match lines.len() {
        0 => Ok(()),
        n if n <= LINES_PER_INSERT => {
            let sql = statement(lines);
            lines.iter().fold(sqlx::query(&sql), bind_line).execute(db.pool()).await.map(|_| ())
        }
        _ => {
            let mut tx = db.begin().await?;
            for chunk in lines.chunks(LINES_PER_INSERT) {
                let sql = statement(chunk);
                chunk.iter().fold(sqlx::query(&sql), bind_line).execute(&mut *tx).await?;
            }
            tx.commit().await
        }
    }
}

fn bind_line<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    line: &'q wasmjob_wire::LogLine,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    // `OFF` is a threshold, never a line's level.
    let level = if line.level == LogLevel::Off { LogLevel::Info.name() } else { line.level.name() };
    let source = match line.source.as_str() {
        "guest" | "stdout" | "stderr" | "host" => line.source.as_str(),
        _ => "host",
    };
    query
        .bind(line.instance_id)
        .bind(line.time)
        .bind(level)
        .bind(clip(&line.task_id, 255))
        .bind(source)
        .bind(clip(&line.message, MAX_MESSAGE))
}

/// `text` cut to at most `max` bytes on a character boundary.
fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Deletes log lines older than `before` (Unix ms); returns how many.
pub async fn delete_before(db: &Database, before: i64) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query(&db.sql("DELETE FROM instance_log WHERE logged_at < ?")).bind(before).execute(db.pool()).await?;
    Ok(done.rows_affected())
}
