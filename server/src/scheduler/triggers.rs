//! Timed triggers. Every enabled CRON, DAILY_TIME_INTERVAL, FIXED_RATE
//! and FIXED_DELAY job has its next trigger time in `job.next_trigger_time`.
//! This loop loads the slots due within the look-ahead into an in-memory
//! timer, sleeps until the earliest, and fires it: in one transaction it
//! moves the job's next trigger time on (only if it still holds that slot)
//! and inserts the slot's instance (unique per job and slot). Of several
//! servers, exactly one wins each slot; the others' updates find nothing.
//!
//! FIXED_RATE / FIXED_DELAY jobs fire once into a long-lived instance whose
//! worker runs the sub-runs; their next trigger time then holds `ARMED`
//! until that instance ends and [`rearm`] sets it to now.

use crate::db::Database;
use crate::ids::{Id, now_ms};
use crate::instances::model::{Instance, InstanceStatus, TriggerType};
use crate::jobs::model::{MisfirePolicy, TimeExpressionType, from_name};
use crate::state::AppState;
use std::collections::HashMap;
use std::time::Duration;
use wasmjob_schedule::Tz;
use wasmjob_schedule::{Lifecycle, Schedule};

/// The next trigger time of a FIXED_RATE / FIXED_DELAY job whose instance
/// is live.
pub const ARMED: i64 = i64::MAX;

/// Slots due within this window are loaded into the timer.
const LOOK_AHEAD_MS: i64 = 2000;

/// The database is read for new and changed jobs at least this often.
const RELOAD_EVERY: Duration = Duration::from_millis(1000);

/// What the loop needs of a job to fire it.
#[derive(Debug, Clone)]
struct Trigger {
    kind: TimeExpressionType,
    schedule: Option<Schedule>,
    tz: Tz,
    lifecycle: Lifecycle,
    misfire: MisfirePolicy,
    updated_at: i64,
}

/// The jobs due soon, and the parsed schedules of those jobs.
#[derive(Default)]
struct Timer {
    slots: super::due::Timers<Id>,
    triggers: HashMap<Id, Trigger>,
}

/// The trigger loop.
pub(super) async fn run(state: AppState) {
    let mut timer = Timer::default();
    let mut next_load = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_load {
            if let Err(e) = load(&state, &mut timer).await {
                tracing::error!(error = %e, "cannot load job triggers");
            }
            next_load = tokio::time::Instant::now() + RELOAD_EVERY;
        }
        let now = now_ms() as i64;
        let due = timer.slots.take_due(now);
        if !due.is_empty() {
            let fires = due.into_iter().filter_map(|(slot, job)| {
                let trigger = timer.triggers.get(&job)?.clone();
                let state = state.clone();
                Some(async move { (job, fire(&state, job, slot, &trigger).await) })
            });
            for (job, outcome) in futures_util::future::join_all(fires).await {
                match outcome {
                    Ok(Some(next)) if next - now_ms() as i64 <= LOOK_AHEAD_MS => timer.slots.set(job, next),
                    // Not due soon: forget the parsed schedule (a few KB
                    // each) until the job is due again.
                    Ok(_) => {
                        timer.triggers.remove(&job);
                    }
                    Err(e) => tracing::error!(job = job.0, error = %e, "cannot fire a trigger"),
                }
            }
            continue;
        }
        let wake = match timer.slots.next_at() {
            Some(slot) => {
                let wait = Duration::from_millis((slot - now_ms() as i64).max(0) as u64);
                next_load.min(tokio::time::Instant::now() + wait)
            }
            None => next_load,
        };
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = state.scheduler.jobs_changed.notified() => next_load = tokio::time::Instant::now(),
        }
    }
}

type TriggerRow = (i64, String, String, String, Option<i64>, Option<i64>, String, Option<i64>, i64);

/// Gives new and changed jobs their next trigger time and loads the slots
/// due soon.
async fn load(state: &AppState, timer: &mut Timer) -> Result<(), sqlx::Error> {
    let db = &state.db;
    let default_tz = server_time_zone(state);
    let now = now_ms() as i64;
    let fresh: Vec<TriggerRow> = sqlx::query_as(&db.sql(
        "SELECT id, time_expression_type, time_expression, time_zone, lifecycle_start, lifecycle_end, misfire_policy, \
         next_trigger_time, updated_at FROM job WHERE status = 'ENABLED' AND next_trigger_time IS NULL \
         AND time_expression_type IN ('CRON', 'DAILY_TIME_INTERVAL', 'FIXED_RATE', 'FIXED_DELAY') LIMIT 5000",
    ))
    .fetch_all(db.pool())
    .await?;
    for row in fresh {
        let id = Id(row.0);
        let trigger = trigger_of(&row, default_tz);
        let next = match trigger.kind {
            TimeExpressionType::FixedRate | TimeExpressionType::FixedDelay => {
                let start = trigger.lifecycle.start.unwrap_or(now).max(now);
                trigger.lifecycle.end.is_none_or(|end| start <= end).then_some(start)
            }
            _ => trigger
                .schedule
                .as_ref()
                .and_then(|s| wasmjob_schedule::next_fire(s, trigger.tz, trigger.lifecycle, now)),
        };
        match next {
            Some(next) => set_first_trigger(db, id, next).await?,
            None => disable_finished(db, id).await?,
        }
    }
    let due: Vec<TriggerRow> = sqlx::query_as(&db.sql(
        "SELECT id, time_expression_type, time_expression, time_zone, lifecycle_start, lifecycle_end, misfire_policy, \
         next_trigger_time, updated_at FROM job WHERE status = 'ENABLED' AND next_trigger_time <= ?",
    ))
    .bind(now + LOOK_AHEAD_MS)
    .fetch_all(db.pool())
    .await?;
    for row in due {
        let id = Id(row.0);
        let Some(slot) = row.7 else { continue };
        let stale = timer.triggers.get(&id).is_none_or(|t| t.updated_at != row.8);
        if stale {
            timer.triggers.insert(id, trigger_of(&row, default_tz));
        }
        if timer.slots.due_at(&id) != Some(slot) {
            timer.slots.set(id, slot);
        }
    }
    Ok(())
}

fn trigger_of(row: &TriggerRow, default_tz: Tz) -> Trigger {
    let kind = from_name::<TimeExpressionType>(&row.1).unwrap_or(TimeExpressionType::Api);
    let schedule = match kind {
        TimeExpressionType::Cron => wasmjob_schedule::CronSchedule::parse(&row.2).ok().map(Schedule::Cron),
        TimeExpressionType::DailyTimeInterval => {
            wasmjob_schedule::DailyTimeInterval::parse(&row.2).ok().map(Schedule::DailyTimeInterval)
        }
        _ => None,
    };
    let tz = wasmjob_schedule::parse_time_zone(&row.3).ok().flatten().unwrap_or(default_tz);
    Trigger {
        kind,
        schedule,
        tz,
        lifecycle: Lifecycle { start: row.4, end: row.5 },
        misfire: from_name(&row.6).unwrap_or_default(),
        updated_at: row.8,
    }
}

/// The server's time zone: the configured one, else the machine's.
pub fn server_time_zone(state: &AppState) -> Tz {
    wasmjob_schedule::parse_time_zone(&state.config.time_zone)
        .ok()
        .flatten()
        .unwrap_or_else(wasmjob_schedule::local_time_zone)
}

/// Fires `slot` of `job`; returns the job's next slot when it has one.
async fn fire(state: &AppState, job: Id, slot: i64, trigger: &Trigger) -> Result<Option<i64>, sqlx::Error> {
    let now = now_ms() as i64;
    let frequent = trigger.kind.is_frequent();
    let (fire_slot, next) = if frequent {
        // Past its lifecycle's end a FIXED_RATE job fires no more.
        if trigger.lifecycle.end.is_some_and(|end| now > end) { (None, None) } else { (Some(slot), Some(ARMED)) }
    } else {
        let policy = match trigger.misfire {
            MisfirePolicy::FireOnceNow => wasmjob_schedule::MisfirePolicy::FireOnceNow,
            MisfirePolicy::Skip => wasmjob_schedule::MisfirePolicy::Skip,
        };
        let decision = wasmjob_schedule::on_due(slot, now, state.config.misfire_threshold_ms as i64, policy);
        let next = trigger
            .schedule
            .as_ref()
            .and_then(|s| wasmjob_schedule::next_fire(s, trigger.tz, trigger.lifecycle, decision.next_after));
        (decision.fire, next)
    };
    let db = &state.db;
    // Read before the transaction: a transaction must never wait for a
    // second connection of the pool.
    let definition = match fire_slot {
        Some(_) => match crate::jobs::store::fetch(db, job).await? {
            Some(definition) => Some(definition),
            None => return Ok(None),
        },
        None => None,
    };
    // Choose the worker first, so the instance is born dispatched: the
    // trigger's slot, its instance and its coordinator in one commit.
    let plan = match &definition {
        Some(definition) => super::dispatch::plan(state, definition, "").await?.ok(),
        None => None,
    };
    let mut tx = db.begin().await?;
    let moved =
        match next {
            Some(next) => sqlx::query(&db.sql(
                "UPDATE job SET next_trigger_time = ? WHERE id = ? AND next_trigger_time = ? AND status = 'ENABLED'",
            ))
            .bind(next)
            .bind(job.0)
            .bind(slot)
            .execute(&mut *tx)
            .await?,
            None => sqlx::query(&db.sql(
                "UPDATE job SET next_trigger_time = NULL, status = 'DISABLED' WHERE id = ? AND next_trigger_time = ? \
                 AND status = 'ENABLED'",
            ))
            .bind(job.0)
            .bind(slot)
            .execute(&mut *tx)
            .await?,
        };
    if moved.rows_affected() == 0 {
        return Ok(None); // another server fired this slot, or the job changed
    }
    let mut created = None;
    if let (Some(fire_slot), Some(definition)) = (fire_slot, definition) {
        let instance = Instance {
            id: state.ids.next(),
            job_id: job,
            app_id: definition.app_id,
            status: match plan {
                Some(_) => InstanceStatus::WaitingWorkerReceive,
                None => InstanceStatus::WaitingDispatch,
            },
            trigger_type: TriggerType::Schedule,
            instance_params: String::new(),
            expected_trigger_time: fire_slot,
            actual_trigger_time: plan.as_ref().map(|_| now_ms() as i64),
            finished_time: None,
            result: String::new(),
            coordinator: plan.as_ref().map(|p| p.address().to_string()),
            running_times: 1,
            created_at: now,
            updated_at: now,
            container_version: plan.as_ref().and_then(|p| p.ran().0),
            container_digest: plan.as_ref().and_then(|p| p.ran().1),
            progress: Default::default(),
            workflow_appends: Default::default(),
        };
        match crate::instances::store::insert(db, &mut *tx, &instance, Some(fire_slot)).await {
            Ok(()) => created = Some((instance, definition)),
            // The slot's instance exists: another server fired it.
            Err(e) if crate::db::is_any_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    if let Some((instance, definition)) = created {
        if fire_slot != Some(slot) || now - slot > state.config.misfire_threshold_ms as i64 {
            let note = format!("fired late: the trigger of {} was missed", format_ms(slot));
            crate::instances::logs::append(db, instance.id, "WARN", &note).await?;
        }
        match plan {
            Some(plan) => super::dispatch::send(state, plan, &instance, &definition).await?,
            // No worker here: the dispatcher fails it with the reason, or
            // leaves it to the server that has the app's workers.
            None => state.scheduler.instance_due(instance.id, instance.expected_trigger_time),
        }
    }
    if next.is_none() {
        tracing::info!(job = job.0, "the job has no further trigger time and was disabled");
    }
    Ok(next.filter(|n| *n != ARMED))
}

async fn set_first_trigger(db: &Database, job: Id, next: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        &db.sql(
            "UPDATE job SET next_trigger_time = ? WHERE id = ? AND next_trigger_time IS NULL AND status = 'ENABLED'",
        ),
    )
    .bind(next)
    .bind(job.0)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// PowerJob disables a job that will never fire again.
async fn disable_finished(db: &Database, job: Id) -> Result<(), sqlx::Error> {
    sqlx::query(
        &db.sql("UPDATE job SET status = 'DISABLED' WHERE id = ? AND next_trigger_time IS NULL AND status = 'ENABLED'"),
    )
    .bind(job.0)
    .execute(db.pool())
    .await?;
    tracing::info!(job = job.0, "the job has no further trigger time and was disabled");
    Ok(())
}

/// Longest wait before the replacement of a failed FIXED_RATE /
/// FIXED_DELAY instance.
const FAILED_REARM_MAX_MS: u64 = 60_000;

/// A FIXED_RATE / FIXED_DELAY job's instance ended: fire a new one now
/// (if the job is still enabled).
pub async fn rearm(state: &AppState, job: Id) -> Result<(), sqlx::Error> {
    rearm_at(state, job, now_ms() as i64).await
}

/// A FIXED_RATE / FIXED_DELAY job's instance failed (no worker, a lost
/// worker, a failed run without retries left): fire a new one after the
/// job's interval (1 s to a minute), so that a job that cannot run fails
/// once per interval instead of in a tight loop of instances.
pub async fn rearm_after_failure(state: &AppState, job: &crate::jobs::model::Job) -> Result<(), sqlx::Error> {
    let interval = job.spec.time_expression.trim().parse::<u64>().unwrap_or(1000);
    let delay = interval.clamp(1000, FAILED_REARM_MAX_MS);
    rearm_at(state, job.id, (now_ms() + delay) as i64).await
}

async fn rearm_at(state: &AppState, job: Id, at: i64) -> Result<(), sqlx::Error> {
    let done = sqlx::query(
        &state
            .db
            .sql("UPDATE job SET next_trigger_time = ? WHERE id = ? AND next_trigger_time = ? AND status = 'ENABLED'"),
    )
    .bind(at)
    .bind(job.0)
    .bind(ARMED)
    .execute(state.db.pool())
    .await?;
    if done.rows_affected() > 0 {
        state.scheduler.jobs_changed();
    }
    Ok(())
}

fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.to_rfc3339())
}
