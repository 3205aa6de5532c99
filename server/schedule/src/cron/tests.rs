//! The Quartz CronExpression examples, time zones and DST, each at an explicit instant.

use std::time::{Duration, Instant};

use chrono::DateTime;
use chrono_tz::Tz;

use super::*;
use crate::test_support::{at, show, utc};

/// The next `n` fires of `expression` after wall time `from` in `tz`, as wall times with weekdays.
fn fires(expression: &str, tz: Tz, from: &str, n: usize) -> Vec<String> {
    let schedule = CronSchedule::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
    let mut after = at(tz, from);
    let mut out = Vec::new();
    while out.len() < n {
        let Some(fire) = schedule.next_after(after, tz) else { break };
        assert!(fire > after, "{expression}: {fire} not after {after}");
        let wall = DateTime::from_timestamp_millis(fire).map(|t| t.with_timezone(&tz));
        out.push(wall.map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S %a").to_string()));
        after = fire;
    }
    out
}

fn next(expression: &str, tz: Tz, after_ms: i64) -> Option<i64> {
    CronSchedule::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}")).next_after(after_ms, tz)
}

fn error(expression: &str) -> String {
    CronSchedule::parse(expression).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
}

const UTC: Tz = Tz::UTC;

#[test]
fn every_day_at_noon() {
    for expression in ["0 0 12 * * ?", "0 0 12 ? * *", "0 0 12 * * ? *", "0 0 12 * * *"] {
        let expected = ["2026-05-01 12:00:00 Fri", "2026-05-02 12:00:00 Sat"];
        assert_eq!(fires(expression, UTC, "2026-05-01 11:59:59", 2), expected, "{expression}");
    }
}

#[test]
fn a_year_field_limits_the_years() {
    assert_eq!(fires("0 15 10 * * ? 2005", UTC, "2005-12-31 10:00:00", 3), ["2005-12-31 10:15:00 Sat"]);
    // A year in the past never fires again.
    assert_eq!(fires("0 15 10 * * ? 2005", UTC, "2026-01-01 00:00:00", 1), Vec::<String>::new());
    assert_eq!(
        fires("0 0 12 1 1 ? 2027-2029", UTC, "2026-05-01 00:00:00", 5),
        ["2027-01-01 12:00:00 Fri", "2028-01-01 12:00:00 Sat", "2029-01-01 12:00:00 Mon"]
    );
    assert_eq!(fires("0 0 0 1 1 ? 2026/10,2199", UTC, "2026-05-01 00:00:00", 30).len(), 18);
    assert_eq!(fires("0 0 0 1 1 ? 2030", UTC, "2026-05-01 00:00:00", 2), ["2030-01-01 00:00:00 Tue"]);
}

#[test]
fn minutes_of_an_hour() {
    let every_minute = fires("0 * 14 * * ?", UTC, "2026-05-01 00:00:00", 61);
    assert_eq!(
        (every_minute[0].as_str(), every_minute[59].as_str()),
        ("2026-05-01 14:00:00 Fri", "2026-05-01 14:59:00 Fri")
    );
    assert_eq!(every_minute[60], "2026-05-02 14:00:00 Sat");
    let every_five = fires("0 0/5 14,18 * * ?", UTC, "2026-05-01 00:00:00", 25);
    assert_eq!(
        (every_five[11].as_str(), every_five[12].as_str()),
        ("2026-05-01 14:55:00 Fri", "2026-05-01 18:00:00 Fri")
    );
    assert_eq!(every_five[24], "2026-05-02 14:00:00 Sat");
    assert_eq!(
        fires("0 0-5 14 * * ?", UTC, "2026-05-01 14:04:30", 3),
        ["2026-05-01 14:05:00 Fri", "2026-05-02 14:00:00 Sat", "2026-05-02 14:01:00 Sat"]
    );
}

#[test]
fn every_two_seconds_is_strictly_after_sub_second_instants() {
    let schedule = CronSchedule::parse("*/2 * * * * ?").unwrap();
    let start = utc("2026-05-01T10:00:00Z");
    assert_eq!(schedule.next_after(start, UTC), Some(start + 2_000));
    assert_eq!(schedule.next_after(start - 1, UTC), Some(start));
    assert_eq!(schedule.next_after(start + 500, UTC), Some(start + 2_000));
    assert_eq!(schedule.next_after(start + 1_999, UTC), Some(start + 2_000));
}

#[test]
fn weekdays_by_name_and_number() {
    assert_eq!(
        fires("0 10,44 14 ? 3 WED", UTC, "2026-03-01 00:00:00", 3),
        ["2026-03-04 14:10:00 Wed", "2026-03-04 14:44:00 Wed", "2026-03-11 14:10:00 Wed"]
    );
    let weekdays = ["2026-05-01 10:15:00 Fri", "2026-05-04 10:15:00 Mon", "2026-05-05 10:15:00 Tue"];
    for expression in
        ["0 15 10 ? * MON-FRI", "0 15 10 ? * 2-6", "0 15 10 ? * mon-fri", "0 15 10 * * Mon,Tue,Wed,Thu,Fri"]
    {
        assert_eq!(fires(expression, UTC, "2026-05-01 00:00:00", 3), weekdays, "{expression}");
    }
    // 1 = Sunday, 7 = Saturday, and a range may wrap past Saturday.
    assert_eq!(
        fires("0 0 8 ? * 1,7", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-02 08:00:00 Sat", "2026-05-03 08:00:00 Sun"]
    );
    assert_eq!(
        fires("0 0 8 ? * FRI-MON", UTC, "2026-05-01 09:00:00", 4),
        ["2026-05-02 08:00:00 Sat", "2026-05-03 08:00:00 Sun", "2026-05-04 08:00:00 Mon", "2026-05-08 08:00:00 Fri"]
    );
    // `*/3` counts from 1 = Sunday: Sunday, Wednesday, Saturday.
    assert_eq!(
        fires("0 0 8 ? * */3", UTC, "2026-05-01 09:00:00", 3),
        ["2026-05-02 08:00:00 Sat", "2026-05-03 08:00:00 Sun", "2026-05-06 08:00:00 Wed"]
    );
}

#[test]
fn days_of_month_and_months() {
    assert_eq!(
        fires("0 15 10 15 * ?", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-15 10:15:00 Fri", "2026-06-15 10:15:00 Mon"]
    );
    let every_five_days: Vec<String> = fires("0 0 12 1/5 * ?", UTC, "2026-05-01 00:00:00", 8);
    assert_eq!(every_five_days[6], "2026-05-31 12:00:00 Sun");
    assert_eq!(every_five_days[7], "2026-06-01 12:00:00 Mon");
    assert_eq!(
        fires("0 11 11 11 11 ?", UTC, "2026-05-01 00:00:00", 2),
        ["2026-11-11 11:11:00 Wed", "2027-11-11 11:11:00 Thu"]
    );
    assert_eq!(
        fires("0 0 0 1 JAN,MAR ?", UTC, "2026-01-15 00:00:00", 3),
        ["2026-03-01 00:00:00 Sun", "2027-01-01 00:00:00 Fri", "2027-03-01 00:00:00 Mon"]
    );
    assert_eq!(
        fires("0 0 0 29 2 ?", UTC, "2026-01-01 00:00:00", 2),
        ["2028-02-29 00:00:00 Tue", "2032-02-29 00:00:00 Sun"]
    );
}

#[test]
fn last_day_of_month() {
    assert_eq!(
        fires("0 15 10 L * ?", UTC, "2026-01-31 10:15:00", 3),
        ["2026-02-28 10:15:00 Sat", "2026-03-31 10:15:00 Tue", "2026-04-30 10:15:00 Thu"]
    );
    assert_eq!(fires("0 15 10 L 2 ?", UTC, "2027-03-01 00:00:00", 1), ["2028-02-29 10:15:00 Tue"]);
}

#[test]
fn last_and_nth_weekday_of_month() {
    assert_eq!(
        fires("0 15 10 ? * 6L", UTC, "2026-05-01 00:00:00", 3),
        ["2026-05-29 10:15:00 Fri", "2026-06-26 10:15:00 Fri", "2026-07-31 10:15:00 Fri"]
    );
    assert_eq!(fires("0 15 10 ? * FRIL", UTC, "2026-05-01 00:00:00", 1), ["2026-05-29 10:15:00 Fri"]);
    assert_eq!(fires("0 15 10 ? * 1L", UTC, "2026-05-01 00:00:00", 1), ["2026-05-31 10:15:00 Sun"]);
    assert_eq!(fires("0 15 10 ? * 7L", UTC, "2026-05-01 00:00:00", 1), ["2026-05-30 10:15:00 Sat"]);
    assert_eq!(
        fires("0 15 10 ? * 6L 2002-2005", UTC, "2005-10-01 00:00:00", 5),
        ["2005-10-28 10:15:00 Fri", "2005-11-25 10:15:00 Fri", "2005-12-30 10:15:00 Fri"]
    );
    assert_eq!(
        fires("0 15 10 ? * 6#3", UTC, "2026-05-01 00:00:00", 3),
        ["2026-05-15 10:15:00 Fri", "2026-06-19 10:15:00 Fri", "2026-07-17 10:15:00 Fri"]
    );
    assert_eq!(
        fires("0 0 9 ? * MON#1", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-04 09:00:00 Mon", "2026-06-01 09:00:00 Mon"]
    );
    // A fifth Friday exists only in some months.
    assert_eq!(
        fires("0 0 9 ? * 6#5", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-29 09:00:00 Fri", "2026-07-31 09:00:00 Fri"]
    );
    // A lone `L` in the day-of-week field is Saturday, as in Quartz.
    assert_eq!(fires("0 0 9 ? * L", UTC, "2026-05-01 00:00:00", 1), ["2026-05-02 09:00:00 Sat"]);
}

#[test]
fn nearest_weekday_stays_in_the_month() {
    // 2026-03-15 is a Sunday: Monday the 16th. 2026-08-15 is a Saturday: Friday the 14th.
    assert_eq!(fires("0 0 12 15W * ?", UTC, "2026-03-01 00:00:00", 1), ["2026-03-16 12:00:00 Mon"]);
    assert_eq!(fires("0 0 12 15W * ?", UTC, "2026-08-01 00:00:00", 1), ["2026-08-14 12:00:00 Fri"]);
    assert_eq!(fires("0 0 12 15W * ?", UTC, "2026-05-01 00:00:00", 1), ["2026-05-15 12:00:00 Fri"]);
    // 2026-08-01 is a Saturday: not Friday July 31 but Monday the 3rd.
    assert_eq!(fires("0 0 12 1W * ?", UTC, "2026-07-15 00:00:00", 1), ["2026-08-03 12:00:00 Mon"]);
    // 2026-05-31 is a Sunday: not Monday June 1 but Friday the 29th.
    assert_eq!(
        fires("0 0 12 31W * ?", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-29 12:00:00 Fri", "2026-07-31 12:00:00 Fri"]
    );
}

#[test]
fn last_weekday_of_month() {
    // May 2026 ends on a Sunday, February 2026 on a Saturday, June 2026 on a Tuesday.
    assert_eq!(
        fires("0 0 18 LW * ?", UTC, "2026-05-01 00:00:00", 2),
        ["2026-05-29 18:00:00 Fri", "2026-06-30 18:00:00 Tue"]
    );
    assert_eq!(fires("0 0 18 LW * ?", UTC, "2026-02-01 00:00:00", 1), ["2026-02-27 18:00:00 Fri"]);
}

#[test]
fn powerjob_style_stars_in_both_day_fields_mean_every_day() {
    assert_eq!(
        fires("0 0 * * * *", UTC, "2026-05-01 22:30:00", 3),
        ["2026-05-01 23:00:00 Fri", "2026-05-02 00:00:00 Sat", "2026-05-02 01:00:00 Sat"]
    );
    // `*` in one day field and a value in the other: the value decides, like `?`.
    assert_eq!(fires("0 0 9 * * MON", UTC, "2026-05-01 00:00:00", 1), ["2026-05-04 09:00:00 Mon"]);
    assert_eq!(fires("0 0 9 20 * *", UTC, "2026-05-01 00:00:00", 1), ["2026-05-20 09:00:00 Wed"]);
}

#[test]
fn time_zones_move_the_wall_clock() {
    let after = utc("2026-05-01T00:00:00Z");
    assert_eq!(next("0 0 9 * * ?", Tz::Asia__Shanghai, after), Some(utc("2026-05-01T01:00:00Z")));
    assert_eq!(next("0 0 9 * * ?", UTC, after), Some(utc("2026-05-01T09:00:00Z")));
    assert_eq!(next("0 0 9 * * ?", Tz::Asia__Shanghai, utc("2026-05-01T01:00:00Z")), Some(utc("2026-05-02T01:00:00Z")));
    // The weekday is the zone's: 2026-05-04 07:00 in Shanghai is still Sunday the 3rd in UTC.
    assert_eq!(next("0 0 7 ? * MON", Tz::Asia__Shanghai, after), Some(utc("2026-05-03T23:00:00Z")));
}

#[test]
fn new_york_spring_forward_runs_a_skipped_fixed_time_right_after_the_gap() {
    let tz = Tz::America__New_York;
    // 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 does not exist that day.
    let fire = next("0 30 2 * * ?", tz, utc("2026-03-07T17:00:00Z"));
    assert_eq!(fire, Some(utc("2026-03-08T07:00:00Z")), "{}", show(tz, fire));
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-03-08T07:00:00Z")), Some(utc("2026-03-09T06:30:00Z")));
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-03-06T17:00:00Z")), Some(utc("2026-03-07T07:30:00Z")));
    // A daily job before the gap is not also run after it.
    assert_eq!(next("0 0 1 * * ?", tz, utc("2026-03-08T06:00:00Z")), Some(utc("2026-03-09T05:00:00Z")));
}

#[test]
fn new_york_spring_forward_skips_interval_times_in_the_gap() {
    let tz = Tz::America__New_York;
    let schedule = CronSchedule::parse("0 0/30 * * * ?").unwrap();
    let fires: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-03-08T06:00:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(3)
            .collect();
    // 01:30 EST, then 03:00 and 03:30 EDT: 02:00 and 02:30 never happen.
    assert_eq!(fires, ["2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"].map(utc));
}

#[test]
fn new_york_fall_back_runs_a_fixed_time_once() {
    let tz = Tz::America__New_York;
    // 2026-11-01 02:00 EDT falls back to 01:00 EST (06:00Z); 01:30 happens at 05:30Z and 06:30Z.
    let first = next("0 30 1 * * ?", tz, utc("2026-10-31T16:00:00Z"));
    assert_eq!(first, Some(utc("2026-11-01T05:30:00Z")));
    assert_eq!(next("0 30 1 * * ?", tz, utc("2026-11-01T05:30:00Z")), Some(utc("2026-11-02T06:30:00Z")));
    // Even asked from inside the repeated hour, the second 01:30 does not fire.
    assert_eq!(next("0 30 1 * * ?", tz, utc("2026-11-01T06:10:00Z")), Some(utc("2026-11-02T06:30:00Z")));
}

#[test]
fn new_york_fall_back_runs_interval_times_on_both_passes() {
    let tz = Tz::America__New_York;
    let schedule = CronSchedule::parse("0 0/30 1 * * ?").unwrap();
    let fires: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-11-01T04:00:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(5)
            .collect();
    let expected = [
        "2026-11-01T05:00:00Z",
        "2026-11-01T05:30:00Z",
        "2026-11-01T06:00:00Z",
        "2026-11-01T06:30:00Z",
        "2026-11-02T06:00:00Z",
    ];
    assert_eq!(fires, expected.map(utc));
}

#[test]
fn berlin_dst() {
    let tz = Tz::Europe__Berlin;
    // 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z).
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-03-28T12:00:00Z")), Some(utc("2026-03-29T01:00:00Z")));
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-03-29T01:00:00Z")), Some(utc("2026-03-30T00:30:00Z")));
    // 2026-10-25 03:00 CEST falls back to 02:00 CET (01:00Z): 02:30 fires once, at 00:30Z.
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-10-24T12:00:00Z")), Some(utc("2026-10-25T00:30:00Z")));
    assert_eq!(next("0 30 2 * * ?", tz, utc("2026-10-25T00:30:00Z")), Some(utc("2026-10-26T01:30:00Z")));
    // Midnight jobs are untouched by either change.
    assert_eq!(next("0 0 0 * * ?", tz, utc("2026-03-28T12:00:00Z")), Some(utc("2026-03-28T23:00:00Z")));
    assert_eq!(next("0 0 0 * * ?", tz, utc("2026-10-25T12:00:00Z")), Some(utc("2026-10-25T23:00:00Z")));
}

#[test]
fn samoa_lost_day_is_skipped() {
    let tz = Tz::Pacific__Apia;
    // Samoa went from 2011-12-29 23:59:59 (-10:00) straight to 2011-12-31 00:00:00 (+14:00).
    let after = utc("2011-12-29T23:00:00Z"); // 13:00 on the 29th
    assert_eq!(
        next("0 0 12 * * ?", tz, after),
        Some(at(tz, "2011-12-31 12:00:00")),
        "{}",
        show(tz, next("0 0 12 * * ?", tz, after))
    );
    assert_eq!(next("0 0 */6 * * ?", tz, after), Some(at(tz, "2011-12-29 18:00:00")));
    assert_eq!(next("0 0 */6 * * ?", tz, at(tz, "2011-12-29 18:00:00")), Some(at(tz, "2011-12-31 00:00:00")));
}

#[test]
fn schedules_that_never_fire_answer_none_quickly() {
    let started = Instant::now();
    for expression in [
        "0 0 0 30 2 ?",
        "0 0 0 31 4,6,9,11 ?",
        "0 0 0 30W 2 ?",
        "0 0 0 29 2 ? 2100-2103",
        "0 0 0 ? 2 1#5 2101-2103",
        "0 0 0 1 1 ? 1999",
    ] {
        assert_eq!(next(expression, UTC, utc("2026-05-01T00:00:00Z")), None, "{expression}");
    }
    assert_eq!(next("0 0 0 * * ?", UTC, utc("2199-12-31T00:00:00Z")), None);
    assert_eq!(next("0 0 0 * * ?", UTC, i64::MAX), None);
    assert_eq!(next("0 0 0 1 1 ?", UTC, i64::MIN), Some(utc("1970-01-01T00:00:00Z")));
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
}

#[test]
fn next_after_takes_microseconds() {
    let expressions =
        ["0 0 9 * * ?", "*/2 * * * * ?", "0 15 10 ? * 6L", "0 0 12 15W * ?", "0 0/5 14,18 * * ?", "0 0 0 L * ?"];
    let started = Instant::now();
    let mut calls = 0u32;
    for expression in expressions {
        let schedule = CronSchedule::parse(expression).unwrap();
        let mut after = utc("2026-01-01T00:00:00Z");
        for _ in 0..200 {
            after = schedule.next_after(after, Tz::Europe__Berlin).unwrap();
            calls += 1;
        }
    }
    let each = started.elapsed() / calls;
    // Debug builds are ~10x slower than release; both stay far below a millisecond.
    assert!(each < Duration::from_millis(2), "{each:?} per call");
}

#[test]
fn errors_name_the_field_and_value() {
    assert_eq!(error("61 * * * * ?"), "`61` is out of range for the seconds field (0-59)");
    assert_eq!(error("0 60 * * * ?"), "`60` is out of range for the minutes field (0-59)");
    assert_eq!(error("0 0 24 * * ?"), "`24` is out of range for the hours field (0-23)");
    assert_eq!(error("0 0 0 32 * ?"), "`32` is out of range for the day-of-month field (1-31)");
    assert_eq!(error("0 0 0 ? 13 *"), "`13` is out of range for the month field (1-12 or JAN-DEC)");
    assert_eq!(error("0 0 0 ? * 0"), "`0` is out of range for the day-of-week field (1-7 or SUN-SAT, where 1 = SUN)");
    assert_eq!(error("0 0 0 * * ? 2200"), "`2200` is out of range for the year field (1970-2199)");
    assert!(error("").starts_with("the CRON expression is empty"));
    assert!(error("0 9 * * *").contains("has 5 fields"));
    assert!(error("0 9 * * *").contains("put `0 ` in front"));
    assert!(error("0 0 0 0 0 0 0 0").contains("has 8 fields"));
    assert_eq!(
        error("0 0 12 15 * MON"),
        "day-of-month `15` and day-of-week `MON` are both set; put `?` in one of them, \
         e.g. `0 0 12 15 * ?` or `0 0 12 ? * MON`"
    );
    assert!(error("0 15 10 L-2 * ?").contains("`L-n` (n days before the last day) is not supported"));
    assert!(error("0 0 12 ? * 6C").contains("day-of-week"));
    assert!(error("0 0 ? * * *").contains("only allowed in the day-of-month or day-of-week"));
    assert!(error("0 0 12 ? * 6#6").contains("must be 1-5"));
    assert!(error("0 0 12 ? JUNE *").contains("JAN-DEC"));
    assert!(error("0 0 12 ? * 1,,2").contains("empty entry"));
    assert!(error("0 0 12 ? * 1；").contains("is not allowed in a CRON expression"));
    assert!(error("0 0 12 ? * +MON").contains("`+` is not allowed"));
}

#[test]
fn display_keeps_the_expression() {
    let schedule: CronSchedule = " 0 15 10 ? * 6L ".parse().unwrap();
    assert_eq!(schedule.to_string(), "0 15 10 ? * 6L");
    assert_eq!(schedule.as_str(), "0 15 10 ? * 6L");
}
