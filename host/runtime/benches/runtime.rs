//! Runtime figures, printed, never asserted: compile vs cached load,
//! instantiate+call of `standalone` (median, p99), the cost per emitted
//! subtask, and the same call as one `wasmtime run` process per invocation
//! (wasmtime-cli from crates.io, when on PATH) with the ratio.
//!
//! Run: `guest-examples/build.sh && cargo bench -p wasmjob-runtime --bench runtime`
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark report")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmjob_runtime::{
    DiscardLogSink, LoadSource, Runtime, RuntimeConfig, TaskCall, TaskControl, TaskLimits, TaskRequest, TaskSpec,
};
use wasmjob_vocab::ExecuteType;

const PARAMS: &str = r#"{"a":1,"b":"two"}"#;

fn dist(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../guest-examples/dist/{name}.wasm"));
    if !path.exists() {
        eprintln!("{} is missing: run guest-examples/build.sh first", path.display());
        std::process::exit(2);
    }
    path
}

fn runtime(cache: &Path) -> Runtime {
    Runtime::new(RuntimeConfig { cache_dir: cache.to_path_buf(), ..RuntimeConfig::default() }).expect("runtime")
}

fn request(kind: ExecuteType, params: &str) -> TaskRequest {
    TaskRequest {
        kind,
        call: TaskCall::Process,
        spec: TaskSpec::root(1, 1, params, ""),
        limits: TaskLimits::default(),
        control: TaskControl::new(),
        log: Arc::new(DiscardLogSink),
        subtasks: None,
    }
}

struct Stats {
    median: Duration,
    p99: Duration,
    min: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats { median: at(0.5), p99: at(0.99), min: samples[0] }
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let standalone = std::fs::read(dist("standalone")).unwrap();
    println!("wasmjob host runtime benchmark ({} build)", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("standalone.wasm: {} bytes", standalone.len());

    // Compile: a fresh cache each time, so every load compiles.
    let compile: Vec<Duration> = (0..5)
        .map(|_| {
            let dir = tempfile::tempdir().unwrap();
            let rt = runtime(dir.path());
            let started = Instant::now();
            let p = rt.load(&standalone).unwrap();
            let took = started.elapsed();
            assert_eq!(p.load_source(), LoadSource::Compiled);
            took
        })
        .collect();
    // Cached load: a new runtime (as after a worker restart) on a warm cache.
    let warm = tempfile::tempdir().unwrap();
    runtime(warm.path()).load(&standalone).unwrap();
    let cached: Vec<Duration> = (0..20)
        .map(|_| {
            let rt = runtime(warm.path());
            let started = Instant::now();
            let p = rt.load(&standalone).unwrap();
            let took = started.elapsed();
            assert_eq!(p.load_source(), LoadSource::Cache);
            took
        })
        .collect();
    let (compile, cached) = (stats(compile), stats(cached));
    println!("compile + pre-instantiate (cold):   median {}", ms(compile.median));
    println!("cached load + pre-instantiate:      median {}", ms(cached.median));

    // Instantiate + call, hot: a fresh store and instance per task.
    let rt = runtime(warm.path());
    let processor = rt.load(&standalone).unwrap();
    for _ in 0..2_000 {
        assert!(processor.run(request(ExecuteType::Standalone, PARAMS)).succeeded());
    }
    let calls: Vec<Duration> = (0..20_000)
        .map(|_| {
            let started = Instant::now();
            let run = processor.run(request(ExecuteType::Standalone, PARAMS));
            let took = started.elapsed();
            debug_assert!(run.succeeded());
            took
        })
        .collect();
    let calls = stats(calls);
    println!(
        "instantiate + call (standalone):    median {}, p99 {}, min {} over 20000 tasks",
        us(calls.median),
        us(calls.p99),
        us(calls.min)
    );

    // Emission: the map-reduce root emits 10,000 subtasks; the same root
    // with nothing to emit is the baseline.
    let mr = rt.load(&std::fs::read(dist("map-reduce")).unwrap()).unwrap();
    let root = |params: &str| {
        let samples: Vec<Duration> = (0..30)
            .map(|_| {
                let started = Instant::now();
                let run = mr.run(request(ExecuteType::MapReduce, params));
                let took = started.elapsed();
                assert!(run.succeeded(), "{}", run.message());
                took
            })
            .collect();
        stats(samples).median
    };
    let emitting = root(r#"{"num":1000000,"batchSize":100}"#);
    let baseline = root(r#"{"num":0,"batchSize":100}"#);
    let per = emitting.saturating_sub(baseline) / 10_000;
    println!(
        "emit 10,000 subtasks (map-reduce root): median {} (root without subtasks {}), {:.0} ns per subtask",
        ms(emitting),
        ms(baseline),
        per.as_secs_f64() * 1e9
    );

    peer(calls.median);
}

/// The same single call as one `wasmtime run` process per invocation.
fn peer(ours: Duration) {
    let cli = dist("standalone-cli");
    let Ok(version) = Command::new("wasmtime").arg("--version").output() else {
        println!("peer: skipped, `wasmtime` is not on PATH (cargo install wasmtime-cli --version 48.0.8)");
        return;
    };
    println!("peer: {}", String::from_utf8_lossy(&version.stdout).trim());
    let dir = tempfile::tempdir().unwrap();
    let cwasm = dir.path().join("standalone-cli.cwasm");
    let status = Command::new("wasmtime").arg("compile").arg(&cli).arg("-o").arg(&cwasm).status().unwrap();
    assert!(status.success(), "wasmtime compile failed");
    let run = |args: &[&std::ffi::OsStr]| {
        let samples: Vec<Duration> = (0..50)
            .map(|_| {
                let started = Instant::now();
                let out = Command::new("wasmtime").arg("run").args(args).arg(PARAMS).output().unwrap();
                let took = started.elapsed();
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                took
            })
            .collect();
        stats(samples)
    };
    let precompiled = run(&["--allow-precompiled".as_ref(), cwasm.as_os_str()]);
    let from_source = run(&["-C".as_ref(), "cache=n".as_ref(), cli.as_os_str()]);
    println!(
        "wasmtime run, precompiled .cwasm:   median {} per invocation → {:.0}× our instantiate+call",
        ms(precompiled.median),
        precompiled.median.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "wasmtime run, compiling each time:  median {} per invocation → {:.0}× our instantiate+call",
        ms(from_source.median),
        from_source.median.as_secs_f64() / ours.as_secs_f64()
    );
}
