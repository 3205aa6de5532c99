//! Figures: a scenario's rows and JSON, percentiles, and the summary.

use super::*;

pub(crate) struct Row {
    pub(crate) measure: String,
    pub(crate) value: String,
    pub(crate) goal: String,
    pub(crate) met: Option<bool>,
}

pub(crate) struct Outcome {
    pub(crate) scenario: String,
    pub(crate) database: String,
    pub(crate) rows: Vec<Row>,
    pub(crate) json: Value,
}

impl Outcome {
    pub(crate) fn new(scenario: &str, database: String) -> Self {
        Outcome { scenario: scenario.into(), database, rows: Vec::new(), json: json!({"scenario": scenario}) }
    }

    pub(crate) fn row(&mut self, measure: impl Into<String>, value: impl Into<String>) {
        self.rows.push(Row { measure: measure.into(), value: value.into(), goal: String::new(), met: None });
    }

    pub(crate) fn goal(&mut self, measure: impl Into<String>, value: impl Into<String>, goal: &str, met: bool) {
        self.rows.push(Row { measure: measure.into(), value: value.into(), goal: goal.into(), met: Some(met) });
    }

    pub(crate) fn set(&mut self, key: &str, value: Value) {
        self.json[key] = value;
    }

    pub(crate) fn print(&self) {
        println!("\n{} — {}", self.scenario, self.database);
        let width = self.rows.iter().map(|r| r.measure.chars().count()).max().unwrap_or(0);
        let value_width = self.rows.iter().map(|r| r.value.chars().count()).max().unwrap_or(0);
        for row in &self.rows {
            let verdict = match row.met {
                Some(true) => format!("  goal {}: met", row.goal),
                Some(false) => format!("  goal {}: NOT MET", row.goal),
                None => String::new(),
            };
            println!("  {:<width$}  {:>value_width$}{verdict}", row.measure, row.value);
        }
        let mut line = self.json.clone();
        line["database"] = json!(self.database);
        println!("{line}");
    }
}

pub(crate) fn print_summary(outcomes: &[Outcome]) {
    let goals: Vec<(&Outcome, &Row)> =
        outcomes.iter().flat_map(|o| o.rows.iter().filter(|r| r.met.is_some()).map(move |r| (o, r))).collect();
    if goals.is_empty() {
        return;
    }
    println!("\nsummary");
    println!("  {:<20} {:<44} {:>22}  {:<14} met", "scenario", "measure", "value", "goal");
    for (outcome, row) in goals {
        let met = if row.met == Some(true) { "yes" } else { "NO" };
        println!("  {:<20} {:<44} {:>22}  {:<14} {met}", outcome.scenario, row.measure, row.value, row.goal);
    }
}

/// Nearest-rank percentile of sorted values.
pub(crate) fn pct(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(crate) fn sorted(mut values: Vec<i64>) -> Vec<i64> {
    values.sort_unstable();
    values
}

pub(crate) fn spread(values: &[i64]) -> Value {
    json!({"p50": pct(values, 0.5), "p99": pct(values, 0.99), "max": values.last().copied().unwrap_or(0)})
}

pub(crate) fn spread_text(values: &[i64]) -> String {
    format!("{} / {} / {} ms", pct(values, 0.5), pct(values, 0.99), values.last().copied().unwrap_or(0))
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Calls `done` every `every` until it returns true; fails after `limit`
/// naming what it waited for (and the last state `done` reported).
pub(crate) fn wait_until(
    limit: Duration,
    every: Duration,
    what: &str,
    mut done: impl FnMut() -> Result<(bool, String)>,
) -> Result<()> {
    let started = Instant::now();
    loop {
        let (ok, state) = done()?;
        if ok {
            return Ok(());
        }
        if started.elapsed() > limit {
            bail!("timed out after {} s waiting for {what} ({state})", limit.as_secs());
        }
        std::thread::sleep(every);
    }
}
