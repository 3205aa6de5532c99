//! `wasmjob run-local` and `wasmjob inspect`.
//!
//! Exit codes: 0 when the processor succeeded, 1 when it failed, 2 for
//! usage and load errors (clap uses 2 for usage errors too).

use anyhow::{Context, Result, bail};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use wasmjob_runtime::local::LocalInstance;
use wasmjob_runtime::{Runtime, RuntimeConfig, TaskControl, TaskLimits, TracingLogSink};
use wasmjob_vocab::ExecuteType;

const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Arguments of `run-local`.
#[derive(Args, Debug)]
pub struct RunLocalArgs {
    /// The component (.wasm) to run.
    file: PathBuf,
    /// Execution kind: standalone, broadcast, map or map-reduce.
    #[arg(long)]
    kind: ExecuteType,
    /// Job parameters (usually JSON).
    #[arg(long, default_value = "")]
    params: String,
    /// Instance parameters (usually JSON); laid over the job's.
    #[arg(long, default_value = "")]
    instance_params: String,
    /// Initial workflow context, as a JSON object of strings.
    #[arg(long)]
    workflow_context: Option<String>,
    /// Simulated workers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: u16,
    /// Memory limit of each task, in MiB.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    memory_mb: u64,
    /// Time limit of each task call, in milliseconds (none by default).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: Option<u64>,
    /// Retries allowed per failed task.
    #[arg(long, default_value_t = 0)]
    task_retry: u32,
    /// Directory of the compiled-code cache.
    #[arg(long, env = "WASMJOB_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// Arguments of `inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The component (.wasm) to inspect.
    file: PathBuf,
    /// Directory of the compiled-code cache.
    #[arg(long, env = "WASMJOB_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

fn runtime(cache_dir: Option<PathBuf>, memory_mb: u64) -> Result<Runtime> {
    let mut config = RuntimeConfig::default();
    if let Some(dir) = cache_dir {
        config.cache_dir = dir;
    }
    if let Some(pool) = config.pooling.as_mut() {
        // Small pools start faster; run-local needs a slot per worker.
        pool.max_concurrent_tasks = 64;
        pool.max_memory_mb = pool.max_memory_mb.max(memory_mb);
    }
    Ok(Runtime::new(config)?)
}

fn workflow_context(json: Option<&str>) -> Result<Vec<(String, String)>> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).context("--workflow-context must be a JSON object")?;
    Ok(map
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}

fn usage_error(error: anyhow::Error) -> ExitCode {
    tracing::error!("{}", render(&error));
    ExitCode::from(EXIT_USAGE)
}

/// The error's chain on one line, skipping causes already quoted by the
/// message before them.
fn render(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

/// `wasmjob run-local`.
pub fn run(args: RunLocalArgs) -> ExitCode {
    match prepare(&args) {
        Ok((runtime, instance)) => execute(&args, &runtime, &instance),
        Err(e) => usage_error(e),
    }
}

fn prepare(args: &RunLocalArgs) -> Result<(Runtime, LocalInstance)> {
    let workflow_context = workflow_context(args.workflow_context.as_deref())?;
    let runtime = runtime(args.cache_dir.clone(), args.memory_mb)?;
    let limits = TaskLimits {
        memory_bytes: args.memory_mb << 20,
        timeout: args.timeout_ms.map(Duration::from_millis),
        ..TaskLimits::default()
    };
    let instance = LocalInstance {
        job_id: 1,
        instance_id: 1,
        kind: args.kind,
        workers: usize::from(args.workers),
        job_params: args.params.clone(),
        instance_params: args.instance_params.clone(),
        workflow_context,
        task_retry: args.task_retry,
        limits,
        control: TaskControl::new(),
        log: Arc::new(TracingLogSink),
    };
    Ok((runtime, instance))
}

fn execute(args: &RunLocalArgs, runtime: &Runtime, instance: &LocalInstance) -> ExitCode {
    let processor = match runtime.load_file(&args.file).and_then(|p| p.check_kind(args.kind).map(|()| p)) {
        Ok(p) => p,
        Err(e) => {
            return usage_error(anyhow::Error::new(e).context(format!("cannot load {}", args.file.display())));
        }
    };
    tracing::debug!(source = ?processor.load_source(), "component ready");
    let outcome = instance.run(&processor);
    match print_json(&outcome) {
        Ok(()) if outcome.success => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(EXIT_FAILED),
        Err(e) => usage_error(e),
    }
}

/// `wasmjob inspect`.
pub fn inspect(args: InspectArgs) -> ExitCode {
    let result = runtime(args.cache_dir, 0).and_then(|rt| {
        let processor = rt.load_file(&args.file).with_context(|| format!("cannot load {}", args.file.display()))?;
        print_json(processor.info())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let line = serde_json::to_string(value)?;
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}").is_err() {
        bail!("cannot write to stdout");
    }
    Ok(())
}
