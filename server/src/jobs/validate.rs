//! The rules a job definition must follow; every problem is reported with
//! the JSON name of its field.

use super::model::{DispatchStrategy, ExecuteType, JobSpec, ProcessorType, TimeExpressionType};
use crate::error::FieldError;
use crate::json::Validate;

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
        if let Err(e) = wasmjob_schedule::parse_time_zone(&self.time_zone) {
            p.add("timeZone", e.to_string());
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
        if self.instance_retry_interval > 86_400_000 {
            p.add("instanceRetryInterval", "at most 86400000 (one day)");
        }
        if !self.instance_retry_backoff.is_finite() || !(1.0..=10.0).contains(&self.instance_retry_backoff) {
            p.add("instanceRetryBackoff", "must be a number from 1 to 10");
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
        _ if spec.execute_type.may_emit_subtasks() => {
            p.add("executeType", "official processors run as STANDALONE or BROADCAST; MAP and MAP_REDUCE need WASM");
        }
        _ => {
            p.max_len("processorInfo", &spec.processor_info, 1024);
            if let Err(message) = wasmjob_official::check_params(spec.processor_type, &spec.job_params) {
                p.add("jobParams", message);
            }
        }
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
            wasmjob_schedule::CronSchedule::parse(expression).map(|_| ()).map_err(|e| {
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

fn check_daily_interval(expression: &str) -> Result<(), String> {
    wasmjob_schedule::DailyTimeInterval::parse(expression).map(|_| ()).map_err(|e| e.to_string())
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
