//! SQL for instances.

use super::model::{Instance, InstanceProgress, InstanceStatus, TriggerType};
use crate::db::{Database, DbText};
use crate::ids::Id;
use sqlx::Row;
use sqlx::any::AnyRow;
use wasmjob_vocab::Word;

macro_rules! columns {
    () => {
        "id, job_id, app_id, status, trigger_type, instance_params, expected_trigger_time, actual_trigger_time, \
         finished_time, result, coordinator, running_times, created_at, updated_at, container_version, \
         container_digest"
    };
}

/// The selected columns: the inserted ones and the coordinator's progress.
macro_rules! selected {
    () => {
        concat!(columns!(), ", progress, workflow_appends")
    };
}

/// Inserts a new instance (through `executor`: the pool or a
/// transaction). A scheduled instance names its trigger slot: the database
/// refuses a second instance of the same job and slot.
pub async fn insert<'e, E>(
    db: &Database,
    executor: E,
    i: &Instance,
    trigger_slot: Option<i64>,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = concat!(
        "INSERT INTO job_instance (",
        columns!(),
        ", trigger_slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let trigger = match i.trigger_type {
        TriggerType::Api => "API",
        TriggerType::Schedule => "SCHEDULE",
        TriggerType::Workflow => "WORKFLOW",
    };
    sqlx::query(&db.sql(sql))
        .bind(i.id.0)
        .bind(i.job_id.0)
        .bind(i.app_id.0)
        .bind(i.status.name())
        .bind(trigger)
        .bind(&i.instance_params)
        .bind(i.expected_trigger_time)
        .bind(i.actual_trigger_time)
        .bind(i.finished_time)
        .bind(&i.result)
        .bind(i.coordinator.clone())
        .bind(i.running_times)
        .bind(i.created_at)
        .bind(i.updated_at)
        .bind(i.container_version.clone())
        .bind(i.container_digest.clone())
        .bind(trigger_slot)
        .execute(executor)
        .await?;
    Ok(())
}

/// An instance.
pub async fn fetch(db: &Database, id: Id) -> Result<Option<Instance>, sqlx::Error> {
    let sql = concat!("SELECT ", selected!(), " FROM job_instance WHERE id = ?");
    let row = sqlx::query(&db.sql(sql)).bind(id.0).fetch_optional(db.pool()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Moves an instance to `to` if it is in one of `from` (atomically: of two
/// servers racing, one wins). Ending statuses stamp `finished_time` and the
/// result; going back to waiting (a retry) clears them and counts a run.
pub async fn transition(
    db: &Database,
    id: Id,
    from: &[InstanceStatus],
    to: InstanceStatus,
    result: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // The `from` set is bound as up to four names; unused slots repeat the first.
    let mut names = from.iter().map(|s| s.name()).collect::<Vec<_>>();
    while names.len() < 4 {
        names.push(names[0]);
    }
    let retry = to == InstanceStatus::WaitingDispatch;
    let sql = db.sql(if retry {
        "UPDATE job_instance SET status = ?, result = ?, finished_time = NULL, actual_trigger_time = NULL, \
         expected_trigger_time = ?, running_times = running_times + 1, updated_at = ? \
         WHERE id = ? AND status IN (?, ?, ?, ?)"
    } else {
        "UPDATE job_instance SET status = ?, result = ?, finished_time = ?, updated_at = ? \
         WHERE id = ? AND status IN (?, ?, ?, ?)"
    });
    let done = sqlx::query(&sql)
        .bind(to.name())
        .bind(result)
        .bind(now)
        .bind(now)
        .bind(id.0)
        .bind(names[0])
        .bind(names[1])
        .bind(names[2])
        .bind(names[3])
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Filters of an instance listing.
#[derive(Debug, Default)]
pub struct InstanceFilter {
    /// Instances of this job.
    pub job: Option<Id>,
    /// In one of these statuses (any status when empty).
    pub statuses: Vec<InstanceStatus>,
    /// Created at or after (Unix ms).
    pub from: Option<i64>,
    /// Created before (Unix ms).
    pub to: Option<i64>,
}

// `list_sql!` has one status placeholder per status.
const _: () = assert!(InstanceStatus::ALL.len() == 7);

macro_rules! list_sql {
    ($tail:literal; $($select:tt)+) => {
        concat!(
            $($select)+,
            " FROM job_instance WHERE app_id = ? AND (? IS NULL OR job_id = ?) AND (? = 0 OR status IN (?, ?, ?, ?, ?, ?, ?)) \
             AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)",
            $tail
        )
    };
}

/// One page of an app's instances, newest first (or oldest first), and
/// the number of matches.
pub async fn list(
    db: &Database,
    app: Id,
    filter: &InstanceFilter,
    newest_first: bool,
    (page, size): (u32, u32),
) -> Result<(Vec<Instance>, i64), sqlx::Error> {
    let sql = if newest_first {
        list_sql!(" ORDER BY id DESC LIMIT ? OFFSET ?"; "SELECT ", selected!())
    } else {
        list_sql!(" ORDER BY id ASC LIMIT ? OFFSET ?"; "SELECT ", selected!())
    };
    let job = filter.job.map(|j| j.0);
    // Seven placeholders, one per status there is: the chosen names, the
    // first repeated to fill the rest.
    let names: Vec<&str> = filter.statuses.iter().map(|s| s.name()).collect();
    let status = |i: usize| names.get(i).or(names.first()).copied().unwrap_or("");
    macro_rules! bind_filters {
        ($q:expr) => {
            $q.bind(app.0)
                .bind(job)
                .bind(job)
                .bind(names.len() as i64)
                .bind(status(0))
                .bind(status(1))
                .bind(status(2))
                .bind(status(3))
                .bind(status(4))
                .bind(status(5))
                .bind(status(6))
                .bind(filter.from)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.to)
        };
    }
    let rows = bind_filters!(sqlx::query(&db.sql(sql)))
        .bind(i64::from(size))
        .bind(i64::from(page) * i64::from(size))
        .fetch_all(db.pool())
        .await?;
    let total: i64 =
        bind_filters!(sqlx::query_scalar(&db.sql(list_sql!(""; "SELECT COUNT(*)")))).fetch_one(db.pool()).await?;
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

fn from_row(row: &AnyRow) -> Result<Instance, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let trigger: String = row.try_get("trigger_type")?;
    Ok(Instance {
        id: Id(row.try_get("id")?),
        job_id: Id(row.try_get("job_id")?),
        app_id: Id(row.try_get("app_id")?),
        status: InstanceStatus::from_name(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown instance status {status}").into()))?,
        trigger_type: match trigger.as_str() {
            "SCHEDULE" => TriggerType::Schedule,
            "WORKFLOW" => TriggerType::Workflow,
            _ => TriggerType::Api,
        },
        instance_params: row.try_get::<DbText, _>("instance_params")?.0,
        expected_trigger_time: row.try_get("expected_trigger_time")?,
        actual_trigger_time: row.try_get("actual_trigger_time")?,
        finished_time: row.try_get("finished_time")?,
        result: row.try_get::<DbText, _>("result")?.0,
        coordinator: row.try_get("coordinator")?,
        running_times: row.try_get("running_times")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        container_version: row.try_get("container_version")?,
        container_digest: row.try_get("container_digest")?,
        progress: row
            .try_get::<Option<DbText>, _>("progress")?
            .and_then(|text| serde_json::from_str(&text.0).ok())
            .unwrap_or_default(),
        workflow_appends: row
            .try_get::<Option<DbText>, _>("workflow_appends")?
            .and_then(|text| serde_json::from_str(&text.0).ok())
            .unwrap_or_default(),
    })
}

/// Records what the coordinator of attempt `attempt` reports of its tasks
/// and workers (reports of another attempt or worker change nothing).
pub async fn set_progress(
    db: &Database,
    id: Id,
    attempt: i64,
    coordinator: &str,
    progress: &InstanceProgress,
) -> Result<bool, sqlx::Error> {
    let text = serde_json::to_string(progress).unwrap_or_default();
    let done = sqlx::query(
        &db.sql("UPDATE job_instance SET progress = ? WHERE id = ? AND running_times = ? AND coordinator = ?"),
    )
    .bind(text)
    .bind(id.0)
    .bind(attempt)
    .bind(coordinator)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Hands a waiting instance to a worker: WAITING_DISPATCH →
/// WAITING_WORKER_RECEIVE with its coordinator. False when another server
/// (or a stop) got there first.
pub async fn claim(
    db: &Database,
    id: Id,
    coordinator: &str,
    (container_version, container_digest): (Option<String>, Option<String>),
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE job_instance SET status = 'WAITING_WORKER_RECEIVE', coordinator = ?, actual_trigger_time = ?, \
         container_version = ?, container_digest = ?, updated_at = ? WHERE id = ? AND status = 'WAITING_DISPATCH'",
    ))
    .bind(coordinator)
    .bind(now)
    .bind(container_version)
    .bind(container_digest)
    .bind(now)
    .bind(id.0)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The worker started attempt `attempt`: WAITING_WORKER_RECEIVE → RUNNING,
/// only for the instance's coordinator and current attempt.
pub async fn mark_running(
    db: &Database,
    id: Id,
    attempt: i64,
    coordinator: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE job_instance SET status = 'RUNNING', updated_at = ? \
         WHERE id = ? AND running_times = ? AND coordinator = ? AND status = 'WAITING_WORKER_RECEIVE'",
    ))
    .bind(now)
    .bind(id.0)
    .bind(attempt)
    .bind(coordinator)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends attempt `attempt` with `to` and `result`, only while it is with
/// its coordinator (WAITING_WORKER_RECEIVE or RUNNING) and only for the
/// coordinator's report of the current attempt: stale reports and reports
/// from another worker change nothing.
pub async fn finish(
    db: &Database,
    id: Id,
    attempt: i64,
    coordinator: &str,
    ending: &Ending<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    end_attempt(db, id, attempt, Some(coordinator), ending, now).await
}

/// How an attempt ends: its status and result, and what its coordinator
/// reported with them.
#[derive(Debug, Clone, Copy)]
pub struct Ending<'a> {
    /// The final status.
    pub status: InstanceStatus,
    /// The result message.
    pub result: &'a str,
    /// A distributed instance's last task counts and workers.
    pub progress: Option<&'a InstanceProgress>,
    /// Workflow context pairs the tasks appended (last write of a key wins).
    pub appends: &'a [(String, String)],
    /// A failure the job retries: instead of ending, the instance goes back
    /// to the queue for its next attempt, due at this time, in the same
    /// write (nobody sees it FAILED in between).
    pub retry_at: Option<i64>,
}

impl<'a> Ending<'a> {
    /// An ending with a status and result only.
    pub fn new(status: InstanceStatus, result: &'a str) -> Self {
        Self { status, result, progress: None, appends: &[], retry_at: None }
    }
}

/// Ends an unfinished instance, whoever holds it (the server's own
/// verdicts: no worker available, worker lost, time limit).
pub async fn fail_unfinished(
    db: &Database,
    id: Id,
    attempt: i64,
    ending: &Ending<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    end_attempt(db, id, attempt, None, ending, now).await
}

/// Ends attempt `attempt` if it is unfinished and, when `coordinator` is
/// given, held by it (a waiting instance has no coordinator, so a worker's
/// report never ends one); a final progress (JSON) is stored with it.
async fn end_attempt(
    db: &Database,
    id: Id,
    attempt: i64,
    coordinator: Option<&str>,
    ending: &Ending<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let progress = ending.progress.map(|p| serde_json::to_string(p).unwrap_or_default());
    let appends = (!ending.appends.is_empty()).then(|| {
        let map: std::collections::BTreeMap<&str, &str> =
            ending.appends.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        serde_json::to_string(&map).unwrap_or_default()
    });
    // `when` is the finish time of an ending, the due time of a retry.
    let (sql, status, when, progress) = match ending.retry_at {
        None => (
            "UPDATE job_instance SET status = ?, result = ?, progress = COALESCE(?, progress), \
             workflow_appends = COALESCE(?, workflow_appends), finished_time = ?, updated_at = ? \
             WHERE id = ? AND running_times = ? AND (? IS NULL OR coordinator = ?) \
             AND status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE', 'RUNNING')",
            ending.status,
            now,
            progress,
        ),
        // The next attempt, queued by the write that ends this one.
        Some(due) => (
            "UPDATE job_instance SET status = ?, result = ?, progress = ?, \
             workflow_appends = COALESCE(?, workflow_appends), expected_trigger_time = ?, updated_at = ?, \
             coordinator = NULL, actual_trigger_time = NULL, finished_time = NULL, \
             running_times = running_times + 1 \
             WHERE id = ? AND running_times = ? AND (? IS NULL OR coordinator = ?) \
             AND status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE', 'RUNNING')",
            InstanceStatus::WaitingDispatch,
            due,
            None,
        ),
    };
    let sql = db.sql(sql);
    let done = sqlx::query(&sql)
        .bind(status.name())
        .bind(ending.result)
        .bind(progress)
        .bind(appends)
        .bind(when)
        .bind(now)
        .bind(id.0)
        .bind(attempt)
        .bind(coordinator)
        .bind(coordinator)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Puts an instance its worker never acknowledged back in the queue (same
/// attempt).
pub async fn requeue(db: &Database, id: Id, attempt: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE job_instance SET status = 'WAITING_DISPATCH', coordinator = NULL, actual_trigger_time = NULL, \
         updated_at = ? WHERE id = ? AND running_times = ? AND status = 'WAITING_WORKER_RECEIVE'",
    ))
    .bind(now)
    .bind(id.0)
    .bind(attempt)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Instances in `status` (up to `limit`), oldest first: the sweeper's and
/// the dispatcher's scans.
pub async fn in_status(
    db: &Database,
    status: InstanceStatus,
    due_before: i64,
    limit: i64,
) -> Result<Vec<Instance>, sqlx::Error> {
    let sql = concat!(
        "SELECT ",
        selected!(),
        " FROM job_instance WHERE status = ? AND expected_trigger_time <= ? ORDER BY expected_trigger_time LIMIT ?"
    );
    let rows = sqlx::query(&db.sql(sql)).bind(status.name()).bind(due_before).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// How many instances of `job` are with workers or waiting for one.
pub async fn live_count(db: &Database, job: Id) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&db.sql(
        "SELECT COUNT(*) FROM job_instance WHERE job_id = ? \
         AND status IN ('WAITING_WORKER_RECEIVE', 'RUNNING')",
    ))
    .bind(job.0)
    .fetch_one(db.pool())
    .await
}
