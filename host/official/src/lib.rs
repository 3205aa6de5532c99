//! PowerJob's official processors, as native executors next to the wasm
//! runtime: Shell and Python scripts (`script`), HTTP requests (`http`),
//! SQL statements (`sql`), file cleanup (`cleanup`), configuration pushes
//! (`push`) and workflow-context injection (`inject`).
//!
//! Each kind is one module behind [`Official`], registered in
//! [`OfficialProcessors`] when the worker enables it ([`OfficialConfig`]):
//! Shell, Python, dynamic SQL and file cleanup are off unless turned on.
//! A kind runs as a [`TaskProcessor`], like a wasm component, so every
//! executor (a worker's instance, a broadcast's runners) runs it the same
//! way. Parameters are PowerJob's: the job's params, or the instance's when
//! a run gives some (`params`).
//!
//! The server depends on this crate too: it checks a job's parameters
//! with [`check_params`] as the job is saved, and routes it to workers by
//! [`required_capability`].
#![deny(missing_docs)]

mod cleanup;
mod config;
mod http;
mod inject;
mod params;
mod push;
mod script;
mod sql;
mod sql_kinds;

pub use config::{Datasource, OfficialConfig, OfficialKind, SQL_DYNAMIC};
pub use push::PushedConfig;
pub use sql_kinds::SqlKind;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmjob_runtime::{LogLevel, LogRecord, LogSink, LogSource};
use wasmjob_runtime::{TaskCall, TaskControl, TaskFailure, TaskProcessor, TaskRequest, TaskResult, TaskRun, TaskSpec};
use wasmjob_vocab::{ProcessorType, Word};

/// Checks the parameters of an official processor without running
/// anything, as a job is saved; the error says what is wrong. Components
/// and empty parameters (a run may give them) pass.
pub fn check_params(processor_type: ProcessorType, params: &str) -> Result<(), String> {
    if params.trim().is_empty() {
        return Ok(());
    }
    match processor_type {
        ProcessorType::Shell | ProcessorType::Python => script::check(params),
        ProcessorType::Http => http::check(params),
        ProcessorType::Sql => sql::check(params),
        ProcessorType::FileCleanup => cleanup::check(params),
        ProcessorType::Config => push::check(params),
        ProcessorType::InjectWorkflowContext => inject::check(params),
        ProcessorType::Wasm => Ok(()),
    }
}

/// The capability a job's workers must advertise: its processor type's
/// name, or `SQL_DYNAMIC` for SQL on a connection URL of the job's own.
pub fn required_capability(processor_type: ProcessorType, params: &str) -> &'static str {
    if processor_type == ProcessorType::Sql && sql::is_dynamic(params) {
        return OfficialKind::SqlDynamic.capability();
    }
    processor_type.name()
}

/// The official processors' settings cannot work (a worker refuses to
/// start with them).
#[derive(Debug, thiserror::Error)]
#[error("invalid worker configuration: {0}")]
pub struct ConfigError(pub String);

/// The crate's result type.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// What an official processor's run returns.
pub(crate) type Outcome = Result<Ended, String>;

/// A finished run: whether it succeeded, its message, and the workflow
/// context pairs it appended.
#[derive(Debug, Default)]
pub(crate) struct Ended {
    pub(crate) success: bool,
    pub(crate) msg: String,
    pub(crate) appends: Vec<(String, String)>,
}

impl Ended {
    pub(crate) fn new(success: bool, msg: impl Into<String>) -> Self {
        Self { success, msg: msg.into(), appends: Vec::new() }
    }
}

/// One task of an official processor.
#[derive(Debug)]
pub(crate) struct Task<'a> {
    /// The processor's parameters (instance params, else job params).
    pub(crate) params: &'a str,
    pub(crate) spec: &'a TaskSpec,
    log: &'a dyn LogSink,
    control: &'a TaskControl,
}

impl Task<'_> {
    /// A line in the instance's log, tagged with the task.
    pub(crate) fn log(&self, level: LogLevel, source: LogSource, message: &str) {
        self.log.record(LogRecord {
            instance_id: self.spec.instance_id,
            task_id: &self.spec.task_id,
            level,
            source,
            message,
        });
    }

    /// Resolves once the task is asked to stop.
    pub(crate) async fn stopped(&self) {
        while !self.control.is_stopped() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A boxed future of a run.
pub(crate) type Run<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// One official processor kind.
pub(crate) trait Official: Send + Sync + fmt::Debug {
    /// Runs one task. Dropping the future abandons it (the caller does on
    /// a stop); a kind that owns processes must also end them when the
    /// task's [`Task::stopped`] resolves.
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a>;
}

/// The official processors a worker enables, by `processorType` name.
#[derive(Clone)]
pub struct OfficialProcessors {
    kinds: HashMap<ProcessorType, Arc<dyn TaskProcessor>>,
    advertised: Vec<String>,
    pushed: PushedConfig,
}

impl fmt::Debug for OfficialProcessors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfficialProcessors").field("advertised", &self.advertised).finish_non_exhaustive()
    }
}

impl OfficialProcessors {
    /// The kinds `config` enables, run on `runtime` (their I/O is async).
    pub fn new(config: &OfficialConfig, runtime: tokio::runtime::Handle) -> crate::Result<Self> {
        // Datasource pools start their upkeep on the runtime.
        let _entered = runtime.enter();
        let pushed = PushedConfig::new(config.config_file.clone());
        let mut kinds: HashMap<ProcessorType, Arc<dyn TaskProcessor>> = HashMap::new();
        let mut add = |kind: OfficialKind, official: Arc<dyn Official>| {
            let adapter = Adapter { kind, official, runtime: runtime.clone() };
            kinds.insert(kind.processor_type(), Arc::new(adapter));
        };
        for kind in config.enabled() {
            match kind {
                OfficialKind::Shell => add(kind, Arc::new(script::Script::shell(config))),
                OfficialKind::Python => add(kind, Arc::new(script::Script::python(config))),
                OfficialKind::Http => add(kind, Arc::new(http::Http::new()?)),
                OfficialKind::Sql => add(kind, Arc::new(sql::Sql::new(config)?)),
                OfficialKind::FileCleanup => add(kind, Arc::new(cleanup::FileCleanup::new(config)?)),
                OfficialKind::Config => add(kind, Arc::new(push::Push::new(pushed.clone()))),
                OfficialKind::InjectWorkflowContext => add(kind, Arc::new(inject::Inject)),
                OfficialKind::SqlDynamic => {}
            }
        }
        let advertised = config.enabled().iter().map(|k| k.capability().to_string()).collect();
        Ok(Self { kinds, advertised, pushed })
    }

    /// The processor of a `processorType`, if this worker enables it.
    pub fn get(&self, processor_type: ProcessorType) -> Option<Arc<dyn TaskProcessor>> {
        self.kinds.get(&processor_type).cloned()
    }

    /// The capabilities to advertise to the server (processor type names,
    /// and `SQL_DYNAMIC`).
    pub fn advertised(&self) -> &[String] {
        &self.advertised
    }

    /// The configuration CONFIG jobs pushed to this worker.
    pub fn pushed(&self) -> &PushedConfig {
        &self.pushed
    }
}

/// Runs an [`Official`] as a [`TaskProcessor`]: on the worker's runtime,
/// abandoned at a stop, with the task's time limit.
struct Adapter {
    kind: OfficialKind,
    official: Arc<dyn Official>,
    runtime: tokio::runtime::Handle,
}

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adapter").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl TaskProcessor for Adapter {
    fn run(&self, request: TaskRequest) -> TaskRun {
        let started = Instant::now();
        let outcome = match request.call {
            TaskCall::Process => self.process(&request),
            // Pre-process has nothing to prepare; post-process counts the
            // workers' outcomes.
            TaskCall::PreProcess => Ok(Ended::new(true, "prepared")),
            TaskCall::PostProcess(mut results) => Ok(params::summarize(results.as_mut())),
            TaskCall::Reduce(_) => Err(format!("{} processors do not reduce", self.kind.processor_type())),
        };
        let (outcome, appends) = match outcome {
            Ok(ended) => (Ok(TaskResult { success: ended.success, msg: ended.msg }), ended.appends),
            Err(failure) if request.control.is_stopped() => {
                let _ = failure;
                (Err(TaskFailure::Stopped), Vec::new())
            }
            Err(message) => (Ok(TaskResult { success: false, msg: message }), Vec::new()),
        };
        TaskRun { outcome, subtasks: Vec::new(), workflow_appends: appends, elapsed: started.elapsed() }
    }
}

impl Adapter {
    fn process(&self, request: &TaskRequest) -> Outcome {
        let params = params::effective(&request.spec);
        let task = Task { params, spec: &request.spec, log: request.log.as_ref(), control: &request.control };
        let timeout = request.limits.timeout;
        self.runtime.block_on(async {
            let run = self.official.run(&task);
            let limited = async {
                match timeout {
                    Some(limit) => tokio::time::timeout(limit, run).await.unwrap_or_else(|_| {
                        Err(format!("the task exceeded its time limit of {} ms", limit.as_millis()))
                    }),
                    None => run.await,
                }
            };
            tokio::select! {
                outcome = limited => outcome,
                () = task.stopped() => Err("the task was stopped on request".into()),
            }
        })
    }
}
