//! FIXED_RATE and FIXED_DELAY instances (PowerJob's "frequent" jobs): one
//! long-lived instance on the worker that runs its processor again and
//! again as sub-runs 1, 2, 3, ..., reporting each (`SUB_RUN`), until it is
//! stopped (final `STOPPED`) or its `until` passes (final `SUCCEED`).
//!
//! - FIXED_RATE: the next sub-run starts `interval` after the previous one
//!   started, or as soon as it ends if it overran — never two at once.
//! - FIXED_DELAY: the next sub-run starts `interval` after the previous one
//!   ended.
//!
//! The dispatch's time limit applies to each sub-run: a sub-run past it is
//! stopped and reported failed, and the instance goes on.

use super::executor::InstanceRun;
use super::instances::final_status;
use super::now_ms;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmjob_runtime::TaskProcessor;
use wasmjob_wire::{ReportedStatus, RunSchedule, SubRunReport, WorkerMessage};

/// When the sub-run after one that started at `started_at` and ended at
/// `finished_at` (Unix ms) starts; `None` for a one-off schedule.
pub(crate) fn next_start(schedule: &RunSchedule, started_at: i64, finished_at: i64) -> Option<i64> {
    match *schedule {
        RunSchedule::Once => None,
        RunSchedule::FixedRate { interval_ms, .. } => {
            Some(started_at.saturating_add(millis(interval_ms)).max(finished_at))
        }
        RunSchedule::FixedDelay { interval_ms, .. } => Some(finished_at.saturating_add(millis(interval_ms))),
    }
}

/// Whether a sub-run due at `start` falls after the lifecycle's end.
pub(crate) fn lifecycle_over(until: Option<i64>, start: i64) -> bool {
    until.is_some_and(|until| start > until)
}

fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Runs the sub-runs of `run` until it is stopped or its lifecycle ends;
/// the final status.
pub(crate) async fn lifecycle(run: &InstanceRun, processor: &Arc<dyn TaskProcessor>) -> (ReportedStatus, String) {
    let schedule = run.dispatch.schedule;
    let (interval_ms, until) = match schedule {
        RunSchedule::FixedRate { interval_ms, until } | RunSchedule::FixedDelay { interval_ms, until } => {
            (interval_ms, until)
        }
        RunSchedule::Once => return (ReportedStatus::Failed, "not a FIXED_RATE or FIXED_DELAY instance".into()),
    };
    if interval_ms == 0 {
        return (ReportedStatus::Failed, "FIXED_RATE and FIXED_DELAY need an interval above 0 ms".into());
    }
    let mut done = 0u64;
    let mut next = now_ms();
    loop {
        if let Some(cause) = run.handle.cause() {
            return final_status(false, String::new(), Some(&cause));
        }
        if lifecycle_over(until, next) {
            return (ReportedStatus::Succeed, format!("lifecycle ended after {done} sub-runs"));
        }
        let wait = u64::try_from(next - now_ms()).unwrap_or_default();
        if wait > 0 {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(wait)) => {}
                () = run.handle.stopped() => continue,
            }
        }
        done += 1;
        let report = sub_run(run, processor, done).await;
        next = next_start(&schedule, report.started_at, report.finished_at).unwrap_or(i64::MAX);
        run.shared.reports.frame(WorkerMessage::SubRun(report));
    }
}

/// Sub-run `n`, with its own control and time limit.
async fn sub_run(run: &InstanceRun, processor: &Arc<dyn TaskProcessor>, n: u64) -> SubRunReport {
    let started_at = now_ms();
    let control = run.handle.next_control();
    let limit = run.dispatch.time_limit_ms;
    let timed_out = Arc::new(AtomicBool::new(false));
    let timer = (limit > 0).then(|| {
        let (control, timed_out) = (control.clone(), timed_out.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(limit)).await;
            timed_out.store(true, Ordering::Relaxed);
            control.stop();
        })
    });
    let outcome = run.once(processor, control, run.log.sub_run(n)).await;
    if let Some(timer) = timer {
        timer.abort();
    }
    let (success, result) = if timed_out.load(Ordering::Relaxed) && run.handle.cause().is_none() {
        (false, format!("the sub-run exceeded its time limit of {limit} ms"))
    } else {
        (outcome.success, outcome.msg)
    };
    SubRunReport {
        instance_id: run.dispatch.instance_id,
        attempt: run.dispatch.attempt,
        sub_instance_id: n,
        started_at,
        finished_at: now_ms(),
        success,
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rate_counts_from_starts_and_never_overlaps() {
        let rate = RunSchedule::FixedRate { interval_ms: 1000, until: None };
        assert_eq!(next_start(&rate, 10_000, 10_200), Some(11_000));
        // An overrun starts the next sub-run as soon as the last one ends.
        assert_eq!(next_start(&rate, 10_000, 12_500), Some(12_500));
    }

    #[test]
    fn fixed_delay_counts_from_ends() {
        let delay = RunSchedule::FixedDelay { interval_ms: 1000, until: Some(0) };
        assert_eq!(next_start(&delay, 10_000, 10_200), Some(11_200));
        assert_eq!(next_start(&delay, 10_000, 12_500), Some(13_500));
        assert_eq!(next_start(&RunSchedule::Once, 1, 2), None);
        let huge = RunSchedule::FixedDelay { interval_ms: u64::MAX, until: None };
        assert_eq!(next_start(&huge, 0, 5), Some(i64::MAX));
    }

    #[test]
    fn the_lifecycle_ends_after_until() {
        assert!(!lifecycle_over(None, i64::MAX));
        assert!(!lifecycle_over(Some(5_000), 5_000), "a start at `until` still runs");
        assert!(lifecycle_over(Some(5_000), 5_001));
    }
}
