//! Time zones: reading a zone name, and the UTC offsets the schedules need.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};

use crate::error::{Result, ScheduleError};

/// How far apart two offset probes are; no zone changes its offset twice within this span.
const PROBE_STEP_MS: i64 = 6 * 3_600_000;

/// Reads an IANA time zone name such as `Asia/Shanghai` or `UTC`.
///
/// An empty (or blank) name is `None`: the job uses the server's zone. Names are matched
/// exactly; a name that differs only in letter case is refused with the right spelling
/// suggested.
pub fn parse_time_zone(name: &str) -> Result<Option<Tz>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    name.parse::<Tz>().map(Some).map_err(|_| ScheduleError::UnknownTimeZone {
        name: name.to_owned(),
        suggestion: TZ_VARIANTS
            .iter()
            .map(|tz| tz.name())
            .find(|known| known.eq_ignore_ascii_case(name))
            .map(str::to_owned),
    })
}

/// The machine's own time zone (from the operating system), or UTC when it
/// cannot be read or is not an IANA name.
pub fn local_time_zone() -> Tz {
    iana_time_zone::get_timezone().ok().and_then(|name| name.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// The zone's offset from UTC, in milliseconds, at an instant.
pub(crate) fn offset_ms(tz: Tz, instant_ms: i64) -> i64 {
    DateTime::from_timestamp_millis(instant_ms)
        .map_or(0, |utc| i64::from(tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()) * 1000)
}

/// The first instant in `(from_ms, to_ms]` whose offset differs from the offset at `from_ms`.
pub(crate) fn next_transition(tz: Tz, from_ms: i64, to_ms: i64) -> Option<i64> {
    let offset = offset_ms(tz, from_ms);
    let mut low = from_ms;
    while low < to_ms {
        let high = low.saturating_add(PROBE_STEP_MS).min(to_ms);
        if offset_ms(tz, high) != offset {
            // The offset is `offset` at `low` and different at `high`: bisect.
            let (mut same, mut changed) = (low, high);
            while changed - same > 1 {
                let middle = same + (changed - same) / 2;
                if offset_ms(tz, middle) == offset {
                    same = middle;
                } else {
                    changed = middle;
                }
            }
            return Some(changed);
        }
        low = high;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_empty_means_server_zone() {
        assert_eq!(parse_time_zone("Asia/Shanghai"), Ok(Some(Tz::Asia__Shanghai)));
        assert_eq!(parse_time_zone(" UTC "), Ok(Some(Tz::UTC)));
        assert_eq!(parse_time_zone(""), Ok(None));
        assert_eq!(parse_time_zone("  "), Ok(None));
    }

    #[test]
    fn unknown_names_get_an_actionable_message() {
        let error = parse_time_zone("Mars/Base").unwrap_err();
        assert_eq!(error.to_string(), "`Mars/Base` is not an IANA time zone such as `Asia/Shanghai` or `UTC`");
        let error = parse_time_zone("asia/shanghai").unwrap_err();
        assert!(error.to_string().ends_with("(did you mean `Asia/Shanghai`?)"), "{error}");
    }

    #[test]
    fn transitions_are_found_to_the_millisecond() {
        // New York springs forward at 2026-03-08T07:00:00Z.
        let spring = 1_772_953_200_000;
        assert_eq!(next_transition(Tz::America__New_York, spring - 86_400_000, spring + 86_400_000), Some(spring));
        assert_eq!(offset_ms(Tz::America__New_York, spring - 1), -5 * 3_600_000);
        assert_eq!(offset_ms(Tz::America__New_York, spring), -4 * 3_600_000);
        assert_eq!(next_transition(Tz::UTC, 0, 86_400_000 * 365), None);
    }
}
