//! SQL for jobs: one static statement per operation (sort orders are a
//! closed set of statements, filters bind NULL when unused).

use super::model::{Job, JobSpec, from_name, name_of};
use crate::db::{Database, DbText};
use crate::ids::Id;
use sqlx::Row;
use sqlx::any::AnyRow;
use wasmjob_vocab::Word;

/// A job's stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Scheduled.
    Enabled,
    /// Kept, not scheduled.
    Disabled,
    /// Soft-deleted: invisible to the API, kept for its instances' history.
    Deleted,
}

impl JobStatus {
    fn name(self) -> &'static str {
        match self {
            JobStatus::Enabled => "ENABLED",
            JobStatus::Disabled => "DISABLED",
            JobStatus::Deleted => "DELETED",
        }
    }
}

macro_rules! job_columns {
    () => {
        "id, app_id, name, description, job_params, tag, extra, status, time_expression_type, time_expression, \
         time_zone, lifecycle_start, lifecycle_end, execute_type, processor_type, processor_info, max_instance_num, \
         concurrency, instance_time_limit, instance_retry_num, task_retry_num, min_cpu_cores, min_memory_space, \
         min_disk_space, designated_workers, max_worker_count, dispatch_strategy, dispatch_strategy_config, \
         alarm_config, log_config, instance_retry_interval, instance_retry_backoff, misfire_policy, \
         task_tracker_behavior, skip_reduce_on_failure, created_at, updated_at"
    };
}

/// Binds a definition's columns, in the order `job_columns!` and the
/// UPDATE statement list them (name … log_config).
macro_rules! bind_spec {
    ($query:expr, $s:expr) => {{
        let s: &JobSpec = $s;
        let status = if s.enabled { JobStatus::Enabled } else { JobStatus::Disabled };
        $query
            .bind(s.name.clone())
            .bind(s.description.clone())
            .bind(s.job_params.clone())
            .bind(s.tag.clone())
            .bind(s.extra.clone())
            .bind(status.name())
            .bind(s.time_expression_type.name())
            .bind(s.time_expression.trim().to_string())
            .bind(s.time_zone.clone())
            .bind(s.lifecycle.start)
            .bind(s.lifecycle.end)
            .bind(s.execute_type.name())
            .bind(s.processor_type.name())
            .bind(s.processor_info.clone())
            .bind(i64::from(s.max_instance_num))
            .bind(i64::from(s.concurrency))
            .bind(s.instance_time_limit as i64)
            .bind(i64::from(s.instance_retry_num))
            .bind(i64::from(s.task_retry_num))
            .bind(s.min_cpu_cores)
            .bind(s.min_memory_space)
            .bind(s.min_disk_space)
            .bind(json(&s.designated_workers))
            .bind(i64::from(s.max_worker_count))
            .bind(name_of(&s.dispatch_strategy))
            .bind(s.dispatch_strategy_config.clone())
            .bind(json(&s.alarm_config))
            .bind(json(&s.log_config))
            .bind(s.instance_retry_interval.min(i64::MAX as u64) as i64)
            .bind(s.instance_retry_backoff)
            .bind(name_of(&s.misfire_policy))
            .bind(name_of(&s.task_tracker_behavior))
            .bind(i64::from(s.skip_reduce_on_failure))
    }};
}

/// Inserts a new job (through `executor`: the pool or a transaction).
pub async fn insert<'e, E>(db: &Database, executor: E, job: &Job) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = concat!(
        "INSERT INTO job (",
        job_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let sql = db.sql(sql);
    let query = sqlx::query(&sql).bind(job.id.0).bind(job.app_id.0);
    bind_spec!(query, &job.spec).bind(job.created_at).bind(job.updated_at).execute(executor).await?;
    Ok(())
}

/// Replaces a job's definition; false when there is no such (live) job.
pub async fn update(db: &Database, id: Id, s: &JobSpec, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE job SET name = ?, description = ?, job_params = ?, tag = ?, extra = ?, status = ?, \
               time_expression_type = ?, time_expression = ?, time_zone = ?, lifecycle_start = ?, lifecycle_end = ?, \
               execute_type = ?, processor_type = ?, processor_info = ?, max_instance_num = ?, concurrency = ?, \
               instance_time_limit = ?, instance_retry_num = ?, task_retry_num = ?, min_cpu_cores = ?, \
               min_memory_space = ?, min_disk_space = ?, designated_workers = ?, max_worker_count = ?, \
               dispatch_strategy = ?, dispatch_strategy_config = ?, alarm_config = ?, log_config = ?, \
               instance_retry_interval = ?, instance_retry_backoff = ?, misfire_policy = ?, \
               task_tracker_behavior = ?, skip_reduce_on_failure = ?, updated_at = ?, \
               next_trigger_time = NULL WHERE id = ? AND status <> 'DELETED'";
    let sql = db.sql(sql);
    let done = bind_spec!(sqlx::query(&sql), s).bind(now).bind(id.0).execute(db.pool()).await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a live job's status; false when there is no such job.
pub async fn set_status(db: &Database, id: Id, status: JobStatus, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE job SET status = ?, updated_at = ?, next_trigger_time = NULL WHERE id = ? AND status <> 'DELETED'",
    ))
    .bind(status.name())
    .bind(now)
    .bind(id.0)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A live job.
pub async fn fetch(db: &Database, id: Id) -> Result<Option<Job>, sqlx::Error> {
    let sql = concat!("SELECT ", job_columns!(), " FROM job WHERE id = ? AND status <> 'DELETED'");
    let row = sqlx::query(&db.sql(sql)).bind(id.0).fetch_optional(db.pool()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Filters of a job listing; `None` matches everything.
#[derive(Debug, Default)]
pub struct JobFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub status: Option<&'static str>,
    /// Exact tag.
    pub tag: Option<String>,
    /// Time expression type name.
    pub time_expression_type: Option<String>,
    /// Execute type name.
    pub execute_type: Option<String>,
    /// Processor type name.
    pub processor_type: Option<String>,
}

/// How listings are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOrder {
    /// Oldest first.
    Created,
    /// Newest first.
    CreatedDesc,
    /// By name, ignoring case.
    Name,
    /// By name, ignoring case, descending.
    NameDesc,
    /// Least recently changed first.
    Updated,
    /// Most recently changed first.
    UpdatedDesc,
}

macro_rules! list_sql {
    ($order:literal) => {
        concat!(
            "SELECT ",
            job_columns!(),
            " FROM job WHERE app_id = ? AND status <> 'DELETED' \
             AND (? IS NULL OR LOWER(name) LIKE ? ESCAPE '!') AND (? IS NULL OR status = ?) \
             AND (? IS NULL OR tag = ?) AND (? IS NULL OR time_expression_type = ?) \
             AND (? IS NULL OR execute_type = ?) AND (? IS NULL OR processor_type = ?) ORDER BY ",
            $order,
            " LIMIT ? OFFSET ?"
        )
    };
}

const COUNT_SQL: &str = "SELECT COUNT(*) FROM job WHERE app_id = ? AND status <> 'DELETED' \
     AND (? IS NULL OR LOWER(name) LIKE ? ESCAPE '!') AND (? IS NULL OR status = ?) \
     AND (? IS NULL OR tag = ?) AND (? IS NULL OR time_expression_type = ?) \
     AND (? IS NULL OR execute_type = ?) AND (? IS NULL OR processor_type = ?)";

/// One page of an app's jobs and the number of matches.
pub async fn list(
    db: &Database,
    app: Id,
    filter: &JobFilter,
    order: JobOrder,
    (page, size): (u32, u32),
) -> Result<(Vec<Job>, i64), sqlx::Error> {
    let sql = match order {
        JobOrder::Created => list_sql!("id ASC"),
        JobOrder::CreatedDesc => list_sql!("id DESC"),
        JobOrder::Name => list_sql!("LOWER(name) ASC, id ASC"),
        JobOrder::NameDesc => list_sql!("LOWER(name) DESC, id DESC"),
        JobOrder::Updated => list_sql!("updated_at ASC, id ASC"),
        JobOrder::UpdatedDesc => list_sql!("updated_at DESC, id DESC"),
    };
    let pattern = filter.name.as_ref().map(|n| format!("%{}%", escape_like(&n.to_lowercase())));
    macro_rules! bind_filters {
        ($query:expr) => {
            $query
                .bind(app.0)
                .bind(pattern.clone())
                .bind(pattern.clone())
                .bind(filter.status)
                .bind(filter.status)
                .bind(filter.tag.clone())
                .bind(filter.tag.clone())
                .bind(filter.time_expression_type.clone())
                .bind(filter.time_expression_type.clone())
                .bind(filter.execute_type.clone())
                .bind(filter.execute_type.clone())
                .bind(filter.processor_type.clone())
                .bind(filter.processor_type.clone())
        };
    }
    let rows = bind_filters!(sqlx::query(&db.sql(sql)))
        .bind(i64::from(size))
        .bind(i64::from(page) * i64::from(size))
        .fetch_all(db.pool())
        .await?;
    let total: i64 = bind_filters!(sqlx::query_scalar(&db.sql(COUNT_SQL))).fetch_one(db.pool()).await?;
    let jobs = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    Ok((jobs, total))
}

fn escape_like(text: &str) -> String {
    text.replace('!', "!!").replace('%', "!%").replace('_', "!_")
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn decode_err(column: &str, what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("column {column}: {what}").into())
}

fn named<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    from_name(&text).ok_or_else(|| decode_err(column, "unknown name"))
}

fn parsed<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: DbText = row.try_get(column)?;
    serde_json::from_str(&text.0).map_err(|e| decode_err(column, &e.to_string()))
}

fn text(row: &AnyRow, column: &str) -> Result<String, sqlx::Error> {
    Ok(row.try_get::<DbText, _>(column)?.0)
}

fn small(row: &AnyRow, column: &str) -> Result<u32, sqlx::Error> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|_| decode_err(column, "out of range"))
}

fn from_row(row: &AnyRow) -> Result<Job, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let spec = JobSpec {
        name: row.try_get("name")?,
        description: text(row, "description")?,
        job_params: text(row, "job_params")?,
        tag: row.try_get("tag")?,
        extra: text(row, "extra")?,
        enabled: status == "ENABLED",
        time_expression_type: named(row, "time_expression_type")?,
        time_expression: row.try_get("time_expression")?,
        time_zone: row.try_get("time_zone")?,
        lifecycle: super::model::Lifecycle {
            start: row.try_get("lifecycle_start")?,
            end: row.try_get("lifecycle_end")?,
        },
        execute_type: named(row, "execute_type")?,
        processor_type: named(row, "processor_type")?,
        processor_info: row.try_get("processor_info")?,
        max_instance_num: small(row, "max_instance_num")?,
        concurrency: small(row, "concurrency")?,
        instance_time_limit: row.try_get::<i64, _>("instance_time_limit")?.max(0) as u64,
        instance_retry_num: small(row, "instance_retry_num")?,
        task_retry_num: small(row, "task_retry_num")?,
        min_cpu_cores: row.try_get("min_cpu_cores")?,
        min_memory_space: row.try_get("min_memory_space")?,
        min_disk_space: row.try_get("min_disk_space")?,
        designated_workers: parsed(row, "designated_workers")?,
        max_worker_count: small(row, "max_worker_count")?,
        dispatch_strategy: named(row, "dispatch_strategy")?,
        dispatch_strategy_config: text(row, "dispatch_strategy_config")?,
        alarm_config: parsed(row, "alarm_config")?,
        log_config: parsed(row, "log_config")?,
        instance_retry_interval: row.try_get::<i64, _>("instance_retry_interval")?.max(0) as u64,
        instance_retry_backoff: row.try_get("instance_retry_backoff")?,
        misfire_policy: named(row, "misfire_policy")?,
        task_tracker_behavior: named(row, "task_tracker_behavior")?,
        skip_reduce_on_failure: row.try_get::<i64, _>("skip_reduce_on_failure")? != 0,
    };
    Ok(Job {
        id: Id(row.try_get("id")?),
        app_id: Id(row.try_get("app_id")?),
        spec,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
