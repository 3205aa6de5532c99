//! The rules a job definition must follow; every problem is reported with
//! the JSON name of its field.

use super::model::{DispatchStrategy, ExecuteType, JobSpec, ProcessorType, TimeExpressionType};
use crate::error::FieldError;
use crate::json::Validate;
use serde::Deserialize;
use std::str::FromStr;

struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(field, format!("at most {max} characters"));
        }
    }
}

impl Validate for JobSpec {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut p = Problems(Vec::new());
        if self.name.trim().is_empty() {
            p.add("name", "must not be empty");
        }
        p.max_len("name", &self.name, 255);
        p.max_len("description", &self.description, 10_000);
        p.max_len("jobParams", &self.job_params, 65_536);
        p.max_len("tag", &self.tag, 255);
        p.max_len("extra", &self.extra, 65_536);
        if let Err(message) = check_time_expression(self.time_expression_type, &self.time_expression) {
            p.add("timeExpression", message);
        }
        if !self.time_zone.is_empty() && chrono_tz::Tz::from_str(&self.time_zone).is_err() {
            p.add(
                "timeZone",
                format!("`{}` is not an IANA time zone such as `Asia/Shanghai` or `UTC`", self.time_zone),
            );
        }
        if let (Some(start), Some(end)) = (self.lifecycle.start, self.lifecycle.end)
            && start >= end
        {
            p.add("lifecycle", "start must be before end");
        }
        check_processor(self, &mut p);
        if !(1..=1000).contains(&self.concurrency) {
            p.add("concurrency", "must be between 1 and 1000");
        }
        if self.instance_retry_num > 100 {
            p.add("instanceRetryNum", "at most 100");
        }
        if self.task_retry_num > 100 {
            p.add("taskRetryNum", "at most 100");
        }
        for (field, value) in [
            ("minCpuCores", self.min_cpu_cores),
            ("minMemorySpace", self.min_memory_space),
            ("minDiskSpace", self.min_disk_space),
        ] {
            if !value.is_finite() || !(0.0..=1_000_000.0).contains(&value) {
                p.add(field, "must be a number from 0 to 1000000");
            }
        }
        if self.designated_workers.len() > 1000 {
            p.add("designatedWorkers", "at most 1000 entries");
        }
        if self.designated_workers.iter().any(|w| w.trim().is_empty() || w.len() > 255) {
            p.add("designatedWorkers", "entries must be 1 to 255 characters");
        }
        if self.dispatch_strategy == DispatchStrategy::Specify && self.dispatch_strategy_config.trim().is_empty() {
            p.add("dispatchStrategyConfig", "SPECIFY needs the workers to dispatch to");
        }
        p.max_len("dispatchStrategyConfig", &self.dispatch_strategy_config, 65_536);
        if self.alarm_config.receivers.len() > 100 {
            p.add("alarmConfig.receivers", "at most 100 receivers");
        }
        if p.0.is_empty() { Ok(()) } else { Err(p.0) }
    }
}

fn check_processor(spec: &JobSpec, p: &mut Problems) {
    match spec.processor_type {
        ProcessorType::Wasm => {
            let (container, version) = match spec.processor_info.split_once('@') {
                Some((c, v)) => (c, Some(v)),
                None => (spec.processor_info.as_str(), None),
            };
            let valid_name = |s: &str| {
                !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            };
            if !valid_name(container) {
                p.add("processorInfo", "WASM jobs name their container: `container` or `container@version`");
            } else if version.is_some_and(|v| !valid_name(v)) {
                p.add("processorInfo", "the version after `@` must be 1 to 128 letters, digits, `.`, `_` or `-`");
            }
        }
        ProcessorType::FileCleanup | ProcessorType::Config if spec.execute_type != ExecuteType::Broadcast => {
            p.add("executeType", "FILE_CLEANUP and CONFIG processors run as BROADCAST");
        }
        _ => p.max_len("processorInfo", &spec.processor_info, 1024),
    }
}

/// Checks a time expression against its type.
pub fn check_time_expression(kind: TimeExpressionType, expression: &str) -> Result<(), String> {
    let expression = expression.trim();
    match kind {
        TimeExpressionType::Api | TimeExpressionType::Workflow => {
            if expression.is_empty() {
                Ok(())
            } else {
                Err("API and WORKFLOW jobs take no time expression".into())
            }
        }
        TimeExpressionType::Cron => {
            if expression.is_empty() {
                return Err("CRON jobs need an expression, e.g. `0 */5 * * * ?`".into());
            }
            cron::Schedule::from_str(expression).map(|_| ()).map_err(|e| {
                format!(
                    "`{expression}` is not a valid CRON expression (seconds minutes hours day-of-month month \
                     day-of-week [year]): {e}"
                )
            })
        }
        TimeExpressionType::FixedRate | TimeExpressionType::FixedDelay => match expression.parse::<u64>() {
            Ok(ms) if (1..=31_536_000_000).contains(&ms) => Ok(()),
            _ => Err(format!(
                "FIXED_RATE and FIXED_DELAY take an interval in milliseconds from 1 to 31536000000, not `{expression}`"
            )),
        },
        TimeExpressionType::DailyTimeInterval => check_daily_interval(expression),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DailyInterval {
    interval: u32,
    #[serde(default = "seconds")]
    interval_unit: String,
    start_time_of_day: String,
    end_time_of_day: String,
    #[serde(default)]
    days_of_week: Vec<u8>,
}

fn seconds() -> String {
    "SECONDS".into()
}

fn check_daily_interval(expression: &str) -> Result<(), String> {
    let example = r#"{"interval":10,"intervalUnit":"MINUTES","startTimeOfDay":"09:00:00","endTimeOfDay":"18:00:00","daysOfWeek":[1,2,3,4,5]}"#;
    let spec: DailyInterval =
        serde_json::from_str(expression).map_err(|e| format!("DAILY_TIME_INTERVAL takes JSON like {example}: {e}"))?;
    if spec.interval == 0 {
        return Err("interval must be at least 1".into());
    }
    if !["SECONDS", "MINUTES", "HOURS"].contains(&spec.interval_unit.as_str()) {
        return Err("intervalUnit must be SECONDS, MINUTES or HOURS".into());
    }
    let parse = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S");
    match (parse(&spec.start_time_of_day), parse(&spec.end_time_of_day)) {
        (Ok(start), Ok(end)) if start < end => {}
        (Ok(_), Ok(_)) => return Err("startTimeOfDay must be before endTimeOfDay".into()),
        _ => return Err("startTimeOfDay and endTimeOfDay are times like 09:30:00".into()),
    }
    if spec.days_of_week.iter().any(|d| !(1..=7).contains(d)) {
        return Err("daysOfWeek holds numbers from 1 (Monday) to 7 (Sunday)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_expressions_are_parsed() {
        assert!(check_time_expression(TimeExpressionType::Cron, "0 */5 * * * ?").is_ok());
        assert!(check_time_expression(TimeExpressionType::Cron, "0 0 12 * * MON-FRI").is_ok());
        let err = check_time_expression(TimeExpressionType::Cron, "every day").unwrap_err();
        assert!(err.contains("not a valid CRON expression"), "{err}");
        assert!(check_time_expression(TimeExpressionType::Cron, "").is_err());
    }

    #[test]
    fn intervals_and_api_jobs_are_checked() {
        assert!(check_time_expression(TimeExpressionType::FixedRate, "5000").is_ok());
        assert!(check_time_expression(TimeExpressionType::FixedDelay, "0").is_err());
        assert!(check_time_expression(TimeExpressionType::FixedRate, "5s").is_err());
        assert!(check_time_expression(TimeExpressionType::Api, "").is_ok());
        assert!(check_time_expression(TimeExpressionType::Api, "0 * * * * ?").is_err());
    }

    #[test]
    fn daily_intervals_are_checked() {
        let ok = r#"{"interval":10,"intervalUnit":"MINUTES","startTimeOfDay":"09:00:00","endTimeOfDay":"18:00:00","daysOfWeek":[1,5]}"#;
        assert!(check_time_expression(TimeExpressionType::DailyTimeInterval, ok).is_ok());
        let backwards = r#"{"interval":10,"startTimeOfDay":"18:00:00","endTimeOfDay":"09:00:00"}"#;
        assert!(check_time_expression(TimeExpressionType::DailyTimeInterval, backwards).is_err());
        let bad_day = r#"{"interval":1,"startTimeOfDay":"00:00:00","endTimeOfDay":"01:00:00","daysOfWeek":[8]}"#;
        assert!(check_time_expression(TimeExpressionType::DailyTimeInterval, bad_day).is_err());
    }
}
