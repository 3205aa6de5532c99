//! Quartz-dialect CRON schedules.
//!
//! [`field`] reads and checks the seven Quartz fields and rewrites them into
//! plain lists and day specials; croner, set to Quartz weekdays (1 = Sunday),
//! required seconds and a required year, then walks the calendar in the job's
//! time zone.

mod field;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use self::field::{MonthDay, Values, WeekDay};
use crate::error::{CronField, Result, ScheduleError};

/// How far past a failed search the time-zone transition that caused it may lie.
const GAP_HORIZON_MS: i64 = 49 * 3_600_000;

/// A Quartz-dialect CRON expression, ready to compute fire times.
///
/// The dialect is Quartz's, as PowerJob uses it:
///
/// - 6 fields (`second minute hour day-of-month month day-of-week`) or 7 (plus `year`, 1970-2199);
/// - in every field: `*`, numbers, lists `a,b`, ranges `a-b` (wrapping past the end like Quartz:
///   `22-2` hours, `FRI-MON`), steps `*/n`, `a/n` and `a-b/n`;
/// - month names `JAN`-`DEC` and weekday names `SUN`-`SAT`, in any letter case;
/// - day of week 1-7 with 1 = Sunday, `nL` (last weekday n of the month, `6L` = last Friday),
///   `n#k` (k-th weekday n, `6#3` = third Friday) and a lone `L` (= 7, Saturday);
/// - day of month `L` (last day), `LW` (last weekday) and `nW` (weekday nearest day n, never
///   leaving the month: `1W` on a Saturday is Monday the 3rd);
/// - `?` for "no specific value" in day of month or day of week.
///
/// Quartz wants `?` in exactly one of the two day fields. This dialect also accepts `*` there —
/// PowerJob users write `0 0 * * * *` — and reads `*` and `?` alike: the other day field alone
/// chooses the days, and with both unrestricted every day fires. Restricting both (`0 0 0 15 * MON`)
/// is an error, as in Quartz. Not supported: `L-n` (offset from the last day), `W` or `L` inside a
/// list or range, and Quartz's `C` (calendar) suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronSchedule {
    expression: String,
    /// Boxed to keep `Schedule` small: croner's `Cron` is ~340 bytes inline (plus ~5 KB of heap for
    /// its year bitmap, which croner always allocates).
    cron: Box<Cron>,
    last_year: i32,
    can_fire: bool,
}

impl CronSchedule {
    /// Reads a Quartz CRON expression; the error names the field and value at fault.
    pub fn parse(expression: &str) -> Result<Self> {
        let trimmed = expression.trim();
        if trimmed.is_empty() {
            return Err(ScheduleError::EmptyCron);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c.is_ascii_whitespace() || "*?/-,#".contains(c);
        if let Some(character) = trimmed.chars().find(|c| !allowed(*c)) {
            return Err(ScheduleError::CronCharacter { character });
        }
        let upper = trimmed.to_ascii_uppercase();
        let parts: Vec<&str> = upper.split_ascii_whitespace().collect();
        if !(6..=7).contains(&parts.len()) {
            return Err(ScheduleError::CronFieldCount { expression: trimmed.to_owned(), found: parts.len() });
        }
        let seconds = Values::parse(CronField::Second, parts[0])?;
        let minutes = Values::parse(CronField::Minute, parts[1])?;
        let hours = Values::parse(CronField::Hour, parts[2])?;
        let month_day = MonthDay::parse(parts[3])?;
        let months = Values::parse(CronField::Month, parts[4])?;
        let week_day = WeekDay::parse(parts[5])?;
        let years = match parts.get(6) {
            Some(years) => Values::parse(CronField::Year, years)?,
            None => Values::all(CronField::Year),
        };
        if month_day != MonthDay::Any && week_day != WeekDay::Any {
            return Err(day_conflict(trimmed));
        }

        let pattern = [
            seconds.render(),
            minutes.render(),
            hours.render(),
            month_day.render(),
            months.render(),
            week_day.render(),
            years.render(),
        ]
        .join(" ");
        let cron = CronParser::builder()
            .seconds(Seconds::Required)
            .year(Year::Required)
            .alternative_weekdays(true)
            .build()
            .parse(&pattern)
            .map_err(|error| ScheduleError::CronEngine { expression: trimmed.to_owned(), reason: error.to_string() })?;
        Ok(CronSchedule {
            expression: trimmed.to_owned(),
            cron: Box::new(cron),
            last_year: years.values.last().map_or(crate::LAST_YEAR, |&year| year as i32),
            can_fire: can_fire(&month_day, &week_day, &months.values, &years.values),
        })
    }

    /// The expression as written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.expression
    }

    /// The next fire time strictly after `after_ms`, with the calendar read in time zone `tz`;
    /// `None` when the expression never fires again before the year 2200.
    ///
    /// Daylight saving time follows croner's rules. A wall time skipped by a spring-forward gap
    /// fires at the first instant after the gap when seconds, minutes and hours are each one
    /// value (`0 30 2 * * ?` fires at 03:00 on the day New York springs forward); an expression
    /// with several values there (`0 */15 * * * ?`) skips the times in the gap. A wall time
    /// repeated by a fall-back overlap fires once, at its first occurrence, when seconds, minutes
    /// and hours are each one value; otherwise it fires on both passes through the repeated hour,
    /// keeping the expression's rhythm in real time. A fixed time inside an unusually long gap
    /// (Samoa's lost day, 2011-12-30) is skipped.
    pub fn next_after(&self, after_ms: i64, tz: Tz) -> Option<i64> {
        if !self.can_fire {
            return None;
        }
        // croner counts whole seconds; a fire is strictly after the second `after_ms` falls in.
        let after_s = after_ms.div_euclid(1000).max(crate::EARLIEST_MS / 1000);
        let start = DateTime::<Utc>::from_timestamp(after_s, 0)?.with_timezone(&tz);
        if start.year() > self.last_year {
            return None;
        }
        let mut found = match self.cron.find_next_occurrence(&start, false) {
            Ok(found) => found,
            // croner gives up on a gap longer than two hours; resume right after it.
            Err(_) => {
                let from = after_s * 1000;
                let gap_end = crate::tz::next_transition(tz, from, from.saturating_add(GAP_HORIZON_MS))?;
                let resume = DateTime::<Utc>::from_timestamp_millis(gap_end)?.with_timezone(&tz);
                self.cron.find_next_occurrence(&resume, true).ok()?
            }
        };
        if found.timestamp_millis() <= after_ms {
            // Only after a long gap that ended within the second of `after_ms`.
            found = self.cron.find_next_occurrence(&found, false).ok()?;
        }
        let found_ms = found.timestamp_millis();
        (found_ms > after_ms && found.year() <= self.last_year).then_some(found_ms)
    }
}

impl FromStr for CronSchedule {
    type Err = ScheduleError;

    fn from_str(expression: &str) -> Result<Self> {
        CronSchedule::parse(expression)
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}

/// The error for an expression that restricts both day fields, with two ways to fix it.
fn day_conflict(expression: &str) -> ScheduleError {
    let parts: Vec<&str> = expression.split_ascii_whitespace().collect();
    let with = |index: usize| {
        let mut fixed = parts.clone();
        fixed[index] = "?";
        fixed.join(" ")
    };
    ScheduleError::CronDayConflict {
        day_of_month: parts[3].to_owned(),
        day_of_week: parts[5].to_owned(),
        dom_example: with(5),
        dow_example: with(3),
    }
}

/// Whether some month and year in the expression has the days it asks for,
/// so that a search for `0 0 0 30 2 ?` (February 30) ends at once.
fn can_fire(month_day: &MonthDay, week_day: &WeekDay, months: &[u32], years: &[u32]) -> bool {
    let leap_year = years.iter().any(|&year| year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
    let longest = |month: u32| match month {
        2 if leap_year => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let has_day = |day: u32| months.iter().any(|&month| day <= longest(month));
    match (month_day, week_day) {
        (MonthDay::Days(days), _) => days.iter().any(|&day| has_day(day)),
        (MonthDay::NearestWeekday(day), _) => has_day(*day),
        // A fifth weekday needs a month of at least 29 days.
        (_, WeekDay::Nth(_, 5)) => has_day(29),
        _ => true,
    }
}
