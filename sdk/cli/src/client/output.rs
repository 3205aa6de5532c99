//! What client commands print: `--json` replies as received, or plain aligned tables and field lists.

use super::{CliError, Reply};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// Longest cell of a table before it is cut with `…`.
const MAX_CELL: usize = 60;

/// Writes lines to stdout.
pub fn lines(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    Ok(())
}

/// Writes a reply's body as received, unless it is empty.
pub fn raw(reply: &Reply) -> Result<(), CliError> {
    let text = reply.text.trim_end();
    if text.is_empty() { Ok(()) } else { lines(text) }
}

/// Unix milliseconds as `2026-01-02T03:04:05.678Z`.
pub fn iso_time(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s) = (day_secs / 3600, day_secs % 3600 / 60, day_secs % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Year, month, day of a count of days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Whether a field holds Unix milliseconds, by its name.
fn is_time(key: &str) -> bool {
    key.ends_with("At") || key.ends_with("Time") || key == "time"
}

/// A value of a field list as one line of text: strings bare, times as ISO, `-` for null.
fn text(key: &str, value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => one_line(s),
        Value::Number(n) if is_time(key) => n.as_i64().map_or_else(|| n.to_string(), iso_time),
        other => other.to_string(),
    }
}

/// Text on one line: line breaks and tabs become spaces.
pub fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

/// Optional text on one line, `-` when absent.
pub fn opt_text(text: Option<&str>) -> String {
    text.map_or_else(|| "-".into(), one_line)
}

/// Optional Unix milliseconds as ISO time, `-` when absent.
pub fn opt_time(ms: Option<i64>) -> String {
    ms.map_or_else(|| "-".into(), iso_time)
}

/// The API's name of an enum value (`CRON`, `WAITING_DISPATCH`, …), as the server writes it.
pub fn name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        Ok(other) => text("", &other),
        Err(e) => format!("<{e}>"),
    }
}

/// A plain table: a header row and columns padded to their widest cell.
#[derive(Debug)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(headers: &[&str]) -> Self {
        Table { rows: vec![headers.iter().map(|h| h.to_string()).collect()] }
    }

    /// Adds a row; long cells are cut.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| cut(&c, MAX_CELL)).collect());
    }

    /// The table's text, without a trailing newline.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| self.rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.pop();
        out
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// A record of the API as `key  value` lines: the `first` keys in that
/// order, then every other field alphabetically, so nothing the server
/// sent is hidden.
pub fn fields(record: &impl Serialize, first: &[&str]) -> Result<String, CliError> {
    let object = serde_json::to_value(record).map_err(|e| CliError::Failed(e.to_string()))?;
    let Some(map) = object.as_object() else {
        return Ok(object.to_string());
    };
    let mut keys: Vec<&str> = first.iter().copied().filter(|k| map.contains_key(*k)).collect();
    let mut rest: Vec<&str> = map.keys().map(String::as_str).filter(|k| !first.contains(k)).collect();
    rest.sort_unstable();
    keys.extend(rest);
    let width = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    Ok(keys.iter().map(|k| format!("{k:<width$}  {}", text(k, &map[*k]))).collect::<Vec<_>>().join("\n"))
}

/// The line under a listing: `3 of 45 jobs, page 0 (size 20)`.
pub fn footer(total: i64, page: u32, size: u32, shown: usize, noun: &str) -> String {
    let plural = if total == 1 { "" } else { "s" };
    format!("{shown} of {total} {noun}{plural}, page {page} (size {size})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_utc() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
        assert_eq!(iso_time(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_time(1_893_456_000_000 - 1), "2029-12-31T23:59:59.999Z");
        assert_eq!(iso_time(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn tables_align_and_cut() {
        let mut table = Table::new(&["ID", "NAME"]);
        table.row(vec!["1".into(), "a".into()]);
        table.row(vec!["12345".into(), "x".repeat(70)]);
        let text = table.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ID     NAME");
        assert_eq!(lines[1], "1      a");
        assert!(lines[2].ends_with('…') && lines[2].chars().count() == 7 + MAX_CELL, "{}", lines[2]);
    }

    #[test]
    fn values_become_one_line() {
        assert_eq!(text("createdAt", &serde_json::json!(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(text("concurrency", &serde_json::json!(8)), "8");
        assert_eq!(text("name", &serde_json::json!("a\nb")), "a b");
        assert_eq!(text("finishedTime", &Value::Null), "-");
        assert_eq!(text("tags", &serde_json::json!(["x"])), "[\"x\"]");
        assert_eq!((opt_text(None), opt_text(Some("a\tb"))), ("-".to_string(), "a b".to_string()));
        assert_eq!((opt_time(None), opt_time(Some(1))), ("-".to_string(), "1970-01-01T00:00:00.001Z".to_string()));
    }
}
