//! The scheduler: it turns schedules into instances and instances into
//! work on workers.
//!
//! - `triggers`: CRON and DAILY_TIME_INTERVAL jobs fire at their times,
//!   FIXED_RATE / FIXED_DELAY jobs keep one live instance. Each job's next
//!   trigger time lives in the database; firing a slot advances it and
//!   inserts the slot's instance in one transaction, and a unique key on
//!   (job, slot) makes a second instance of a slot impossible, whatever the
//!   number of servers.
//! - `dispatch`: a waiting instance goes to a worker chosen by the job's
//!   rules, at its due time (delayed runs and retries wait in `due`).
//! - `reports`: what workers report, applied only from an instance's
//!   coordinator and current attempt; failures are retried with the job's
//!   interval and backoff.
//! - `sweeper`: lost workers, instances never received, time limits,
//!   disabled FIXED_RATE jobs, log retention.

pub mod dispatch;
mod due;
pub mod reports;
mod sweeper;
pub mod triggers;

use crate::ids::Id;
use crate::state::AppState;
use due::DueQueue;
use tokio::sync::Notify;

/// The scheduler's handle, shared through the state.
#[derive(Debug, Default)]
pub struct Scheduler {
    due: DueQueue,
    resolved: dispatch::ResolvedContainers,
    jobs_changed: Notify,
    poll: Notify,
    sweep: Notify,
}

impl Scheduler {
    /// Dispatches `instance` at `at` (Unix ms; now or in the past: at once).
    pub fn instance_due(&self, instance: Id, at: i64) {
        self.due.push(instance, at);
    }

    /// A job was created, changed, enabled or disabled: reload triggers now.
    pub fn jobs_changed(&self) {
        self.jobs_changed.notify_one();
    }

    /// Look for waiting instances in the database now (a worker arrived).
    pub fn poll_soon(&self) {
        self.poll.notify_one();
    }

    /// Check workers and running instances now (a worker left).
    pub fn sweep_soon(&self) {
        self.sweep.notify_one();
    }

    /// A container's deployed version changed or versions were deleted:
    /// resolve `container[@version]` afresh at the next dispatch.
    pub fn containers_changed(&self) {
        self.resolved.clear();
    }
}

/// A job's definition or status changed: the live instance of a
/// FIXED_RATE / FIXED_DELAY job stops (a new one starts from the new
/// definition if the job is enabled), and triggers are reloaded.
pub async fn job_changed(state: &AppState, job: Id) -> Result<(), sqlx::Error> {
    let live: Vec<(i64,)> = sqlx::query_as(&state.db.sql(
        "SELECT i.id FROM job_instance i JOIN job j ON j.id = i.job_id WHERE i.job_id = ? \
         AND i.status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE', 'RUNNING') \
         AND j.time_expression_type IN ('FIXED_RATE', 'FIXED_DELAY')",
    ))
    .bind(job.0)
    .fetch_all(state.db.pool())
    .await?;
    let ids: Vec<i64> = live.into_iter().map(|(id,)| id).collect();
    reports::stop_instances(state, &ids, "stopped: the job was changed or disabled").await?;
    state.scheduler.jobs_changed();
    Ok(())
}

/// Starts the scheduler's loops; they run until the runtime ends.
pub fn spawn(state: AppState) {
    tokio::spawn(dispatch::run(state.clone()));
    tokio::spawn(triggers::run(state.clone()));
    tokio::spawn(sweeper::run(state));
}
