//! The [`LogSink`] of a dispatched instance: each task log line becomes a
//! [`LogLine`] for the server when the job ships its logs (ONLINE) and the
//! line's level reaches the job's; otherwise it goes to the worker's own
//! log (tracing) or nowhere (`OFF`).

use super::now_ms;
use super::reports::Reporter;
use wasmjob_runtime::ROOT_TASK_ID;
use wasmjob_runtime::{LogLevel, LogRecord, LogSink, LogSource, TracingLogSink};
use wasmjob_wire::{Dispatch, LogLine};

/// Ships one instance's log lines.
#[derive(Debug, Clone)]
pub(crate) struct InstanceLog {
    instance_id: i64,
    /// Lowest level kept (`OFF`: nothing).
    min_level: LogLevel,
    ship: bool,
    /// The FIXED_RATE / FIXED_DELAY sub-run the lines belong to.
    sub_run: Option<u64>,
    reports: Reporter,
}

fn source_name(source: LogSource) -> &'static str {
    match source {
        LogSource::Guest => "guest",
        LogSource::Stdout => "stdout",
        LogSource::Stderr => "stderr",
        LogSource::Host => "host",
    }
}

impl InstanceLog {
    pub(crate) fn new(reports: Reporter, dispatch: &Dispatch) -> Self {
        Self {
            instance_id: dispatch.instance_id,
            min_level: dispatch.log_level,
            ship: dispatch.ship_logs,
            sub_run: None,
            reports,
        }
    }

    /// The same log for sub-run `n`: task ids become `#<n>/<task id>`.
    pub(crate) fn sub_run(&self, n: u64) -> Self {
        Self { sub_run: Some(n), ..self.clone() }
    }

    /// A line of the worker about the instance (task `0`, source `host`).
    pub(crate) fn host(&self, level: LogLevel, message: &str) {
        self.record(LogRecord {
            instance_id: u64::try_from(self.instance_id).unwrap_or_default(),
            task_id: ROOT_TASK_ID,
            level,
            source: LogSource::Host,
            message,
        });
    }
}

impl LogSink for InstanceLog {
    fn record(&self, record: LogRecord<'_>) {
        if !record.level.passes(self.min_level) {
            return;
        }
        if !self.ship {
            TracingLogSink.record(record);
            return;
        }
        let task_id = match self.sub_run {
            Some(n) => format!("#{n}/{}", record.task_id),
            None => record.task_id.to_string(),
        };
        self.reports.log(LogLine {
            instance_id: self.instance_id,
            time: now_ms(),
            level: record.level,
            task_id,
            source: source_name(record.source).to_string(),
            message: record.message.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::reports::{Report, channel};
    use wasmjob_vocab::{ExecuteType, ProcessorType};
    use wasmjob_wire::{ProcessorSpec, RunSchedule};

    pub(crate) fn dispatch(log_level: LogLevel, ship_logs: bool) -> Dispatch {
        Dispatch {
            instance_id: 42,
            job_id: 7,
            attempt: 1,
            execute_type: ExecuteType::Standalone,
            processor: ProcessorSpec::Official { processor_type: ProcessorType::Shell, processor_info: String::new() },
            job_params: String::new(),
            instance_params: String::new(),
            time_limit_ms: 0,
            concurrency: 1,
            task_retry_num: 0,
            schedule: RunSchedule::Once,
            log_level,
            ship_logs,
            participants: Vec::new(),
            peer_token: Default::default(),
            paddling: false,
            skip_reduce_on_failure: false,
        }
    }

    fn emit_all(log: &InstanceLog) {
        for (level, text) in
            [(LogLevel::Debug, "d"), (LogLevel::Info, "i"), (LogLevel::Warn, "w"), (LogLevel::Error, "e")]
        {
            log.record(LogRecord { instance_id: 42, task_id: "0.1", level, source: LogSource::Guest, message: text });
        }
    }

    fn shipped(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Report>) -> Vec<LogLine> {
        let mut lines = Vec::new();
        while let Ok(report) = rx.try_recv() {
            if let Report::Log(line) = report {
                lines.push(line);
            }
        }
        lines
    }

    #[test]
    fn lines_below_the_jobs_level_are_dropped() {
        let (reporter, mut rx) = channel();
        emit_all(&InstanceLog::new(reporter.clone(), &dispatch(LogLevel::Warn, true)));
        let messages: Vec<String> = shipped(&mut rx).into_iter().map(|l| l.message).collect();
        assert_eq!(messages, ["w", "e"]);
        emit_all(&InstanceLog::new(reporter.clone(), &dispatch(LogLevel::Off, true)));
        assert!(shipped(&mut rx).is_empty());
        emit_all(&InstanceLog::new(reporter, &dispatch(LogLevel::Debug, false)));
        assert!(shipped(&mut rx).is_empty(), "a job that does not ship logs sends none");
    }

    #[test]
    fn lines_carry_the_instance_task_source_and_sub_run() {
        let (reporter, mut rx) = channel();
        let log = InstanceLog::new(reporter, &dispatch(LogLevel::Info, true));
        log.host(LogLevel::Info, "received by worker w:1");
        log.sub_run(17).record(LogRecord {
            instance_id: 42,
            task_id: "0.3",
            level: LogLevel::Error,
            source: LogSource::Stderr,
            message: "boom",
        });
        let lines = shipped(&mut rx);
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].task_id.as_str(), lines[0].source.as_str()), ("0", "host"));
        assert_eq!((lines[0].instance_id, lines[0].level), (42, LogLevel::Info));
        assert_eq!((lines[1].task_id.as_str(), lines[1].source.as_str()), ("#17/0.3", "stderr"));
        assert!(lines[1].time > 0);
    }
}
