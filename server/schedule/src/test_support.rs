//! Instants for tests, written the way people read them.

use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// An RFC 3339 instant, e.g. `2026-03-08T07:00:00Z`, in epoch milliseconds.
pub(crate) fn utc(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap_or_else(|e| panic!("{rfc3339}: {e}")).timestamp_millis()
}

/// A wall time `YYYY-MM-DD HH:MM:SS` in `tz` (the earlier instant if it is repeated).
pub(crate) fn at(tz: Tz, wall: &str) -> i64 {
    let naive = NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{wall}: {e}"));
    tz.from_local_datetime(&naive)
        .earliest()
        .unwrap_or_else(|| panic!("{wall} does not exist in {tz}"))
        .timestamp_millis()
}

/// An instant as an RFC 3339 string in `tz`, for readable assertion failures.
pub(crate) fn show(tz: Tz, ms: Option<i64>) -> String {
    ms.and_then(DateTime::from_timestamp_millis).map_or("None".to_owned(), |t| t.with_timezone(&tz).to_rfc3339())
}
