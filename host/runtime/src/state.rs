//! The data of one task's store and the host functions the guest imports.

use crate::bindings::v0_1::{host, types};
use crate::config::TaskLimits;
use crate::logs::{LogLevel, LogRecord, LogSink, LogSource, truncate};
use crate::outcomes::{MAX_PAGE, TaskResultsCursor};
use crate::output::CapturedOutput;
use crate::task::{ROOT_TASK_NAME, SubtaskBatch, SubtaskSink, TaskSpec};
use std::sync::Arc;
use wasmjob_vocab::ExecuteType;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// Store data for one task: its context, what it produced and the WASI
/// state it is (not) allowed to use.
pub(crate) struct TaskState {
    wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) memory: MemoryLimiter,
    spec: TaskSpec,
    kind: ExecuteType,
    limits: TaskLimits,
    log: Arc<dyn LogSink>,
    sink: Option<Arc<dyn SubtaskSink>>,
    log_lines: usize,
    log_dropped: usize,
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
    pub(crate) subtasks: Vec<SubtaskBatch>,
    subtask_count: usize,
    pub(crate) workflow_appends: Vec<(String, String)>,
    workflow_bytes: usize,
}

impl TaskState {
    pub(crate) fn new(
        spec: TaskSpec,
        kind: ExecuteType,
        limits: TaskLimits,
        log: Arc<dyn LogSink>,
        sink: Option<Arc<dyn SubtaskSink>>,
    ) -> Self {
        let stdout = CapturedOutput::new(limits.output_bytes);
        let stderr = CapturedOutput::new(limits.output_bytes);
        // Nothing is inherited: no files, environment, arguments or network.
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let workflow_bytes = spec.workflow_context.iter().map(|(k, v)| k.len() + v.len()).sum();
        Self {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryLimiter::new(limits.memory_bytes),
            spec,
            kind,
            limits,
            log,
            sink,
            log_lines: 0,
            log_dropped: 0,
            stdout,
            stderr,
            subtasks: Vec::new(),
            subtask_count: 0,
            workflow_appends: Vec::new(),
            workflow_bytes,
        }
    }

    /// Records a line in the task's log, within the task's line budget.
    pub(crate) fn record(&mut self, level: LogLevel, source: LogSource, message: &str) {
        if self.log_lines >= self.limits.log_lines {
            self.log_dropped += 1;
            return;
        }
        self.log_lines += 1;
        let message = truncate(message, self.limits.message_bytes);
        self.log.record(LogRecord {
            instance_id: self.spec.instance_id,
            task_id: &self.spec.task_id,
            level,
            source,
            message: &message,
        });
    }

    /// Flushes captured output and drop counts into the log; returns the
    /// tail of stderr (for failure messages).
    pub(crate) fn finish_output(&mut self) -> String {
        let (out, out_dropped) = self.stdout.take();
        let (err, err_dropped) = self.stderr.take();
        for line in out.lines().filter(|l| !l.trim().is_empty()) {
            self.record(LogLevel::Info, LogSource::Stdout, line);
        }
        for line in err.lines().filter(|l| !l.trim().is_empty()) {
            self.record(LogLevel::Warn, LogSource::Stderr, line);
        }
        let log_dropped = std::mem::take(&mut self.log_dropped);
        let notes = [(out_dropped, "bytes of stdout"), (err_dropped, "bytes of stderr"), (log_dropped, "log lines")];
        for (count, what) in notes {
            if count > 0 {
                let note = format!("dropped {count} {what} over the task's limit");
                self.log.record(LogRecord {
                    instance_id: self.spec.instance_id,
                    task_id: &self.spec.task_id,
                    level: LogLevel::Warn,
                    source: LogSource::Host,
                    message: &note,
                });
            }
        }
        let tail_start = err.len().saturating_sub(2048);
        let mut start = tail_start;
        while !err.is_char_boundary(start) {
            start += 1;
        }
        err[start..].trim().to_string()
    }
}

impl WasiView for TaskState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl types::Host for TaskState {}

impl host::Host for TaskState {
    fn log(&mut self, level: host::LogLevel, message: String) {
        let level = match level {
            host::LogLevel::Debug => LogLevel::Debug,
            host::LogLevel::Info => LogLevel::Info,
            host::LogLevel::Warn => LogLevel::Warn,
            host::LogLevel::Error => LogLevel::Error,
        };
        self.record(level, LogSource::Guest, &message);
    }

    fn current_task(&mut self) -> host::TaskContext {
        let spec = &self.spec;
        host::TaskContext {
            job_id: spec.job_id,
            instance_id: spec.instance_id,
            task_id: spec.task_id.clone(),
            task_name: spec.task_name.clone(),
            job_params: spec.job_params.to_string(),
            instance_params: spec.instance_params.to_string(),
            current_retry: spec.current_retry,
            max_retry: spec.max_retry,
            subtask: spec.subtask.clone(),
            is_root: spec.is_root(),
        }
    }

    fn emit_subtasks(&mut self, subtasks: Vec<Vec<u8>>, task_name: String) -> Result<(), String> {
        if !self.kind.may_emit_subtasks() {
            return Err(format!("{} jobs cannot emit subtasks; only MAP and MAP_REDUCE jobs can", self.kind));
        }
        if task_name.trim().is_empty() {
            return Err("the subtasks' task name is empty".into());
        }
        if task_name == ROOT_TASK_NAME {
            return Err(format!("`{ROOT_TASK_NAME}` is reserved for the root task"));
        }
        if let Some(big) = subtasks.iter().position(|p| p.len() > self.limits.subtask_bytes) {
            return Err(format!(
                "subtask {big} of the batch is {} bytes, over the limit of {} bytes",
                subtasks[big].len(),
                self.limits.subtask_bytes
            ));
        }
        if self.subtask_count + subtasks.len() > self.limits.subtasks_per_task {
            return Err(format!(
                "a task may emit at most {} subtasks; this batch of {} would make {}",
                self.limits.subtasks_per_task,
                subtasks.len(),
                self.subtask_count + subtasks.len()
            ));
        }
        if subtasks.is_empty() {
            return Ok(());
        }
        let (first, count) = (self.subtask_count, subtasks.len());
        let batch = SubtaskBatch { task_name, payloads: subtasks };
        match &self.sink {
            Some(sink) => sink.emit(u32::try_from(first).unwrap_or(u32::MAX), batch)?,
            None => self.subtasks.push(batch),
        }
        self.subtask_count += count;
        Ok(())
    }

    fn workflow_context(&mut self) -> Vec<(String, String)> {
        self.spec.workflow_context.iter().chain(self.workflow_appends.iter()).cloned().collect()
    }

    fn append_workflow_context(&mut self, key: String, value: String) -> Result<(), String> {
        if key.is_empty() {
            return Err("the workflow context key is empty".into());
        }
        let size = self.workflow_bytes + key.len() + value.len();
        if size > self.limits.workflow_context_bytes {
            return Err(format!(
                "the workflow context would grow to {size} bytes, over its limit of {} bytes",
                self.limits.workflow_context_bytes
            ));
        }
        self.workflow_bytes = size;
        self.workflow_appends.push((key, value));
        Ok(())
    }
}

impl host::HostTaskResults for TaskState {
    fn total(&mut self, cursor: Resource<TaskResultsCursor>) -> u64 {
        self.table.get(&cursor).map(|c| c.source.total()).unwrap_or(0)
    }

    fn next_page(&mut self, cursor: Resource<TaskResultsCursor>, max: u32) -> Vec<types::TaskOutcome> {
        let Ok(cursor) = self.table.get_mut(&cursor) else {
            return Vec::new();
        };
        let max = (max as usize).clamp(1, MAX_PAGE);
        cursor
            .source
            .next_page(max)
            .into_iter()
            .map(|o| types::TaskOutcome { task_id: o.task_id, task_name: o.task_name, success: o.success, msg: o.msg })
            .collect()
    }

    fn drop(&mut self, cursor: Resource<TaskResultsCursor>) -> wasmtime::Result<()> {
        self.table.delete(cursor)?;
        Ok(())
    }
}

/// Caps the total linear memory of a task and remembers whether the guest
/// hit the cap, so its failure can name the limit.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    limit: u64,
    used: u64,
    pub(crate) exceeded: bool,
}

impl MemoryLimiter {
    fn new(limit: u64) -> Self {
        Self { limit, used: 0, exceeded: false }
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let growth = desired.saturating_sub(current) as u64;
        if self.used + growth > self.limit {
            self.exceeded = true;
            return Ok(false);
        }
        self.used += growth;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}
