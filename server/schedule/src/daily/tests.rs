//! DAILY_TIME_INTERVAL at explicit instants: window edges, days of week, midnight, DST.

use chrono::DateTime;
use chrono_tz::Tz;

use super::*;
use crate::test_support::{at, utc};

fn daily(json: &str) -> DailyTimeInterval {
    DailyTimeInterval::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The next `n` fires after wall time `from` in `tz`, as wall times with weekdays.
fn fires(json: &str, tz: Tz, from: &str, n: usize) -> Vec<String> {
    let schedule = daily(json);
    let mut after = at(tz, from);
    let mut out = Vec::new();
    while out.len() < n {
        let Some(fire) = schedule.next_after(after, tz) else { break };
        assert!(fire > after);
        let wall = DateTime::from_timestamp_millis(fire).map(|t| t.with_timezone(&tz));
        out.push(wall.map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S %a").to_string()));
        after = fire;
    }
    out
}

fn error(json: &str) -> String {
    DailyTimeInterval::parse(json).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
}

const HALF_HOURS_9_TO_10: &str =
    r#"{"interval":30,"intervalUnit":"MINUTES","startTimeOfDay":"09:00:00","endTimeOfDay":"10:00:00"}"#;

#[test]
fn fires_on_the_grid_from_start_through_end_inclusive() {
    assert_eq!(
        fires(HALF_HOURS_9_TO_10, Tz::UTC, "2026-05-01 08:00:00", 4),
        ["2026-05-01 09:00:00 Fri", "2026-05-01 09:30:00 Fri", "2026-05-01 10:00:00 Fri", "2026-05-02 09:00:00 Sat"]
    );
    let schedule = daily(HALF_HOURS_9_TO_10);
    let nine = utc("2026-05-01T09:00:00Z");
    assert_eq!(schedule.next_after(nine - 1, Tz::UTC), Some(nine));
    assert_eq!(schedule.next_after(nine, Tz::UTC), Some(nine + 1_800_000));
    assert_eq!(schedule.next_after(nine + 1, Tz::UTC), Some(nine + 1_800_000));
    assert_eq!(schedule.next_after(nine + 3_600_000, Tz::UTC), Some(utc("2026-05-02T09:00:00Z")));
}

#[test]
fn an_end_off_the_grid_cuts_the_last_interval() {
    let json = r#"{"interval":25,"intervalUnit":"MINUTES","startTimeOfDay":"09:00","endTimeOfDay":"10:00"}"#;
    assert_eq!(
        fires(json, Tz::UTC, "2026-05-01 09:10:00", 3),
        ["2026-05-01 09:25:00 Fri", "2026-05-01 09:50:00 Fri", "2026-05-02 09:00:00 Sat"]
    );
}

#[test]
fn seconds_are_the_default_unit() {
    let json = r#"{"interval":10,"startTimeOfDay":"09:00:00","endTimeOfDay":"09:00:30"}"#;
    assert_eq!(
        fires(json, Tz::UTC, "2026-05-01 09:00:05", 4),
        ["2026-05-01 09:00:10 Fri", "2026-05-01 09:00:20 Fri", "2026-05-01 09:00:30 Fri", "2026-05-02 09:00:00 Sat"]
    );
}

#[test]
fn only_on_the_listed_days_monday_first() {
    let json = r#"{"interval":1,"intervalUnit":"HOURS","startTimeOfDay":"09:00:00","endTimeOfDay":"10:00:00","daysOfWeek":[1,3,5]}"#;
    assert_eq!(
        fires(json, Tz::UTC, "2026-05-01 09:30:00", 4),
        ["2026-05-01 10:00:00 Fri", "2026-05-04 09:00:00 Mon", "2026-05-04 10:00:00 Mon", "2026-05-06 09:00:00 Wed"]
    );
    let weekend = r#"{"interval":12,"intervalUnit":"HOURS","daysOfWeek":[7,6,6]}"#;
    assert_eq!(
        fires(weekend, Tz::UTC, "2026-05-01 09:30:00", 5),
        [
            "2026-05-02 00:00:00 Sat",
            "2026-05-02 12:00:00 Sat",
            "2026-05-03 00:00:00 Sun",
            "2026-05-03 12:00:00 Sun",
            "2026-05-09 00:00:00 Sat"
        ]
    );
}

#[test]
fn the_grid_restarts_after_midnight() {
    let hourly = r#"{"interval":1,"intervalUnit":"HOURS"}"#;
    assert_eq!(
        fires(hourly, Tz::UTC, "2026-05-01 22:30:00", 3),
        ["2026-05-01 23:00:00 Fri", "2026-05-02 00:00:00 Sat", "2026-05-02 01:00:00 Sat"]
    );
    // Every 7 hours from midnight: 00, 07, 14, 21, then midnight again rather than 04:00.
    let sevens = r#"{"interval":7,"intervalUnit":"HOURS"}"#;
    assert_eq!(
        fires(sevens, Tz::UTC, "2026-05-01 20:00:00", 2),
        ["2026-05-01 21:00:00 Fri", "2026-05-02 00:00:00 Sat"]
    );
    let fridays = r#"{"interval":30,"intervalUnit":"MINUTES","startTimeOfDay":"23:00:00","daysOfWeek":[5]}"#;
    assert_eq!(
        fires(fridays, Tz::UTC, "2026-05-01 23:10:00", 3),
        ["2026-05-01 23:30:00 Fri", "2026-05-08 23:00:00 Fri", "2026-05-08 23:30:00 Fri"]
    );
    // The zone decides where midnight is: Shanghai's Saturday starts at 16:00Z on Friday.
    let saturdays = r#"{"interval":1,"intervalUnit":"HOURS","startTimeOfDay":"00:00:00","endTimeOfDay":"01:00:00","daysOfWeek":[6]}"#;
    let schedule = daily(saturdays);
    assert_eq!(schedule.next_after(utc("2026-05-01T12:00:00Z"), Tz::Asia__Shanghai), Some(utc("2026-05-01T16:00:00Z")));
}

#[test]
fn new_york_spring_forward_skips_the_missing_wall_times() {
    let tz = Tz::America__New_York;
    let json = r#"{"interval":30,"intervalUnit":"MINUTES","startTimeOfDay":"01:00:00","endTimeOfDay":"03:00:00"}"#;
    let schedule = daily(json);
    let fires: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-03-08T05:00:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(4)
            .collect();
    // 01:00 and 01:30 EST, then 03:00 EDT; 02:00 and 02:30 do not exist. Then 01:00 EDT next day.
    assert_eq!(
        fires,
        ["2026-03-08T06:00:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T05:00:00Z"].map(utc)
    );
}

#[test]
fn new_york_fall_back_fires_on_both_passes() {
    let tz = Tz::America__New_York;
    let json = r#"{"interval":30,"intervalUnit":"MINUTES","startTimeOfDay":"01:00:00","endTimeOfDay":"03:00:00"}"#;
    let schedule = daily(json);
    let fires: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-11-01T04:00:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(8)
            .collect();
    let expected = [
        "2026-11-01T05:00:00Z", // 01:00 EDT
        "2026-11-01T05:30:00Z", // 01:30 EDT
        "2026-11-01T06:00:00Z", // 01:00 EST
        "2026-11-01T06:30:00Z", // 01:30 EST
        "2026-11-01T07:00:00Z", // 02:00 EST
        "2026-11-01T07:30:00Z",
        "2026-11-01T08:00:00Z", // 03:00 EST
        "2026-11-02T06:00:00Z",
    ];
    assert_eq!(fires, expected.map(utc));
    // Asked from inside the first pass, the second pass is still ahead.
    assert_eq!(schedule.next_after(utc("2026-11-01T05:45:00Z"), tz), Some(utc("2026-11-01T06:00:00Z")));
}

#[test]
fn berlin_dst_days() {
    let tz = Tz::Europe__Berlin;
    let json = r#"{"interval":1,"intervalUnit":"HOURS","startTimeOfDay":"01:00:00","endTimeOfDay":"04:00:00"}"#;
    let schedule = daily(json);
    let spring: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-03-28T23:30:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(3)
            .collect();
    // 01:00 CET, (02:00 missing), 03:00 and 04:00 CEST.
    assert_eq!(spring, ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"].map(utc));
    let fall: Vec<i64> =
        std::iter::successors(schedule.next_after(utc("2026-10-24T22:30:00Z"), tz), |t| schedule.next_after(*t, tz))
            .take(5)
            .collect();
    // 01:00 CEST, 02:00 CEST, 02:00 CET, 03:00 CET, 04:00 CET.
    assert_eq!(
        fall,
        [
            "2026-10-24T23:00:00Z",
            "2026-10-25T00:00:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T02:00:00Z",
            "2026-10-25T03:00:00Z"
        ]
        .map(utc)
    );
}

#[test]
fn the_search_ends_before_2200() {
    let schedule = daily(r#"{"interval":1,"intervalUnit":"HOURS"}"#);
    assert_eq!(schedule.next_after(utc("2199-12-31T22:30:00Z"), Tz::UTC), Some(utc("2199-12-31T23:00:00Z")));
    assert_eq!(schedule.next_after(utc("2199-12-31T23:00:00Z"), Tz::UTC), None);
    assert_eq!(schedule.next_after(i64::MAX, Tz::UTC), None);
    assert_eq!(schedule.next_after(i64::MIN, Tz::UTC), Some(utc("1969-12-31T00:00:00Z")));
}

#[test]
fn errors_name_the_key_at_fault() {
    assert!(error(r#"{"interval":0}"#).contains("`interval` must be at least 1, got 0"));
    assert!(error(r#"{"interval":10,"unit":"SECONDS"}"#).contains("unknown field `unit`"));
    assert!(error(r#"{"interval":10,"intervalUnit":"DAYS"}"#).contains("unknown variant `DAYS`"));
    assert!(error(r#"{"intervalUnit":"HOURS"}"#).contains("missing field `interval`"));
    assert!(
        error(r#"{"interval":1,"startTimeOfDay":"9:00"}"#).contains("`startTimeOfDay` `9:00` is not a time of day")
    );
    assert!(
        error(r#"{"interval":1,"endTimeOfDay":"24:00:00"}"#).contains("`endTimeOfDay` `24:00:00` is not a time of day")
    );
    assert!(
        error(r#"{"interval":1,"startTimeOfDay":"22:00:00","endTimeOfDay":"02:00:00"}"#)
            .contains("cannot cross midnight")
    );
    assert!(error(r#"{"interval":1,"daysOfWeek":[0]}"#).contains("`daysOfWeek` holds 0; use 1 (Monday) to 7 (Sunday)"));
    assert!(error(r#"{"interval":9223372036854775807,"intervalUnit":"HOURS"}"#).contains("too large"));
    assert!(error("every 10 minutes").starts_with("invalid DAILY_TIME_INTERVAL: expected value"));
}

#[test]
fn nulls_and_absent_keys_take_defaults_and_serde_round_trips() {
    let schedule =
        daily(r#"{"interval":5,"intervalUnit":null,"startTimeOfDay":null,"endTimeOfDay":null,"daysOfWeek":null}"#);
    assert_eq!(schedule, daily(r#"{"interval":5}"#));
    let json = serde_json::to_string(&schedule).unwrap();
    assert_eq!(
        json,
        r#"{"interval":5,"intervalUnit":"SECONDS","startTimeOfDay":"00:00:00","endTimeOfDay":"23:59:59","daysOfWeek":[]}"#
    );
    assert_eq!(serde_json::from_str::<DailyTimeInterval>(&json).unwrap(), schedule);
    assert!(serde_json::from_str::<DailyTimeInterval>(r#"{"interval":-1}"#).is_err());
}
