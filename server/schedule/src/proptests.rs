//! Properties over many inputs: parsing never panics, fire times always move forward and come
//! back quickly, and plain CRON expressions agree with a brute-force reading of the calendar.

use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use proptest::prelude::*;

use crate::{CronSchedule, DailyTimeInterval, parse_time_zone};

const ZONES: [Tz; 6] = [
    Tz::UTC,
    Tz::Asia__Shanghai,
    Tz::America__New_York,
    Tz::Europe__Berlin,
    Tz::Australia__Lord_Howe,
    Tz::Pacific__Apia,
];
/// 1970-01-01 to 2150-01-01.
const INSTANTS: std::ops::Range<i64> = 0..5_680_281_600_000;
/// Generous for a debug build on a busy machine; release calls take microseconds.
const QUICK: Duration = Duration::from_millis(250);

/// Fields glued from cron-like tokens, most of them wrong.
fn token_field() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => "[0-9]{1,2}",
        6 => Just("*".to_owned()),
        2 => Just("?".to_owned()),
        1 => Just("L".to_owned()),
        1 => Just("W".to_owned()),
        1 => Just("#".to_owned()),
        1 => Just("/".to_owned()),
        1 => Just("-".to_owned()),
        1 => Just(",".to_owned()),
        1 => prop::sample::select(vec!["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]).prop_map(str::to_owned),
        1 => prop::sample::select(vec!["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
            .prop_map(str::to_owned),
    ];
    let token = token.boxed();
    prop_oneof![8 => token.clone(), 1 => prop::collection::vec(token, 2..5).prop_map(|tokens| tokens.concat())]
}

/// One Quartz-shaped field, often valid, sometimes out of range.
fn quartz_field(position: usize) -> BoxedStrategy<String> {
    let (low, high) = match position {
        0 | 1 => (0u32, 59u32),
        2 => (0, 23),
        3 => (1, 31),
        4 => (1, 12),
        5 => (1, 7),
        _ => (1970, 2199),
    };
    let value = move || low.saturating_sub(1)..=high + 1;
    let plain = prop_oneof![
        Just("*".to_owned()),
        value().prop_map(|v| v.to_string()),
        (value(), value()).prop_map(|(a, b)| format!("{a}-{b}")),
        (1..=12u32).prop_map(|step| format!("*/{step}")),
        (value(), 1..=12u32).prop_map(|(a, step)| format!("{a}/{step}")),
        prop::collection::vec(value(), 1..4).prop_map(|vs| vs.iter().map(u32::to_string).collect::<Vec<_>>().join(",")),
    ];
    match position {
        3 => prop_oneof![
            4 => Just("?".to_owned()),
            4 => plain,
            1 => Just("L".to_owned()),
            1 => Just("LW".to_owned()),
            1 => (0..=32u32).prop_map(|d| format!("{d}W")),
        ]
        .boxed(),
        5 => prop_oneof![
            4 => Just("?".to_owned()),
            4 => plain,
            1 => (1..=7u32).prop_map(|d| format!("{d}L")),
            1 => (1..=7u32, 1..=5u32).prop_map(|(d, n)| format!("{d}#{n}")),
            1 => Just("MON-FRI".to_owned()),
        ]
        .boxed(),
        _ => plain.boxed(),
    }
}

fn quartz_expression() -> impl Strategy<Value = String> {
    let six = (0..6).map(quartz_field).collect::<Vec<_>>();
    (six, prop::option::of(quartz_field(6))).prop_map(|(mut fields, year)| {
        fields.extend(year);
        fields.join(" ")
    })
}

fn token_expression() -> impl Strategy<Value = String> {
    let count = prop::sample::select(vec![5, 6, 6, 6, 7, 7, 8]);
    (count, prop::collection::vec(token_field(), 8)).prop_map(|(count, fields)| fields[..count].join(" "))
}

/// Checks that every answer is strictly later and quick.
fn moves_forward(schedule: &CronSchedule, instants: &[i64], zone: usize) -> Result<(), TestCaseError> {
    let tz = ZONES[zone];
    for &after in instants {
        let started = Instant::now();
        let next = schedule.next_after(after, tz);
        let took = started.elapsed();
        prop_assert!(took < QUICK, "{schedule} in {tz} after {after} took {took:?}");
        if let Some(next) = next {
            prop_assert!(next > after, "{schedule} in {tz}: {next} is not after {after}");
        }
    }
    Ok(())
}

/// Sets small enough to scan: `(values, field text)`.
fn small_set(low: u32, high: u32) -> impl Strategy<Value = (Vec<u32>, String)> {
    prop_oneof![
        1 => Just(((low..=high).collect(), "*".to_owned())),
        3 => prop::collection::btree_set(low..=high, 1..4).prop_map(|set| {
            let values: Vec<u32> = set.into_iter().collect();
            let text = values.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            (values, text)
        }),
    ]
}

/// The brute-force answer: scan days, then the listed hours, minutes and seconds, in UTC.
fn brute_force(sets: &[Vec<u32>; 6], dom_any: bool, dow_any: bool, after_ms: i64) -> Option<i64> {
    let after = DateTime::from_timestamp_millis(after_ms)?.naive_utc();
    let mut day = after.date();
    for _ in 0..3100 {
        let dom_ok = dom_any || sets[3].contains(&day.day());
        let dow_ok = dow_any || sets[5].contains(&(day.weekday().num_days_from_sunday() + 1));
        if sets[4].contains(&day.month()) && dom_ok && dow_ok {
            for &h in &sets[2] {
                for &m in &sets[1] {
                    for &s in &sets[0] {
                        let t = day.and_hms_opt(h, m, s)?;
                        if t > after {
                            return Some(t.and_utc().timestamp_millis());
                        }
                    }
                }
            }
        }
        day = day.succ_opt()?;
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn cron_parse_never_panics_on_any_string(text in ".*") {
        let _ = CronSchedule::parse(&text);
    }

    #[test]
    fn quartz_shaped_expressions_move_forward(
        expression in quartz_expression(),
        instants in prop::collection::vec(INSTANTS, 1..4),
        zone in 0..ZONES.len(),
    ) {
        if let Ok(schedule) = CronSchedule::parse(&expression) {
            moves_forward(&schedule, &instants, zone)?;
            // Chained calls keep moving forward too.
            let tz = ZONES[zone];
            let mut after = instants[0];
            for _ in 0..5 {
                let Some(next) = schedule.next_after(after, tz) else { break };
                prop_assert!(next > after);
                after = next;
            }
        }
    }

    #[test]
    fn plain_expressions_match_a_brute_force_scan(
        seconds in small_set(0, 59),
        minutes in small_set(0, 59),
        hours in small_set(0, 23),
        days in small_set(1, 31),
        months in small_set(1, 12),
        weekdays in small_set(1, 7),
        use_weekdays in any::<bool>(),
        after in INSTANTS,
    ) {
        let (dom, dow) = if use_weekdays { ("?".to_owned(), weekdays.1.clone()) } else { (days.1.clone(), "?".to_owned()) };
        let expression = format!("{} {} {} {} {} {}", seconds.1, minutes.1, hours.1, dom, months.1, dow);
        let schedule = CronSchedule::parse(&expression).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sets = [seconds.0, minutes.0, hours.0, days.0, months.0, weekdays.0];
        let expected = brute_force(&sets, use_weekdays, !use_weekdays, after);
        prop_assert_eq!(schedule.next_after(after, Tz::UTC), expected, "{}", expression);
    }

    #[test]
    fn daily_parse_never_panics_on_any_string(text in ".*") {
        let _ = DailyTimeInterval::parse(&text);
    }

    #[test]
    fn daily_fires_on_the_grid_inside_the_window(
        interval in 1..5000i64,
        unit in prop::sample::select(vec!["SECONDS", "MINUTES", "HOURS"]),
        start in 0..86_400i64,
        length in 0..86_400i64,
        days in prop::collection::vec(1..=7i64, 0..4),
        after in INSTANTS,
        zone in 0..ZONES.len(),
    ) {
        let end = (start + length).min(86_399);
        let clock = |s: i64| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
        let json = serde_json::json!({
            "interval": interval, "intervalUnit": unit, "startTimeOfDay": clock(start),
            "endTimeOfDay": clock(end), "daysOfWeek": days,
        })
        .to_string();
        let schedule = DailyTimeInterval::parse(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let tz = ZONES[zone];
        let started = Instant::now();
        let next = schedule.next_after(after, tz);
        prop_assert!(started.elapsed() < QUICK);
        let next = next.ok_or_else(|| TestCaseError::fail(format!("{json}: no fire after {after}")))?;
        prop_assert!(next > after);
        let wall = DateTime::from_timestamp_millis(next).map(|t| t.with_timezone(&tz).naive_local());
        let wall = wall.ok_or_else(|| TestCaseError::fail("out of range"))?;
        let seconds = i64::from(wall.num_seconds_from_midnight());
        let unit_s = match unit { "SECONDS" => 1, "MINUTES" => 60, _ => 3600 };
        prop_assert!(start <= seconds && seconds <= end, "{json}: {wall}");
        prop_assert_eq!((seconds - start) % (interval * unit_s), 0, "{}: {}", json, wall);
        let weekday = i64::from(wall.weekday().number_from_monday());
        prop_assert!(days.is_empty() || days.contains(&weekday), "{json}: {wall}");
        prop_assert_eq!(wall.nanosecond(), 0);
        prop_assert!(NaiveDate::from_ymd_opt(2200, 1, 1).is_some_and(|end| wall.date() <= end));
    }

    #[test]
    fn parse_time_zone_never_panics(name in ".*") {
        let _ = parse_time_zone(&name);
    }
}

proptest! {
    // Few token soups parse (about 1 in 200), so try many: a failed parse costs microseconds.
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn cron_like_tokens_never_panic_and_move_forward(
        expression in token_expression(),
        instants in prop::collection::vec(INSTANTS, 1..4),
        zone in 0..ZONES.len(),
    ) {
        if let Ok(schedule) = CronSchedule::parse(&expression) {
            moves_forward(&schedule, &instants, zone)?;
        }
    }
}
