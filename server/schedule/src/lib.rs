//! Fire times of wasmjob jobs.
//!
//! The scheduler asks this crate one question for every job it owns: *when does this job
//! fire next?* A job's time expression is a [`Schedule`] — a Quartz-dialect [`CronSchedule`]
//! (through the `croner` crate) or PowerJob's [`DailyTimeInterval`] — read in the job's time
//! zone ([`parse_time_zone`]). [`next_fire`] clips the answer to the job's [`Lifecycle`] and
//! [`next_fires`] previews several. When a fire time has passed with no server firing it,
//! [`on_due`] applies the job's [`MisfirePolicy`]; when an instance fails, [`retry_delay_ms`]
//! spaces its retries with a capped exponential backoff.
//!
//! Every function is pure: instants are Unix epoch milliseconds passed in by the caller (the
//! clock is always an argument), fire times are strictly after the instant given, and searches
//! end at the year 2199, so an expression that never fires (`0 0 0 30 2 ?`) answers `None` at once.
//!
//! - [`cron`](CronSchedule): the Quartz dialect and its DST rules;
//! - [`daily`](DailyTimeInterval): DAILY_TIME_INTERVAL;
//! - [`next`](next_fire): the two as one [`Schedule`], lifecycle clipping;
//! - [`misfire`](on_due) and [`retry`](retry_delay_ms): what happens around a fire;
//! - [`tz`](parse_time_zone): time zone names.

#![deny(missing_docs)]

mod cron;
mod daily;
mod error;
mod misfire;
mod next;
mod retry;
mod tz;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod test_support;

pub use chrono_tz::Tz;

pub use crate::cron::CronSchedule;
pub use crate::daily::DailyTimeInterval;
pub use crate::error::{CronField, Result, ScheduleError};
pub use crate::misfire::{Decision, MisfirePolicy, on_due};
pub use crate::next::{Lifecycle, Schedule, next_fire, next_fires};
pub use crate::retry::retry_delay_ms;
pub use crate::tz::{local_time_zone, parse_time_zone};

/// The first year a CRON expression can fire in.
pub(crate) const FIRST_YEAR: i32 = 1970;
/// The last year a schedule can fire in.
pub(crate) const LAST_YEAR: i32 = 2199;
/// Searches start no earlier than a day before 1970-01-01T00:00:00Z.
pub(crate) const EARLIEST_MS: i64 = -86_400_000;
/// 2200-01-01T00:00:00Z: daily intervals end before it.
pub(crate) const END_MS: i64 = 7_258_118_400_000;
