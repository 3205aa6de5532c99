//! PowerJob's DAILY_TIME_INTERVAL schedule: every interval within a window of
//! the day, on chosen days of the week.

#[cfg(test)]
mod tests;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Result, ScheduleError};
use crate::tz::{next_transition, offset_ms};

const DAY_MS: i64 = 86_400_000;
/// More offset changes than any zone makes in the week a search spans.
const MAX_OFFSET_CHANGES: usize = 16;

/// PowerJob's DAILY_TIME_INTERVAL expression.
///
/// Written as JSON, e.g. `{"interval":10,"intervalUnit":"MINUTES","startTimeOfDay":"09:00:00",
/// "endTimeOfDay":"18:00:00","daysOfWeek":[1,2,3,4,5]}`:
///
/// - `interval` (required, at least 1) in `intervalUnit`: `SECONDS` (the default), `MINUTES` or `HOURS`;
/// - `startTimeOfDay` (default `00:00:00`) and `endTimeOfDay` (default `23:59:59`), `HH:MM:SS` or
///   `HH:MM`; the window may not cross midnight;
/// - `daysOfWeek`: 1 = Monday .. 7 = Sunday; empty or absent means every day.
///
/// The job fires at `startTimeOfDay`, then every interval while the wall time is at or before
/// `endTimeOfDay`, on the listed days, in the job's zone. The grid restarts every day. Wall times
/// skipped by a spring-forward gap do not fire; wall times repeated by a fall-back overlap fire on
/// both passes, so the job keeps its rhythm in real time (like a CRON expression with a step).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Form", into = "Form")]
pub struct DailyTimeInterval {
    interval: i64,
    unit: IntervalUnit,
    interval_ms: i64,
    start_ms: i64,
    end_ms: i64,
    /// Sorted, 1 = Monday .. 7 = Sunday; empty means every day.
    days_of_week: Vec<u8>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum IntervalUnit {
    #[default]
    Seconds,
    Minutes,
    Hours,
}

/// The JSON form, as the console and PowerJob write it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Form {
    interval: i64,
    #[serde(default)]
    interval_unit: Option<IntervalUnit>,
    #[serde(default)]
    start_time_of_day: Option<String>,
    #[serde(default)]
    end_time_of_day: Option<String>,
    #[serde(default)]
    days_of_week: Option<Vec<i64>>,
}

impl DailyTimeInterval {
    /// Reads the JSON expression; the error names the key at fault.
    pub fn parse(json: &str) -> Result<Self> {
        let form: Form =
            serde_json::from_str(json).map_err(|error| ScheduleError::DailyTimeInterval(error.to_string()))?;
        DailyTimeInterval::try_from(form)
    }

    /// The next fire time strictly after `after_ms`, reading wall times in `tz`; `None` past the
    /// year 2199.
    pub fn next_after(&self, after_ms: i64, tz: Tz) -> Option<i64> {
        let mut lower = after_ms.checked_add(1)?.max(crate::EARLIEST_MS);
        // Within one offset, wall time is instant + offset; walk from one offset change to the next.
        for _ in 0..MAX_OFFSET_CHANGES {
            if lower >= crate::END_MS {
                return None;
            }
            let offset = offset_ms(tz, lower);
            let candidate = self.next_slot_wall(lower + offset)? - offset;
            match next_transition(tz, lower, candidate) {
                None => return (candidate < crate::END_MS).then_some(candidate),
                Some(change) => lower = change,
            }
        }
        None
    }

    /// The first slot at or after wall time `wall_ms` (milliseconds since 1970-01-01T00:00 local).
    fn next_slot_wall(&self, wall_ms: i64) -> Option<i64> {
        let first_day = wall_ms.div_euclid(DAY_MS);
        for day in first_day..first_day + 8 {
            if !self.runs_on(day) {
                continue;
            }
            let time = if day == first_day { wall_ms.rem_euclid(DAY_MS) } else { 0 };
            let late = (time - self.start_ms).max(0);
            let steps = late / self.interval_ms + i64::from(late % self.interval_ms != 0);
            let slot = self.start_ms.saturating_add(steps.saturating_mul(self.interval_ms));
            if slot <= self.end_ms {
                return Some(day * DAY_MS + slot);
            }
        }
        None
    }

    /// Whether the job runs on a day counted from 1970-01-01, which was a Thursday.
    fn runs_on(&self, day: i64) -> bool {
        let weekday = (day + 3).rem_euclid(7) as u8 + 1;
        self.days_of_week.is_empty() || self.days_of_week.contains(&weekday)
    }
}

impl TryFrom<Form> for DailyTimeInterval {
    type Error = ScheduleError;

    fn try_from(form: Form) -> Result<Self> {
        let invalid = |reason: String| ScheduleError::DailyTimeInterval(reason);
        if form.interval < 1 {
            return Err(invalid(format!("`interval` must be at least 1, got {}", form.interval)));
        }
        let unit = form.interval_unit.unwrap_or_default();
        let unit_ms = match unit {
            IntervalUnit::Seconds => 1_000,
            IntervalUnit::Minutes => 60_000,
            IntervalUnit::Hours => 3_600_000,
        };
        let interval_ms = form
            .interval
            .checked_mul(unit_ms)
            .ok_or_else(|| invalid(format!("`interval` {} is too large", form.interval)))?;
        let start_ms = time_of_day("startTimeOfDay", form.start_time_of_day.as_deref().unwrap_or("00:00:00"))?;
        let end_ms = time_of_day("endTimeOfDay", form.end_time_of_day.as_deref().unwrap_or("23:59:59"))?;
        if end_ms < start_ms {
            return Err(invalid(format!(
                "`endTimeOfDay` {} is before `startTimeOfDay` {}; the window cannot cross midnight, \
                 so split it into two jobs",
                clock(end_ms),
                clock(start_ms)
            )));
        }
        let mut days_of_week = Vec::new();
        for day in form.days_of_week.unwrap_or_default() {
            match u8::try_from(day) {
                Ok(day @ 1..=7) => days_of_week.push(day),
                _ => return Err(invalid(format!("`daysOfWeek` holds {day}; use 1 (Monday) to 7 (Sunday)"))),
            }
        }
        days_of_week.sort_unstable();
        days_of_week.dedup();
        Ok(DailyTimeInterval { interval: form.interval, unit, interval_ms, start_ms, end_ms, days_of_week })
    }
}

impl From<DailyTimeInterval> for Form {
    fn from(schedule: DailyTimeInterval) -> Self {
        Form {
            interval: schedule.interval,
            interval_unit: Some(schedule.unit),
            start_time_of_day: Some(clock(schedule.start_ms)),
            end_time_of_day: Some(clock(schedule.end_ms)),
            days_of_week: Some(schedule.days_of_week.iter().map(|&day| i64::from(day)).collect()),
        }
    }
}

/// Reads `HH:MM:SS` or `HH:MM` into milliseconds since midnight.
fn time_of_day(key: &str, text: &str) -> Result<i64> {
    let parts: Vec<&str> = text.split(':').collect();
    let number = |part: &str, max: i64| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i64>().ok())
            .flatten()
            .filter(|value| *value <= max)
    };
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m] => (number(h, 23), number(m, 59), Some(0)),
        [h, m, s] => (number(h, 23), number(m, 59), number(s, 59)),
        _ => (None, None, None),
    };
    match (hours, minutes, seconds) {
        (Some(h), Some(m), Some(s)) => Ok(((h * 60 + m) * 60 + s) * 1000),
        _ => Err(ScheduleError::DailyTimeInterval(format!(
            "`{key}` `{text}` is not a time of day; write HH:MM:SS from 00:00:00 to 23:59:59, e.g. `09:00:00`"
        ))),
    }
}

/// Formats milliseconds since midnight as `HH:MM:SS`.
fn clock(ms: i64) -> String {
    let seconds = ms / 1000;
    format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}
