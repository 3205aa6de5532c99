//! Reads the fields of a Quartz CRON expression, checking every value, and
//! writes them back in the plain form croner reads: number lists, `*`, and
//! the day specials `L`, `LW`, `nW`, `nL` and `n#k`.

use std::collections::BTreeSet;

use crate::error::{CronField, Result, ScheduleError};

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A field that is a set of plain values (seconds, minutes, hours, months, years).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Values {
    pub(crate) field: CronField,
    pub(crate) values: Vec<u32>,
}

impl Values {
    /// Reads a list field such as `0,15,30-40/5`.
    pub(crate) fn parse(field: CronField, text: &str) -> Result<Self> {
        Ok(Values { field, values: parse_list(field, text)? })
    }

    /// Every value of the field.
    pub(crate) fn all(field: CronField) -> Self {
        let (min, max) = field.bounds();
        Values { field, values: (min..=max).collect() }
    }

    /// The field in croner's syntax.
    pub(crate) fn render(&self) -> String {
        let (min, max) = self.field.bounds();
        if self.values.len() == (max - min + 1) as usize {
            return "*".to_owned();
        }
        join(&self.values)
    }
}

/// The day-of-month field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MonthDay {
    /// `?` or `*`: no restriction.
    Any,
    /// Listed days.
    Days(Vec<u32>),
    /// `L`: the last day of the month.
    Last,
    /// `LW`: the last weekday (Monday-Friday) of the month.
    LastWeekday,
    /// `nW`: the weekday nearest to day n, within the month.
    NearestWeekday(u32),
}

impl MonthDay {
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let field = CronField::DayOfMonth;
        match text {
            "?" | "*" => return Ok(MonthDay::Any),
            "L" => return Ok(MonthDay::Last),
            "LW" => return Ok(MonthDay::LastWeekday),
            _ => {}
        }
        if text.starts_with("L-") {
            return Err(syntax(
                field,
                text,
                "Quartz's `L-n` (n days before the last day) is not supported; use `L` for the last day \
                 or `LW` for the last weekday",
            ));
        }
        if let Some(day) = text.strip_suffix('W')
            && !day.is_empty()
            && day.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(MonthDay::NearestWeekday(number(field, day, text)?));
        }
        Ok(MonthDay::Days(parse_list(field, text)?))
    }

    pub(crate) fn render(&self) -> String {
        match self {
            MonthDay::Any => "*".to_owned(),
            MonthDay::Days(days) => join(days),
            MonthDay::Last => "L".to_owned(),
            MonthDay::LastWeekday => "LW".to_owned(),
            MonthDay::NearestWeekday(day) => format!("{day}W"),
        }
    }
}

/// The day-of-week field, 1 = Sunday .. 7 = Saturday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WeekDay {
    /// `?` or `*`: no restriction.
    Any,
    /// Listed weekdays.
    Days(Vec<u32>),
    /// `nL`: the last weekday n of the month.
    Last(u32),
    /// `n#k`: the k-th weekday n of the month.
    Nth(u32, u32),
}

impl WeekDay {
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let field = CronField::DayOfWeek;
        match text {
            "?" | "*" => return Ok(WeekDay::Any),
            // Quartz reads a lone `L` in this field as the last day of the week.
            "L" => return Ok(WeekDay::Days(vec![7])),
            _ => {}
        }
        if let Some((day, nth)) = text.split_once('#') {
            if day.contains([',', '-', '/']) {
                return Err(syntax(field, text, "`#` takes one weekday, e.g. `6#3` (the third Friday)"));
            }
            let day = number(field, day, text)?;
            let nth = match nth.parse::<u32>() {
                Ok(value @ 1..=5) if nth.len() == 1 => value,
                _ => {
                    return Err(syntax(field, text, "the number after `#` must be 1-5, e.g. `6#3` (the third Friday)"));
                }
            };
            return Ok(WeekDay::Nth(day, nth));
        }
        if let Some(day) = text.strip_suffix('L') {
            if day.contains([',', '-', '/']) {
                return Err(syntax(field, text, "`L` takes one weekday, e.g. `6L` (the last Friday)"));
            }
            return Ok(WeekDay::Last(number(field, day, text)?));
        }
        Ok(WeekDay::Days(parse_list(field, text)?))
    }

    pub(crate) fn render(&self) -> String {
        match self {
            WeekDay::Any => "*".to_owned(),
            WeekDay::Days(days) => join(days),
            WeekDay::Last(day) => format!("{day}L"),
            WeekDay::Nth(day, nth) => format!("{day}#{nth}"),
        }
    }
}

/// Reads a comma-separated list of values, ranges and steps.
fn parse_list(field: CronField, text: &str) -> Result<Vec<u32>> {
    let (min, max) = field.bounds();
    let mut set = BTreeSet::new();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(syntax(
                field,
                text,
                "the list has an empty entry; separate values with single commas, e.g. `1,15,30`",
            ));
        }
        if let Some(special) = without_names(item).chars().find(|c| matches!(c, '?' | 'L' | 'W' | '#')) {
            return Err(syntax(field, text, &special_misplaced(field, special)));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(parse_step(field, item, step)?)),
            None => (item, None),
        };
        let (start, end) = if base == "*" || (base.is_empty() && step.is_some()) {
            (min, max)
        } else if let Some((from, to)) = base.split_once('-') {
            (number(field, from, item)?, number(field, to, item)?)
        } else {
            let value = number(field, base, item)?;
            (value, if step.is_some() { max } else { value })
        };
        if start > end && field == CronField::Year {
            return Err(syntax(
                field,
                item,
                "the range runs backwards; write the earlier year first, e.g. `2026-2030`",
            ));
        }
        // A range may wrap past the end of the field, as in Quartz: `22-2` for hours, `FRI-MON`.
        let span = max - min + 1;
        let length = (end + span - start) % span;
        let step = step.unwrap_or(1);
        set.extend((0..=length).step_by(step as usize).map(|offset| min + (start - min + offset) % span));
    }
    Ok(set.into_iter().collect())
}

/// The item with month or weekday names removed, so `WED` or `JUL` is not read as `W` or `L`.
/// In other fields a name is reported as a name, not as its letters.
fn without_names(item: &str) -> String {
    MONTHS.iter().chain(&WEEKDAYS).fold(item.to_owned(), |rest, name| rest.replace(name, ""))
}

/// Reads the number after `/`.
fn parse_step(field: CronField, item: &str, step: &str) -> Result<u32> {
    let (min, max) = field.bounds();
    let span = max - min + 1;
    match step.parse::<u32>() {
        Ok(value) if (1..=span).contains(&value) && step.bytes().all(|b| b.is_ascii_digit()) => Ok(value),
        _ => Err(syntax(
            field,
            item,
            &format!("the step after `/` must be a number from 1 to {span}, e.g. `*/5` or `10-40/5`"),
        )),
    }
}

/// Reads one value: digits, or a name in the month and day-of-week fields.
///
/// `item` is the part of the field being read, shown in syntax errors.
fn number(field: CronField, text: &str, item: &str) -> Result<u32> {
    let (min, max) = field.bounds();
    if text.is_empty() {
        return Err(syntax(field, item, "a number is missing, e.g. write `1-5`, not `-5` or `1-`"));
    }
    let names: &[&str] = match field {
        CronField::Month => &MONTHS,
        CronField::DayOfWeek => &WEEKDAYS,
        _ => &[],
    };
    if let Some(index) = names.iter().position(|name| *name == text) {
        return Ok(index as u32 + 1);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        let expected = match field {
            CronField::Month => "a month number or name (JAN-DEC)",
            CronField::DayOfWeek => "a weekday number or name (1-7 or SUN-SAT, where 1 = SUN)",
            _ => "a number",
        };
        return Err(syntax(field, item, &format!("expected {expected}, not `{text}`")));
    }
    match text.parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(ScheduleError::CronOutOfRange { field, value: text.to_owned() }),
    }
}

/// Why `L`, `W`, `#` or `?` cannot stand where it was found.
fn special_misplaced(field: CronField, special: char) -> String {
    match (field, special) {
        (CronField::DayOfMonth | CronField::DayOfWeek, '?') => {
            "`?` must be the whole field, meaning no specific day".to_owned()
        }
        (CronField::DayOfMonth, 'L' | 'W') => {
            format!("`{special}` must be the whole field, e.g. `L`, `LW` or `15W`, not part of a list or range")
        }
        (CronField::DayOfWeek, 'L' | '#') => {
            format!("`{special}` must be the whole field, e.g. `6L` or `6#3`, not part of a list or range")
        }
        _ => format!("`{special}` is only allowed in the day-of-month or day-of-week field"),
    }
}

fn syntax(field: CronField, value: &str, reason: &str) -> ScheduleError {
    ScheduleError::CronSyntax { field, value: value.to_owned(), reason: reason.to_owned() }
}

fn join(values: &[u32]) -> String {
    values.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(field: CronField, text: &str) -> Vec<u32> {
        parse_list(field, text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn lists_ranges_and_steps() {
        assert_eq!(list(CronField::Second, "*/15"), [0, 15, 30, 45]);
        assert_eq!(list(CronField::Minute, "5/20"), [5, 25, 45]);
        assert_eq!(list(CronField::Minute, "/30"), [0, 30]);
        assert_eq!(list(CronField::Hour, "9-17/4,23"), [9, 13, 17, 23]);
        assert_eq!(list(CronField::Month, "JAN,MAR,nov-DEC".to_uppercase().as_str()), [1, 3, 11, 12]);
        assert_eq!(list(CronField::DayOfWeek, "MON-FRI"), [2, 3, 4, 5, 6]);
        assert_eq!(list(CronField::Year, "2026-2030/2"), [2026, 2028, 2030]);
    }

    #[test]
    fn ranges_wrap_like_quartz() {
        assert_eq!(list(CronField::Hour, "22-2"), [0, 1, 2, 22, 23]);
        assert_eq!(list(CronField::DayOfWeek, "FRI-MON"), [1, 2, 6, 7]);
        assert_eq!(list(CronField::Month, "11-2/2"), [1, 11]);
        assert!(parse_list(CronField::Year, "2030-2020").is_err());
    }

    #[test]
    fn bad_values_are_named() {
        let error = parse_list(CronField::Second, "0,61").unwrap_err();
        assert_eq!(error.to_string(), "`61` is out of range for the seconds field (0-59)");
        let error = parse_list(CronField::DayOfWeek, "0").unwrap_err();
        assert!(error.to_string().contains("1-7 or SUN-SAT"), "{error}");
        let error = parse_list(CronField::Minute, "*/0").unwrap_err();
        assert!(error.to_string().contains("step after `/`"), "{error}");
        let error = parse_list(CronField::Hour, "L").unwrap_err();
        assert!(error.to_string().contains("only allowed in the day-of-month"), "{error}");
        let error = parse_list(CronField::Month, "FOO").unwrap_err();
        assert!(error.to_string().contains("JAN-DEC"), "{error}");
    }

    #[test]
    fn day_specials() {
        assert_eq!(MonthDay::parse("15W"), Ok(MonthDay::NearestWeekday(15)));
        assert_eq!(MonthDay::parse("LW"), Ok(MonthDay::LastWeekday));
        assert!(MonthDay::parse("L-3").unwrap_err().to_string().contains("not supported"));
        assert!(MonthDay::parse("1W,15").is_err());
        assert!(MonthDay::parse("32W").is_err());
        assert_eq!(WeekDay::parse("FRI#3"), Ok(WeekDay::Nth(6, 3)));
        assert_eq!(WeekDay::parse("FRIL"), Ok(WeekDay::Last(6)));
        assert_eq!(WeekDay::parse("L"), Ok(WeekDay::Days(vec![7])));
        assert!(WeekDay::parse("6#6").is_err());
        assert!(WeekDay::parse("2-6L").is_err());
        assert!(WeekDay::parse("MON,6#3").is_err());
    }
}
