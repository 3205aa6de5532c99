//! SQL for instances.

use super::model::{Instance, InstanceStatus, TriggerType};
use crate::db::{Database, DbText};
use crate::ids::Id;
use sqlx::Row;
use sqlx::any::AnyRow;

macro_rules! columns {
    () => {
        "id, job_id, app_id, status, trigger_type, instance_params, expected_trigger_time, actual_trigger_time, \
         finished_time, result, coordinator, running_times, created_at, updated_at"
    };
}

/// Inserts a new instance.
pub async fn insert(db: &Database, i: &Instance) -> Result<(), sqlx::Error> {
    let sql = concat!("INSERT INTO job_instance (", columns!(), ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
        .execute(db.pool())
        .await?;
    Ok(())
}

/// An instance.
pub async fn fetch(db: &Database, id: Id) -> Result<Option<Instance>, sqlx::Error> {
    let sql = concat!("SELECT ", columns!(), " FROM job_instance WHERE id = ?");
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
    /// In this status.
    pub status: Option<InstanceStatus>,
    /// Created at or after (Unix ms).
    pub from: Option<i64>,
    /// Created before (Unix ms).
    pub to: Option<i64>,
}

macro_rules! list_sql {
    ($tail:literal; $($select:tt)+) => {
        concat!(
            $($select)+,
            " FROM job_instance WHERE app_id = ? AND (? IS NULL OR job_id = ?) AND (? IS NULL OR status = ?) \
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
        list_sql!(" ORDER BY id DESC LIMIT ? OFFSET ?"; "SELECT ", columns!())
    } else {
        list_sql!(" ORDER BY id ASC LIMIT ? OFFSET ?"; "SELECT ", columns!())
    };
    let job = filter.job.map(|j| j.0);
    let status = filter.status.map(|s| s.name());
    macro_rules! bind_filters {
        ($q:expr) => {
            $q.bind(app.0)
                .bind(job)
                .bind(job)
                .bind(status)
                .bind(status)
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
    })
}
