//! Scheduler figures, printed, never asserted: a real server (on
//! 127.0.0.1:0, SQLite or PostgreSQL), a real worker connected over the
//! WebSocket and real wasm (`guest-examples/dist/standalone.wasm`), all in
//! this process, driven over the HTTP API like any client. Instance times
//! are read from the server's database afterwards.
//!
//! Scenarios (default: `lateness throughput-sqlite throughput-postgres chain`):
//!
//! - `lateness`: SQLite, 9,900 daily CRON jobs far from now and 100 jobs
//!   firing every 2 s (50 per second); over a 12 s window after every
//!   trigger is loaded: dispatch lateness (`actualTriggerTime -
//!   expectedTriggerTime`) and finish lateness, p50 / p99 / max.
//! - `throughput-sqlite`, `throughput-postgres`: N API runs of a STANDALONE
//!   job submitted from several client threads; instances completed per
//!   second (N / (last finishedTime - first createdAt)), the submit rate,
//!   and how many dispatches the sweeper sent again (no RUNNING applied
//!   within 10 s) and how many instances the worker took in twice.
//! - `chain`, `chain-postgres`: 40 runs one after another, each started when
//!   the previous one finished (followed with `GET /instances/{id}` every
//!   1 ms); the per-task overhead and the median createdAt → finishedTime.
//!
//! Run: `guest-examples/build.sh && cargo bench -p wasmjob-cli --bench scheduler [-- SCENARIO...]`
//!
//! Settings (environment): `WASMJOB_BENCH_RUNS` (throughput N, default
//! 5000), `WASMJOB_BENCH_THREADS` (client threads, default 8),
//! `WASMJOB_BENCH_PG` (default `postgres://postgres@127.0.0.1:5432/test`;
//! each PostgreSQL scenario works in a fresh schema it drops at the end),
//! `RUST_LOG` (default `warn`).
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark report")]

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasmjob_host::worker::{Credentials, Worker, WorkerConfig};
use wasmjob_server::ids::Id;
use wasmjob_server::{AppState, ServerConfig};

mod chain;
mod harness;
mod http;
mod lateness;
mod report;
mod throughput;

use chain::*;
use harness::*;
use http::*;
use lateness::*;
use report::*;
use throughput::*;

const ADMIN_PASSWORD: &str = "bench-admin-password-0";
const APP: &str = "bench";
const SCENARIOS: [&str; 5] = ["lateness", "throughput-sqlite", "throughput-postgres", "chain", "chain-postgres"];
const DEFAULT_SCENARIOS: [&str; 4] = ["lateness", "throughput-sqlite", "throughput-postgres", "chain"];

// lateness
const DAILY_JOBS: usize = 9_900;
const FREQUENT_JOBS: usize = 100;
const WINDOW_MS: i64 = 12_000;
// chain
const CHAIN_RUNS: usize = 40;
const CHAIN_WARMUP: usize = 3;

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let asked: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let scenarios: Vec<String> =
        if asked.is_empty() { DEFAULT_SCENARIOS.iter().map(|s| s.to_string()).collect() } else { asked };
    if let Some(bad) = scenarios.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
        eprintln!("unknown scenario `{bad}`; scenarios: {}", SCENARIOS.join(", "));
        std::process::exit(2);
    }
    let wasm = standalone_wasm();
    print_machine();
    let mut outcomes = Vec::new();
    let mut failed = false;
    for scenario in &scenarios {
        eprintln!("\n== {scenario}");
        let started = Instant::now();
        let result = match scenario.as_str() {
            "lateness" => lateness(&wasm),
            "throughput-sqlite" => throughput(&wasm, DbKind::Sqlite),
            "throughput-postgres" => throughput(&wasm, DbKind::Postgres),
            "chain" => chain(&wasm, DbKind::Sqlite),
            "chain-postgres" => chain(&wasm, DbKind::Postgres),
            _ => unreachable!("checked above"),
        };
        match result {
            Ok(outcome) => {
                eprintln!("   ({scenario} took {:.1} s)", started.elapsed().as_secs_f64());
                outcome.print();
                outcomes.push(outcome);
            }
            Err(e) => {
                failed = true;
                println!("\n{scenario}: FAILED: {e:#}");
                println!("{}", json!({"scenario": scenario, "error": format!("{e:#}")}));
            }
        }
    }
    print_summary(&outcomes);
    if failed {
        std::process::exit(1);
    }
}

fn standalone_wasm() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guest-examples/dist/standalone.wasm");
    match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {} ({e}): run guest-examples/build.sh first", path.display());
            std::process::exit(2);
        }
    }
}

fn print_machine() {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let load = std::fs::read_to_string("/proc/loadavg").map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "));
    println!("wasmjob scheduler benchmark ({} build)", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("machine: {cores} cores ({cpu}), load average at start {}", load.unwrap_or_else(|_| "?".into()));
    println!("everything in one process: server, one worker (16 instance slots), HTTP clients, the database client");
}
