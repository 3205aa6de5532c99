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

// ---------------------------------------------------------------- report

struct Row {
    measure: String,
    value: String,
    goal: String,
    met: Option<bool>,
}

struct Outcome {
    scenario: String,
    database: String,
    rows: Vec<Row>,
    json: Value,
}

impl Outcome {
    fn new(scenario: &str, database: String) -> Self {
        Outcome { scenario: scenario.into(), database, rows: Vec::new(), json: json!({"scenario": scenario}) }
    }

    fn row(&mut self, measure: impl Into<String>, value: impl Into<String>) {
        self.rows.push(Row { measure: measure.into(), value: value.into(), goal: String::new(), met: None });
    }

    fn goal(&mut self, measure: impl Into<String>, value: impl Into<String>, goal: &str, met: bool) {
        self.rows.push(Row { measure: measure.into(), value: value.into(), goal: goal.into(), met: Some(met) });
    }

    fn set(&mut self, key: &str, value: Value) {
        self.json[key] = value;
    }

    fn print(&self) {
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

fn print_summary(outcomes: &[Outcome]) {
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
fn pct(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn sorted(mut values: Vec<i64>) -> Vec<i64> {
    values.sort_unstable();
    values
}

fn spread(values: &[i64]) -> Value {
    json!({"p50": pct(values, 0.5), "p99": pct(values, 0.99), "max": values.last().copied().unwrap_or(0)})
}

fn spread_text(values: &[i64]) -> String {
    format!("{} / {} / {} ms", pct(values, 0.5), pct(values, 0.99), values.last().copied().unwrap_or(0))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Calls `done` every `every` until it returns true; fails after `limit`
/// naming what it waited for (and the last state `done` reported).
fn wait_until(
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

// ------------------------------------------------------------------ HTTP

/// A small blocking API client (one connection pool per instance).
#[derive(Clone)]
struct Api {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Api {
    fn login(base: &str) -> Result<Api> {
        let mut api = Api { agent: agent(), base: base.to_string(), token: String::new() };
        let reply = api.post("/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD}))?;
        api.token = reply["token"].as_str().ok_or_else(|| anyhow!("login returned no token: {reply}"))?.to_string();
        Ok(api)
    }

    /// The same login on a connection pool of its own (one per thread).
    fn fork(&self) -> Api {
        Api { agent: agent(), ..self.clone() }
    }

    fn get(&self, path: &str) -> Result<Value> {
        let request = self.agent.get(format!("{}/api/v1{path}", self.base)).header("Authorization", self.bearer());
        read("GET", path, request.call())
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let request = self.agent.post(format!("{}/api/v1{path}", self.base)).header("Authorization", self.bearer());
        read("POST", path, request.send_json(body))
    }

    fn post_bytes(&self, path: &str, bytes: &[u8]) -> Result<Value> {
        let request = self
            .agent
            .post(format!("{}/api/v1{path}", self.base))
            .header("Authorization", self.bearer())
            .content_type("application/wasm");
        read("POST", path, request.send(bytes))
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .max_idle_connections_per_host(16)
        .build()
        .into()
}

fn read(method: &str, path: &str, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Value> {
    let mut response = result.with_context(|| format!("{method} {path}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .with_context(|| format!("reading the answer to {method} {path}"))?;
    if status >= 400 {
        bail!("{method} {path}: HTTP {status}: {text}");
    }
    if text.trim().is_empty() { Ok(Value::Null) } else { Ok(serde_json::from_str(&text)?) }
}

// ----------------------------------------------------- server and worker

#[derive(Clone, Copy, PartialEq, Eq)]
enum DbKind {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL schema, dropped when the scenario ends.
struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    fn create() -> Result<PgSchema> {
        let base =
            std::env::var("WASMJOB_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("wjb_bench_{}_{nanos}", std::process::id());
        pg_execute(&base, &format!("CREATE SCHEMA {name}"))
            .with_context(|| format!("cannot create a schema in {base} (set WASMJOB_BENCH_PG)"))?;
        Ok(PgSchema { base, name })
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Err(e) = pg_execute(&self.base, &format!("DROP SCHEMA {} CASCADE", self.name)) {
            eprintln!("warning: could not drop schema {}: {e:#}", self.name);
        }
    }
}

fn pg_execute(url: &str, sql: &str) -> Result<()> {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut conn = tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(url))
            .await
            .map_err(|_| anyhow!("connecting to PostgreSQL timed out"))??;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await?;
        Ok(())
    })
}

/// A running server with the `bench` app, its `standalone` container and
/// one connected worker of that app.
struct Bench {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    admin: Api,
    app_id: String,
    database: String,
    stop_worker: Option<tokio::sync::oneshot::Sender<()>>,
    worker: Option<tokio::task::JoinHandle<wasmjob_host::Result<()>>>,
    // Dropped after the runtime: the schema goes once the pool is gone.
    _schema: Option<PgSchema>,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn start(kind: DbKind, wasm: &[u8]) -> Result<Bench> {
        let dir = tempfile::tempdir()?;
        let schema = match kind {
            DbKind::Sqlite => None,
            DbKind::Postgres => Some(PgSchema::create()?),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        // The server listens for Ctrl-C to shut down gracefully, which
        // takes the signal from the process: end the bench on it instead.
        runtime.spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("interrupted");
                std::process::exit(130);
            }
        });
        let config = ServerConfig {
            listen: ([127, 0, 0, 1], 0).into(),
            data_dir: dir.path().join("server"),
            database_url: schema.as_ref().map(PgSchema::url),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..ServerConfig::default()
        };
        let started = runtime.block_on(wasmjob_server::start(config)).context("starting the server")?;
        let base = format!("http://{}", started.listener.local_addr()?);
        let state = started.state.clone();
        let database = runtime.block_on(describe_database(&state, kind, &dir))?;
        runtime.spawn(async move {
            if let Err(e) = wasmjob_server::serve(started).await {
                eprintln!("the server stopped: {e:#}");
            }
        });
        let admin = Api::login(&base)?;
        let created = admin.post("/apps", &json!({"name": APP}))?;
        let app_id = created["app"]["id"].as_str().ok_or_else(|| anyhow!("no app id in {created}"))?.to_string();
        let secret = created["secret"].as_str().ok_or_else(|| anyhow!("no secret in {created}"))?.to_string();
        admin.post_bytes(&format!("/apps/{app_id}/containers/standalone/versions"), wasm)?;
        let worker = Worker::new(WorkerConfig::new(
            base.clone(),
            Credentials::App { name: APP.into(), secret },
            dir.path().join("worker"),
        ))?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let worker = runtime.spawn(worker.run(async move {
            let _ = stop_rx.await;
        }));
        let app = Id(app_id.parse()?);
        wait_until(Duration::from_secs(30), Duration::from_millis(10), "the worker to connect", || {
            if worker.is_finished() {
                bail!("the worker stopped before connecting");
            }
            Ok((!state.workers.of_app(app).is_empty(), "not registered".into()))
        })?;
        Ok(Bench {
            runtime,
            state,
            admin,
            app_id,
            database,
            stop_worker: Some(stop_tx),
            worker: Some(worker),
            _schema: schema,
            _dir: dir,
        })
    }

    fn api_job(&self, name: &str) -> Result<String> {
        let job = self.admin.post(
            &format!("/apps/{}/jobs", self.app_id),
            &json!({
                "name": name, "timeExpressionType": "API", "executeType": "STANDALONE",
                "processorType": "WASM", "processorInfo": "standalone", "jobParams": "{\"bench\":true}"
            }),
        )?;
        Ok(job["id"].as_str().ok_or_else(|| anyhow!("no job id in {job}"))?.to_string())
    }

    /// Runs a query on the server's own pool.
    fn query<T>(&self, sql: &'static str, binds: &[i64]) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let db = &self.state.db;
        let text = db.sql(sql);
        let mut query = sqlx::query_as::<_, T>(&text);
        for bind in binds {
            query = query.bind(*bind);
        }
        Ok(self.runtime.block_on(query.fetch_all(db.pool()))?)
    }

    fn finish(mut self) {
        if let Some(stop) = self.stop_worker.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            match self.runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), worker).await }) {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => eprintln!("warning: the worker ended with an error: {e}"),
                Ok(Err(e)) => eprintln!("warning: the worker task failed: {e}"),
                Err(_) => eprintln!("warning: the worker did not stop within 10 s"),
            }
        }
        let Bench { runtime, state, admin, _schema, _dir, .. } = self;
        drop((state, admin));
        runtime.shutdown_timeout(Duration::from_secs(5));
        drop(_schema);
        drop(_dir);
    }
}

async fn describe_database(state: &AppState, kind: DbKind, dir: &tempfile::TempDir) -> Result<String> {
    let sql = match kind {
        DbKind::Sqlite => "SELECT sqlite_version()",
        DbKind::Postgres => "SELECT version()",
    };
    let version: String = sqlx::query_scalar(sql).fetch_one(state.db.pool()).await?;
    Ok(match kind {
        DbKind::Sqlite => {
            format!("SQLite {version}, file in {} (WAL, synchronous=NORMAL, pool of 4)", dir.path().display())
        }
        DbKind::Postgres => {
            let short: String = version.split(" on ").next().unwrap_or(&version).to_string();
            format!("{short} at 127.0.0.1:5432 (fresh schema, pool of 16)")
        }
    })
}

type Times = (i64, Option<i64>, Option<i64>, i64, String);

// -------------------------------------------------------------- lateness

fn lateness(wasm: &[u8]) -> Result<Outcome> {
    let bench = Bench::start(DbKind::Sqlite, wasm)?;
    let result = lateness_on(&bench);
    bench.finish();
    result
}

fn cron_job(name: String, expression: String) -> Value {
    json!({
        "name": name, "timeExpressionType": "CRON", "timeExpression": expression, "timeZone": "UTC",
        "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": "standalone",
        "jobParams": "{\"bench\":true}"
    })
}

fn lateness_on(bench: &Bench) -> Result<Outcome> {
    let mut outcome = Outcome::new("lateness", bench.database.clone());
    let import = format!("/apps/{}/jobs/import", bench.app_id);
    // Daily jobs 3 to 5 hours (UTC) from now, one a second apart: none
    // fires during the run.
    let hour = (now_ms() / 3_600_000) % 24;
    let daily: Vec<Value> = (0..DAILY_JOBS)
        .map(|i| {
            let (s, m, h) = (i % 60, (i / 60) % 60, (hour as usize + 3 + i / 3600) % 24);
            cron_job(format!("daily-{i}"), format!("{s} {m} {h} * * ?"))
        })
        .collect();
    // Every 2 s, half on even seconds and half on odd ones.
    let frequent: Vec<Value> =
        (0..FREQUENT_JOBS).map(|i| cron_job(format!("every-2s-{i}"), format!("{}/2 * * * * ?", i % 2))).collect();
    let defined = Instant::now();
    for chunk in daily.chunks(1000).chain(frequent.chunks(1000)) {
        bench.admin.post(&import, &json!({ "jobs": chunk }))?;
    }
    let define_took = defined.elapsed();
    eprintln!("   defined {} jobs in {:.1} s", DAILY_JOBS + FREQUENT_JOBS, define_took.as_secs_f64());
    let loading = Instant::now();
    wait_until(Duration::from_secs(120), Duration::from_millis(20), "every job's first trigger time", || {
        let waiting: Vec<(i64,)> =
            bench.query("SELECT COUNT(*) FROM job WHERE status = 'ENABLED' AND next_trigger_time IS NULL", &[])?;
        let waiting = waiting.first().map_or(0, |r| r.0);
        Ok((waiting == 0, format!("{waiting} jobs without one")))
    })?;
    let load_took = defined.elapsed();
    let ready = now_ms();
    eprintln!("   every trigger loaded {:.1} s after the import began", load_took.as_secs_f64());
    let _ = loading;
    // The window starts on the second after next: the first slot fully
    // after the loading.
    let from = (ready / 1000 + 2) * 1000;
    let to = from + WINDOW_MS;
    let settle = to + 3000;
    eprintln!("   measuring fires due in [{from}, {to}) — {:.0} s", (settle - now_ms()) as f64 / 1000.0);
    std::thread::sleep(Duration::from_millis((settle - now_ms()).max(0) as u64));
    let all: Vec<Times> = bench.query(
        "SELECT expected_trigger_time, actual_trigger_time, finished_time, created_at, status FROM job_instance \
         WHERE expected_trigger_time < ?",
        &[to],
    )?;
    let (window, warmup): (Vec<&Times>, Vec<&Times>) = all.iter().partition(|t| t.0 >= from);
    if window.len() < 100 {
        bail!("only {} fires in the window (expected about {})", window.len(), FREQUENT_JOBS as i64 * WINDOW_MS / 2000);
    }
    let undispatched = window.iter().filter(|t| t.1.is_none()).count();
    let unfinished = window.iter().filter(|t| t.4 != "SUCCEED").count();
    let fire = sorted(window.iter().map(|t| t.3 - t.0).collect());
    let dispatch = sorted(window.iter().filter_map(|t| t.1.map(|a| a - t.0)).collect());
    let finish = sorted(window.iter().filter_map(|t| t.2.map(|f| f - t.0)).collect());
    // How the fires of one slot spread: the last minus the first dispatch.
    let mut slots: std::collections::BTreeMap<i64, (i64, i64)> = std::collections::BTreeMap::new();
    for t in &window {
        if let Some(actual) = t.1 {
            let e = slots.entry(t.0).or_insert((actual, actual));
            e.0 = e.0.min(actual);
            e.1 = e.1.max(actual);
        }
    }
    let slot_spread = sorted(slots.values().map(|(a, b)| b - a).collect());
    let warm_dispatch = sorted(warmup.iter().filter_map(|t| t.1.map(|a| a - t.0)).collect());
    let per_slot = window.len() / slots.len().max(1);

    outcome.row("jobs defined (CRON)", format!("{} daily + {} every 2 s", DAILY_JOBS, FREQUENT_JOBS));
    outcome.row("import (10 × 1000 jobs)", format!("{:.2} s", define_took.as_secs_f64()));
    outcome.row("import start → every trigger loaded", format!("{:.2} s", load_took.as_secs_f64()));
    outcome.row("fires measured (window 12 s)", format!("{} in {} slots of ~{per_slot}", window.len(), slots.len()));
    outcome.row("fire lateness (createdAt) p50/p99/max", spread_text(&fire));
    outcome.goal("dispatch lateness p50/p99/max", spread_text(&dispatch), "p99 < 50 ms", pct(&dispatch, 0.99) < 50);
    outcome.row("finish lateness p50/p99/max", spread_text(&finish));
    outcome.row(
        "dispatch spread in a slot p50/max",
        format!("{} / {} ms", pct(&slot_spread, 0.5), slot_spread.last().copied().unwrap_or(0)),
    );
    outcome.row("not dispatched / not SUCCEED", format!("{undispatched} / {unfinished}"));
    outcome.row(
        "before the window (loading): fires, max dispatch lateness",
        format!("{}, {} ms", warm_dispatch.len(), warm_dispatch.last().copied().unwrap_or(0)),
    );
    outcome.set("jobs", json!(DAILY_JOBS + FREQUENT_JOBS));
    outcome.set("fires", json!(window.len()));
    outcome.set("slots", json!(slots.len()));
    outcome.set("importMs", json!(define_took.as_millis() as u64));
    outcome.set("loadedAfterMs", json!(load_took.as_millis() as u64));
    outcome.set("fireLatenessMs", spread(&fire));
    outcome.set("dispatchLatenessMs", spread(&dispatch));
    outcome.set("finishLatenessMs", spread(&finish));
    outcome.set("slotSpreadMs", spread(&slot_spread));
    outcome.set("notDispatched", json!(undispatched));
    outcome.set("notSucceeded", json!(unfinished));
    outcome.set("warmupFires", json!(warm_dispatch.len()));
    outcome.set("warmupMaxDispatchLatenessMs", json!(warm_dispatch.last().copied().unwrap_or(0)));
    Ok(outcome)
}

// ------------------------------------------------------------ throughput

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

fn throughput(wasm: &[u8], kind: DbKind) -> Result<Outcome> {
    let bench = Bench::start(kind, wasm)?;
    let result = throughput_on(&bench, kind);
    bench.finish();
    result
}

/// Runs `job` once and waits for its end (the first run loads the component).
fn run_and_wait(api: &Api, job: &str) -> Result<Value> {
    let instance = api.post(&format!("/jobs/{job}/run"), &json!({}))?;
    let id = instance["id"].as_str().ok_or_else(|| anyhow!("no instance id in {instance}"))?.to_string();
    follow(api, &id, Duration::from_secs(60))
}

/// Follows an instance every millisecond until it ends; fails unless it succeeded.
fn follow(api: &Api, id: &str, limit: Duration) -> Result<Value> {
    let started = Instant::now();
    loop {
        let instance = api.get(&format!("/instances/{id}"))?;
        match instance["status"].as_str() {
            Some("SUCCEED") => return Ok(instance),
            Some("FAILED" | "STOPPED" | "CANCELED") => {
                bail!("instance {id} ended {}: {}", instance["status"], instance["result"])
            }
            _ if started.elapsed() > limit => {
                bail!("instance {id} still {} after {} s", instance["status"], limit.as_secs())
            }
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

fn throughput_on(bench: &Bench, kind: DbKind) -> Result<Outcome> {
    let scenario = if kind == DbKind::Sqlite { "throughput-sqlite" } else { "throughput-postgres" };
    let mut outcome = Outcome::new(scenario, bench.database.clone());
    let runs = env_usize("WASMJOB_BENCH_RUNS", 5000);
    let threads = env_usize("WASMJOB_BENCH_THREADS", 8).min(runs);
    let job = bench.api_job("throughput")?;
    let job_id: i64 = job.parse()?;
    for _ in 0..3 {
        run_and_wait(&bench.admin, &job)?;
    }
    let since = now_ms();
    let started = Instant::now();
    let submit_errors: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let api = bench.admin.fork();
                let path = format!("/jobs/{job}/run");
                scope.spawn(move || -> Result<()> {
                    for n in (t..runs).step_by(threads) {
                        api.post(&path, &json!({ "instanceParams": format!("{{\"n\":{n}}}") }))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("{e:#}")),
                Err(_) => Some("a client thread panicked".into()),
            })
            .collect()
    });
    let submit_took = started.elapsed();
    if let Some(e) = submit_errors.first() {
        bail!("submitting runs failed: {e}");
    }
    eprintln!(
        "   submitted {runs} runs from {threads} threads in {:.2} s; waiting for them to end",
        submit_took.as_secs_f64()
    );
    let mut last_report = Instant::now();
    let limit = Duration::from_secs(300);
    wait_until(limit, Duration::from_millis(20), &format!("{runs} instances to end"), || {
        let counts: Vec<(String, i64)> = bench.query(
            "SELECT status, COUNT(*) FROM job_instance WHERE job_id = ? AND created_at >= ? GROUP BY status",
            &[job_id, since],
        )?;
        let of = |s: &str| counts.iter().find(|c| c.0 == s).map_or(0, |c| c.1);
        let ended = of("SUCCEED") + of("FAILED") + of("STOPPED") + of("CANCELED");
        let state = counts.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(", ");
        if last_report.elapsed() > Duration::from_secs(5) {
            eprintln!("   {state}");
            last_report = Instant::now();
        }
        Ok((ended >= runs as i64, state))
    })?;
    let wall = started.elapsed();
    let rows: Vec<Times> = bench.query(
        "SELECT expected_trigger_time, actual_trigger_time, finished_time, created_at, status FROM job_instance \
         WHERE job_id = ? AND created_at >= ?",
        &[job_id, since],
    )?;
    // Late log batches land, then: dispatches the sweeper sent again
    // (the worker's RUNNING report not applied within 10 s), and instances
    // the worker took in more than once.
    std::thread::sleep(Duration::from_millis(500));
    let resent: Vec<(i64,)> = bench.query(
        "SELECT COUNT(*) FROM instance_log l JOIN job_instance i ON i.id = l.instance_id \
         WHERE i.job_id = ? AND i.created_at >= ? AND l.message LIKE 'the worker did not acknowledge%'",
        &[job_id, since],
    )?;
    let twice: Vec<(i64,)> = bench.query(
        "SELECT COUNT(*) FROM (SELECT l.instance_id FROM instance_log l JOIN job_instance i ON i.id = l.instance_id \
         WHERE i.job_id = ? AND i.created_at >= ? AND l.message LIKE 'received by worker%' \
         GROUP BY l.instance_id HAVING COUNT(*) > 1) d",
        &[job_id, since],
    )?;
    let (resent, twice) = (resent.first().map_or(0, |r| r.0), twice.first().map_or(0, |r| r.0));
    let failed = rows.iter().filter(|r| r.4 != "SUCCEED").count();
    if failed > 0 {
        let example = rows.iter().find(|r| r.4 != "SUCCEED").map(|r| r.4.clone()).unwrap_or_default();
        bail!("{failed} of {runs} instances did not succeed (e.g. {example})");
    }
    let first_created = rows.iter().map(|r| r.3).min().unwrap_or(since);
    let last_finished = rows.iter().filter_map(|r| r.2).max().unwrap_or(first_created);
    let span_ms = (last_finished - first_created).max(1);
    let per_second = runs as f64 * 1000.0 / span_ms as f64;
    let submit_rate = runs as f64 / submit_took.as_secs_f64();
    let latency = sorted(rows.iter().filter_map(|r| r.2.map(|f| f - r.3)).collect());
    let queued = sorted(rows.iter().filter_map(|r| r.1.map(|a| a - r.3)).collect());
    let last_created = rows.iter().map(|r| r.3).max().unwrap_or(first_created);

    outcome.row("runs, client threads", format!("{runs}, {threads}"));
    outcome.row("submit: wall, rate", format!("{:.2} s, {submit_rate:.0}/s", submit_took.as_secs_f64()));
    outcome.row("first createdAt → last createdAt", format!("{} ms", last_created - first_created));
    outcome.row("first createdAt → last finishedTime", format!("{span_ms} ms"));
    outcome.goal("instances completed per second", format!("{per_second:.0}/s"), "≥ 1000/s", per_second >= 1000.0);
    outcome.row("first submit → all seen ended (bench wall)", format!("{:.2} s", wall.as_secs_f64()));
    outcome.row("createdAt → actualTriggerTime p50/p99/max", spread_text(&queued));
    outcome.row("createdAt → finishedTime p50/p99/max", spread_text(&latency));
    outcome.row("dispatches re-sent (no RUNNING within 10 s)", resent.to_string());
    outcome.row("instances the worker took in twice", twice.to_string());
    outcome.set("runs", json!(runs));
    outcome.set("threads", json!(threads));
    outcome.set("submitMs", json!(submit_took.as_millis() as u64));
    outcome.set("submitPerSecond", json!(submit_rate.round()));
    outcome.set("spanMs", json!(span_ms));
    outcome.set("completedPerSecond", json!(per_second.round()));
    outcome.set("wallMs", json!(wall.as_millis() as u64));
    outcome.set("queuedMs", spread(&queued));
    outcome.set("latencyMs", spread(&latency));
    outcome.set("resent", json!(resent));
    outcome.set("takenTwice", json!(twice));
    Ok(outcome)
}

// ----------------------------------------------------------------- chain

fn chain(wasm: &[u8], kind: DbKind) -> Result<Outcome> {
    let bench = Bench::start(kind, wasm)?;
    let result = chain_on(&bench, kind);
    bench.finish();
    result
}

fn chain_on(bench: &Bench, kind: DbKind) -> Result<Outcome> {
    let scenario = if kind == DbKind::Sqlite { "chain" } else { "chain-postgres" };
    let mut outcome = Outcome::new(scenario, bench.database.clone());
    let job = bench.api_job("chain")?;
    let api = &bench.admin;
    for _ in 0..CHAIN_WARMUP {
        run_and_wait(api, &job)?;
    }
    let mut posts = Vec::new();
    let mut instances = Vec::new();
    let started = Instant::now();
    for _ in 0..CHAIN_RUNS {
        let post = Instant::now();
        let instance = api.post(&format!("/jobs/{job}/run"), &json!({}))?;
        posts.push(post.elapsed().as_micros() as i64);
        let id = instance["id"].as_str().ok_or_else(|| anyhow!("no instance id in {instance}"))?.to_string();
        instances.push(follow(api, &id, Duration::from_secs(30))?);
    }
    let total = started.elapsed();
    let field = |i: &Value, name: &str| i[name].as_i64().unwrap_or_default();
    let life = sorted(instances.iter().map(|i| field(i, "finishedTime") - field(i, "createdAt")).collect());
    let queued = sorted(instances.iter().map(|i| field(i, "actualTriggerTime") - field(i, "createdAt")).collect());
    let running = sorted(instances.iter().map(|i| field(i, "finishedTime") - field(i, "actualTriggerTime")).collect());
    let posts = sorted(posts);
    let per_task_ms = total.as_secs_f64() * 1000.0 / CHAIN_RUNS as f64;

    outcome.row("runs (after warm-up)", format!("{CHAIN_RUNS} (+{CHAIN_WARMUP})"));
    outcome.row("total wall", format!("{:.1} ms", total.as_secs_f64() * 1000.0));
    outcome.goal("per-task overhead (wall / runs)", format!("{per_task_ms:.2} ms"), "< 2 ms", per_task_ms < 2.0);
    outcome.row(
        "createdAt → finishedTime median (max)",
        format!("{} ms ({} ms)", pct(&life, 0.5), life.last().copied().unwrap_or(0)),
    );
    outcome.row("createdAt → actualTriggerTime median", format!("{} ms", pct(&queued, 0.5)));
    outcome.row("actualTriggerTime → finishedTime median", format!("{} ms", pct(&running, 0.5)));
    outcome.row("POST /jobs/{id}/run median", format!("{:.2} ms", pct(&posts, 0.5) as f64 / 1000.0));
    outcome.set("runs", json!(CHAIN_RUNS));
    outcome.set("totalMs", json!((total.as_secs_f64() * 1000.0 * 10.0).round() / 10.0));
    outcome.set("perTaskMs", json!((per_task_ms * 100.0).round() / 100.0));
    outcome.set("lifeMs", spread(&life));
    outcome.set("queuedMs", spread(&queued));
    outcome.set("runningMs", spread(&running));
    outcome.set("postMedianUs", json!(pct(&posts, 0.5)));
    Ok(outcome)
}
