//! The crate's one error type: every message names the part at fault and,
//! where it helps, shows a valid example.

use std::fmt;

/// What went wrong while reading a schedule or a time zone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The CRON expression is empty or blank.
    #[error("the CRON expression is empty; write 6 or 7 fields, e.g. `0 0 9 * * ?` (every day at 09:00:00)")]
    EmptyCron,
    /// The CRON expression does not have 6 or 7 fields.
    #[error(
        "`{expression}` has {found} fields, but a CRON expression has 6 \
         (second minute hour day-of-month month day-of-week) or 7 (plus year){hint}",
        hint = field_count_hint(*.found)
    )]
    CronFieldCount {
        /// The expression as written.
        expression: String,
        /// How many whitespace-separated fields it has.
        found: usize,
    },
    /// A character that no CRON field accepts.
    #[error(
        "`{character}` is not allowed in a CRON expression; use digits, names such as MON or JAN, \
         and `* ? / - , L W #`"
    )]
    CronCharacter {
        /// The character at fault.
        character: char,
    },
    /// A number or name outside the field's range.
    #[error("`{value}` is out of range for the {field} field ({range})", range = field.range_text())]
    CronOutOfRange {
        /// The field at fault.
        field: CronField,
        /// The value as written.
        value: String,
    },
    /// A field whose syntax is wrong or uses a feature the field does not have.
    #[error("`{value}` is not valid in the {field} field: {reason}")]
    CronSyntax {
        /// The field at fault.
        field: CronField,
        /// The part of the field at fault.
        value: String,
        /// What is wrong and how to write it instead.
        reason: String,
    },
    /// Both day fields restrict the day, which Quartz does not allow.
    #[error(
        "day-of-month `{day_of_month}` and day-of-week `{day_of_week}` are both set; \
         put `?` in one of them, e.g. `{dom_example}` or `{dow_example}`"
    )]
    CronDayConflict {
        /// The day-of-month field as written.
        day_of_month: String,
        /// The day-of-week field as written.
        day_of_week: String,
        /// The expression with `?` for the day of week.
        dom_example: String,
        /// The expression with `?` for the day of month.
        dow_example: String,
    },
    /// An expression this crate accepted but the CRON engine could not read (a bug in this crate).
    #[error("`{expression}` passed the checks but the CRON engine rejected it: {reason}")]
    CronEngine {
        /// The expression as written.
        expression: String,
        /// The engine's own message.
        reason: String,
    },
    /// A DAILY_TIME_INTERVAL expression that is not valid JSON of the expected shape.
    #[error(
        "invalid DAILY_TIME_INTERVAL: {0}; expected e.g. \
         {{\"interval\":10,\"intervalUnit\":\"MINUTES\",\"startTimeOfDay\":\"09:00:00\",\
         \"endTimeOfDay\":\"18:00:00\",\"daysOfWeek\":[1,2,3,4,5]}}"
    )]
    DailyTimeInterval(String),
    /// A time zone name that is not in the IANA database.
    #[error(
        "`{name}` is not an IANA time zone such as `Asia/Shanghai` or `UTC`{hint}",
        hint = match suggestion { Some(s) => format!(" (did you mean `{s}`?)"), None => String::new() }
    )]
    UnknownTimeZone {
        /// The name as given.
        name: String,
        /// A zone whose name differs only in letter case, if any.
        suggestion: Option<String>,
    },
}

/// The crate's result type.
pub type Result<T, E = ScheduleError> = std::result::Result<T, E>;

/// One field of a Quartz CRON expression, named in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Seconds, 0-59.
    Second,
    /// Minutes, 0-59.
    Minute,
    /// Hours, 0-23.
    Hour,
    /// Day of month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or JAN-DEC.
    Month,
    /// Day of week, 1-7 or SUN-SAT, where 1 = Sunday.
    DayOfWeek,
    /// Year, 1970-2199.
    Year,
}

impl CronField {
    /// The smallest and largest value the field takes.
    pub(crate) const fn bounds(self) -> (u32, u32) {
        match self {
            CronField::Second | CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (1, 7),
            CronField::Year => (crate::FIRST_YEAR as u32, crate::LAST_YEAR as u32),
        }
    }

    /// The allowed values as a person would write them.
    fn range_text(self) -> &'static str {
        match self {
            CronField::Second | CronField::Minute => "0-59",
            CronField::Hour => "0-23",
            CronField::DayOfMonth => "1-31",
            CronField::Month => "1-12 or JAN-DEC",
            CronField::DayOfWeek => "1-7 or SUN-SAT, where 1 = SUN",
            CronField::Year => "1970-2199",
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CronField::Second => "seconds",
            CronField::Minute => "minutes",
            CronField::Hour => "hours",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        })
    }
}

/// Extra advice for a wrong field count.
fn field_count_hint(found: usize) -> &'static str {
    match found {
        5 => "; a 5-field Unix cron has no seconds field: put `0 ` in front, e.g. `0 0 9 * * ?`",
        _ => ", e.g. `0 15 10 ? * MON-FRI` (10:15:00 on weekdays)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_message_names_value_field_and_range() {
        let error = ScheduleError::CronOutOfRange { field: CronField::Second, value: "61".into() };
        assert_eq!(error.to_string(), "`61` is out of range for the seconds field (0-59)");
    }

    #[test]
    fn five_fields_suggest_adding_seconds() {
        let error = ScheduleError::CronFieldCount { expression: "0 9 * * *".into(), found: 5 };
        assert!(error.to_string().contains("put `0 ` in front"), "{error}");
    }
}
