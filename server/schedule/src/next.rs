//! A job's schedule of either kind, and its fire times clipped to the job's lifecycle.

use chrono_tz::Tz;

use crate::cron::CronSchedule;
use crate::daily::DailyTimeInterval;

/// A job's time expression: what PowerJob calls the timing strategy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// A Quartz CRON expression.
    Cron(CronSchedule),
    /// A DAILY_TIME_INTERVAL expression.
    DailyTimeInterval(DailyTimeInterval),
}

impl Schedule {
    /// The next fire time strictly after `after_ms`, reading the calendar in `tz`.
    pub fn next_after(&self, after_ms: i64, tz: Tz) -> Option<i64> {
        match self {
            Schedule::Cron(cron) => cron.next_after(after_ms, tz),
            Schedule::DailyTimeInterval(daily) => daily.next_after(after_ms, tz),
        }
    }
}

impl From<CronSchedule> for Schedule {
    fn from(cron: CronSchedule) -> Self {
        Schedule::Cron(cron)
    }
}

impl From<DailyTimeInterval> for Schedule {
    fn from(daily: DailyTimeInterval) -> Self {
        Schedule::DailyTimeInterval(daily)
    }
}

/// When a job may fire (either end open), inclusive start, inclusive end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The earliest instant a fire may have, epoch milliseconds.
    pub start: Option<i64>,
    /// The latest instant a fire may have, epoch milliseconds.
    pub end: Option<i64>,
}

/// The next fire strictly after `after_ms`, not before `lifecycle.start`; `None` when it would
/// fall after `lifecycle.end` or the schedule never fires again.
pub fn next_fire(schedule: &Schedule, tz: Tz, lifecycle: Lifecycle, after_ms: i64) -> Option<i64> {
    if lifecycle.end.is_some_and(|end| after_ms >= end) {
        return None;
    }
    // Searching strictly after `start - 1` lets a fire land exactly on `start`.
    let from = match lifecycle.start {
        Some(start) => after_ms.max(start.saturating_sub(1)),
        None => after_ms,
    };
    let fire = schedule.next_after(from, tz)?;
    lifecycle.end.is_none_or(|end| fire <= end).then_some(fire)
}

/// The next `n` fire times after `after_ms`, in order (the console's "next 5 fire times").
///
/// Fewer than `n` come back when the schedule or the lifecycle ends first.
pub fn next_fires(schedule: &Schedule, tz: Tz, lifecycle: Lifecycle, after_ms: i64, n: usize) -> Vec<i64> {
    let mut fires = Vec::with_capacity(n.min(64));
    let mut after = after_ms;
    while fires.len() < n {
        let Some(fire) = next_fire(schedule, tz, lifecycle, after) else { break };
        fires.push(fire);
        after = fire;
    }
    fires
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, utc};

    fn every_hour() -> Schedule {
        Schedule::Cron(CronSchedule::parse("0 0 * * * ?").unwrap())
    }

    #[test]
    fn before_start_the_first_fire_is_at_or_after_start() {
        let lifecycle = Lifecycle { start: Some(utc("2026-05-01T10:00:00Z")), end: None };
        let from = utc("2026-01-01T00:00:00Z");
        assert_eq!(next_fire(&every_hour(), Tz::UTC, lifecycle, from), Some(utc("2026-05-01T10:00:00Z")));
        let lifecycle = Lifecycle { start: Some(utc("2026-05-01T10:00:00.001Z")), end: None };
        assert_eq!(next_fire(&every_hour(), Tz::UTC, lifecycle, from), Some(utc("2026-05-01T11:00:00Z")));
    }

    #[test]
    fn past_end_there_is_no_fire() {
        let lifecycle = Lifecycle { start: None, end: Some(utc("2026-05-01T10:00:00Z")) };
        assert_eq!(
            next_fire(&every_hour(), Tz::UTC, lifecycle, utc("2026-05-01T09:30:00Z")),
            Some(utc("2026-05-01T10:00:00Z"))
        );
        assert_eq!(next_fire(&every_hour(), Tz::UTC, lifecycle, utc("2026-05-01T10:00:00Z")), None);
        assert_eq!(next_fire(&every_hour(), Tz::UTC, lifecycle, utc("2027-01-01T00:00:00Z")), None);
        let lifecycle = Lifecycle { start: None, end: Some(utc("2026-05-01T10:59:59Z")) };
        assert_eq!(next_fire(&every_hour(), Tz::UTC, lifecycle, utc("2026-05-01T10:00:00Z")), None);
    }

    #[test]
    fn an_open_lifecycle_does_not_clip() {
        let from = utc("2026-05-01T10:20:00Z");
        assert_eq!(next_fire(&every_hour(), Tz::UTC, Lifecycle::default(), from), Some(utc("2026-05-01T11:00:00Z")));
    }

    #[test]
    fn next_five_fires_stop_at_the_end_of_the_lifecycle() {
        let tz = Tz::Asia__Shanghai;
        let schedule = Schedule::Cron(CronSchedule::parse("0 0 9 * * ?").unwrap());
        let from = at(tz, "2026-05-01 10:00:00");
        let all = next_fires(&schedule, tz, Lifecycle::default(), from, 5);
        let days = ["02", "03", "04", "05", "06"].map(|day| at(tz, &format!("2026-05-{day} 09:00:00")));
        assert_eq!(all, days);
        let lifecycle = Lifecycle { start: None, end: Some(days[2]) };
        assert_eq!(next_fires(&schedule, tz, lifecycle, from, 5), days[..3]);
        assert!(next_fires(&schedule, tz, lifecycle, from, 0).is_empty());
    }

    #[test]
    fn daily_time_intervals_are_clipped_too() {
        let json = r#"{"interval":1,"intervalUnit":"HOURS","startTimeOfDay":"09:00:00","endTimeOfDay":"11:00:00"}"#;
        let schedule = Schedule::DailyTimeInterval(DailyTimeInterval::parse(json).unwrap());
        let lifecycle = Lifecycle { start: Some(utc("2026-05-01T09:30:00Z")), end: Some(utc("2026-05-02T09:00:00Z")) };
        let fires = next_fires(&schedule, Tz::UTC, lifecycle, 0, 10);
        assert_eq!(fires, ["2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z", "2026-05-02T09:00:00Z"].map(utc));
    }
}
