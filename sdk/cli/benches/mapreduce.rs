//! Map-reduce figures, printed, never asserted: the `map-reduce` example
//! with N subtasks of tiny work (`batchSize` 1: each subtask handles one
//! id) over two `wasmjob worker` processes, and the same computation on
//! Dask distributed (`bench/dask`, two local worker processes) as the peer.
//!
//! Every part is a real process on this machine: `wasmjob server` (SQLite,
//! 127.0.0.1:0) and two workers of one app with peer listeners; the bench
//! uploads `guest-examples/dist/map-reduce.wasm`, creates a MAP_REDUCE job
//! and runs it through the API once per subtask count. It reports the
//! end-to-end time (the instance's `createdAt` → `finishedTime`, and the
//! client's wall time from the run request to seeing the end), subtasks
//! per second, how the subtasks were shared, and the peak resident memory
//! (`VmHWM`) of the coordinating worker, the other worker and the server.
//! Each count runs on fresh processes, so a peak belongs to one run.
//!
//! Run: `guest-examples/build.sh && cargo bench -p wasmjob-cli --bench mapreduce`
//!
//! Settings (environment):
//! - `WASMJOB_BENCH_SUBTASKS`: counts, comma separated (default
//!   `100000,1000000`: the smaller one shows the memory does not grow
//!   with the count);
//! - `WASMJOB_BENCH_CONCURRENCY`: task threads per worker, the job's
//!   `concurrency` (default 2; with one thread each the two cores idle
//!   while the coordinator or the network works);
//! - `WASMJOB_BENCH_DASK_SUBTASKS`: the Dask peer's count (default
//!   1000000, the same computation; Dask needs about 12 minutes and 15 GiB
//!   for it here, so `100000` gives a quicker run), `0` skips it;
//! - `WASMJOB_BENCH_DASK_SATURATION`: Dask's `worker-saturation` (default
//!   `inf`, about twice as fast here as Dask's own 1.1).
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a benchmark report")]

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wasmjob");
const ADMIN_PASSWORD: &str = "bench-admin-password-0";
const APP: &str = "mapreduce-bench";

fn main() {
    if let Err(e) = run() {
        println!("map-reduce benchmark FAILED: {e:#}");
        std::process::exit(1);
    }
}

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn run() -> Result<()> {
    let counts: Vec<u64> = std::env::var("WASMJOB_BENCH_SUBTASKS")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|c| c.trim().parse().with_context(|| format!("bad subtask count `{c}`")))
        .collect::<Result<_>>()?;
    let concurrency: u32 = setting("WASMJOB_BENCH_CONCURRENCY", 2);
    let wasm = root().join("guest-examples/dist/map-reduce.wasm");
    let wasm = std::fs::read(&wasm).with_context(|| format!("{}: run guest-examples/build.sh", wasm.display()))?;
    print_machine();
    let mut ours = Vec::new();
    for n in counts {
        eprintln!("\n== wasmjob, {n} subtasks over 2 workers, {concurrency} task thread(s) each");
        let figures = wasmjob_run(&wasm, n, concurrency)?;
        print_ours(&figures);
        ours.push(figures);
    }
    let dask_n: u64 = setting("WASMJOB_BENCH_DASK_SUBTASKS", 1_000_000);
    let dask = if dask_n > 0 { Some(dask_run(dask_n)?) } else { None };
    print_comparison(&ours, dask.as_ref());
    Ok(())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
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
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split(' ').take(3).collect();
    println!("wasmjob map-reduce benchmark ({} build)", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("machine: {cores} cores ({cpu}), load average at start {}", load.join(" "));
}

/// A child process, killed when dropped.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    fn spawn(args: &[&str], env: &[(&str, &str)], log: PathBuf) -> Result<Process> {
        let file = std::fs::File::create(&log)?;
        let mut command = Command::new(BIN);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("WASMJOB_") {
                command.env_remove(name);
            }
        }
        let child = command
            .args(args)
            .envs(env.iter().copied())
            .env("WASMJOB_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("starting wasmjob {}", args.join(" ")))?;
        Ok(Process { child, log })
    }

    /// Peak resident memory so far, in MiB (`VmHWM`).
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }

    fn tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The API of one server.
struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

impl Api {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut response = match (method, body) {
            ("GET", _) => {
                let mut request = self.agent.get(&url);
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.call()?
            }
            (_, body) => {
                let mut request = self.agent.post(&url);
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                match body {
                    Some(body) => request.send_json(body)?,
                    None => request.send_empty()?,
                }
            }
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        if !(200..300).contains(&status) {
            bail!("{method} {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn upload(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let url = format!("{}{path}", self.base);
        let token = self.token.as_deref().unwrap_or_default();
        let mut response = self
            .agent
            .post(&url)
            .header("Authorization", format!("Bearer {token}"))
            .content_type("application/wasm")
            .send(bytes)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            bail!("upload: {status} {}", response.body_mut().read_to_string()?);
        }
        Ok(())
    }
}

/// What one wasmjob run measured.
struct Figures {
    subtasks: u64,
    concurrency: u32,
    server_ms: i64,
    wall: Duration,
    result: String,
    workers: Value,
    coordinator_rss_mb: f64,
    participant_rss_mb: f64,
    server_rss_mb: f64,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.subtasks as f64 / (self.server_ms.max(1) as f64 / 1000.0)
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wasmjob_run(wasm: &[u8], subtasks: u64, concurrency: u32) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let addr = format!("127.0.0.1:{}", free_port()?);
    let data = dir.path().join("server");
    let data = data.to_str().ok_or_else(|| anyhow!("a non-UTF-8 temporary directory"))?;
    let server = Process::spawn(
        &["server", "--listen", &addr, "--admin-password", ADMIN_PASSWORD, "--data-dir", data],
        &[],
        dir.path().join("server.log"),
    )?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut api = Api { agent, base: format!("http://{addr}"), token: None };
    let deadline = Instant::now() + Duration::from_secs(60);
    while api.call("GET", "/health", None).is_err() {
        if Instant::now() > deadline {
            bail!("the server did not answer within 60 s:\n{}", server.tail());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let login =
        api.call("POST", "/api/v1/auth/login", Some(&json!({"username": "admin", "password": ADMIN_PASSWORD})))?;
    api.token = login["token"].as_str().map(str::to_string);
    let created = api.call("POST", "/api/v1/apps", Some(&json!({"name": APP})))?;
    let app = created["app"]["id"].as_str().ok_or_else(|| anyhow!("no app id: {created}"))?.to_string();
    let secret = created["secret"].as_str().ok_or_else(|| anyhow!("no secret: {created}"))?.to_string();
    api.upload(&format!("/api/v1/apps/{app}/containers/mr/versions"), wasm)?;
    let workers: Vec<(String, Process)> = (1..=2)
        .map(|n| {
            let address = format!("bench-w{n}");
            let data = dir.path().join(&address);
            let args = ["worker", "--server", &api.base, "--app", APP, "--address", &address, "--data-dir"];
            let mut args: Vec<&str> = args.to_vec();
            let data = data.to_string_lossy().to_string();
            args.push(&data);
            let process =
                Process::spawn(&args, &[("WASMJOB_APP_SECRET", &secret)], dir.path().join(format!("{address}.log")))?;
            Ok((address, process))
        })
        .collect::<Result<_>>()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = api.call("GET", &format!("/api/v1/apps/{app}/workers"), None)?;
        if listed.as_array().map_or(0, |l| l.iter().filter(|w| w["alive"] == true).count()) == 2 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the workers did not connect:\n{}\n{}", workers[0].1.tail(), workers[1].1.tail());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let params = format!(r#"{{"num":{subtasks},"batchSize":1,"successRate":100}}"#);
    let job = api.call(
        "POST",
        &format!("/api/v1/apps/{app}/jobs"),
        Some(&json!({
            "name": "mapreduce", "timeExpressionType": "API", "executeType": "MAP_REDUCE",
            "processorType": "WASM", "processorInfo": "mr", "jobParams": params,
            "concurrency": concurrency, "taskRetryNum": 0,
        })),
    )?;
    let job = job["id"].as_str().ok_or_else(|| anyhow!("no job id: {job}"))?.to_string();
    let asked = Instant::now();
    let instance = api.call("POST", &format!("/api/v1/jobs/{job}/run"), Some(&json!({})))?;
    let id = instance["id"].as_str().ok_or_else(|| anyhow!("no instance id: {instance}"))?.to_string();
    let mut last_note = Instant::now();
    let done = loop {
        let instance = api.call("GET", &format!("/api/v1/instances/{id}"), None)?;
        if let Some("SUCCEED" | "FAILED" | "STOPPED" | "CANCELED") = instance["status"].as_str() {
            break instance;
        }
        if last_note.elapsed() > Duration::from_secs(5) {
            eprintln!("   {:.0} s: {}", asked.elapsed().as_secs_f64(), instance["tasks"]);
            last_note = Instant::now();
        }
        if asked.elapsed() > Duration::from_secs(3600) {
            bail!("the instance did not end within an hour: {instance}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let wall = asked.elapsed();
    if done["status"] != "SUCCEED" {
        bail!("the instance ended {}: {done}\n{}\n{}", done["status"], workers[0].1.tail(), workers[1].1.tail());
    }
    let server_ms = done["finishedTime"].as_i64().unwrap_or(0) - done["createdAt"].as_i64().unwrap_or(0);
    let coordinator = done["coordinator"].as_str().unwrap_or_default().to_string();
    let rss = |coordinating: bool| {
        workers.iter().find(|(a, _)| (*a == coordinator) == coordinating).map_or(0.0, |(_, p)| p.peak_rss_mb())
    };
    Ok(Figures {
        subtasks,
        concurrency,
        server_ms,
        wall,
        result: done["result"].as_str().unwrap_or_default().to_string(),
        workers: done["workers"].clone(),
        coordinator_rss_mb: rss(true),
        participant_rss_mb: rss(false),
        server_rss_mb: server.peak_rss_mb(),
    })
}

fn print_ours(f: &Figures) {
    let shares: Vec<String> = f
        .workers
        .as_array()
        .map(|w| {
            w.iter()
                .map(|w| {
                    format!(
                        "{}{} {}",
                        w["address"].as_str().unwrap_or("?"),
                        if w["coordinator"] == true { " (coordinator)" } else { "" },
                        w["succeeded"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    println!("\nwasmjob — {} subtasks, 2 workers × {} task thread(s)", f.subtasks, f.concurrency);
    println!("  end to end (createdAt → finishedTime)   {:>10.2} s", f.server_ms as f64 / 1000.0);
    println!("  end to end (client, run → seen ended)   {:>10.2} s", f.wall.as_secs_f64());
    println!("  subtasks per second                     {:>10.0}", f.per_second());
    println!("  coordinating worker's peak RSS          {:>10.1} MiB", f.coordinator_rss_mb);
    println!("  other worker's peak RSS                 {:>10.1} MiB", f.participant_rss_mb);
    println!("  server's peak RSS                       {:>10.1} MiB", f.server_rss_mb);
    println!("  tasks per worker                        {}", shares.join(", "));
    println!("  result                                  {}", f.result);
    println!(
        "{}",
        json!({
            "system": "wasmjob", "subtasks": f.subtasks, "workers": 2, "concurrency": f.concurrency,
            "seconds": f.server_ms as f64 / 1000.0, "wallSeconds": f.wall.as_secs_f64(),
            "subtasksPerSecond": f.per_second(), "coordinatorPeakRssMb": f.coordinator_rss_mb,
            "participantPeakRssMb": f.participant_rss_mb, "serverPeakRssMb": f.server_rss_mb,
            "workersShare": f.workers, "result": f.result,
        })
    );
}

/// Runs `bench/dask/run.sh`; its JSON line.
fn dask_run(subtasks: u64) -> Result<Value> {
    let saturation = std::env::var("WASMJOB_BENCH_DASK_SATURATION").unwrap_or_else(|_| "inf".into());
    eprintln!("\n== Dask, {subtasks} subtasks over 2 workers × 1 thread (worker-saturation {saturation})");
    let script = root().join("bench/dask/run.sh");
    let n = subtasks.to_string();
    let mut args = vec!["--subtasks", n.as_str(), "--timeout-s", "3600"];
    if saturation != "default" {
        args.extend(["--worker-saturation", saturation.as_str()]);
    }
    let output = Command::new(&script)
        .args(&args)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", script.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line =
        text.lines().rev().find(|l| l.starts_with('{')).ok_or_else(|| anyhow!("Dask printed no figures: {text}"))?;
    let figures: Value = serde_json::from_str(line)?;
    println!(
        "\nDask distributed {} — {subtasks} subtasks, 2 workers × 1 thread",
        figures["daskVersion"].as_str().unwrap_or("?")
    );
    println!("  end to end                              {:>10.2} s", figures["seconds"].as_f64().unwrap_or(0.0));
    println!(
        "  subtasks per second                     {:>10.0}",
        figures["subtasksPerSecond"].as_f64().unwrap_or(0.0)
    );
    println!(
        "  scheduler's peak RSS (in the client)    {:>10.1} MiB",
        figures["schedulerPeakRssMb"].as_f64().unwrap_or(0.0)
    );
    println!("  workers' peak RSS                       {}", figures["workerPeakRssMb"]);
    println!("  result                                  {}", figures["result"]);
    println!("{line}");
    if figures["timedOut"] == true || figures.get("error").is_some() {
        bail!("the Dask run did not finish: {line}");
    }
    Ok(figures)
}

fn print_comparison(ours: &[Figures], dask: Option<&Value>) {
    let Some(best) = ours.iter().max_by_key(|f| f.subtasks) else { return };
    println!("\nside by side");
    println!("  {:<44} {:>12} {:>14} {:>22}", "", "subtasks", "subtasks/s", "coordinator peak RSS");
    for f in ours {
        println!(
            "  {:<44} {:>12} {:>14.0} {:>18.1} MiB",
            "wasmjob (2 workers)",
            f.subtasks,
            f.per_second(),
            f.coordinator_rss_mb
        );
    }
    let Some(dask) = dask else { return };
    let dask_rate = dask["subtasksPerSecond"].as_f64().unwrap_or(0.0);
    let dask_n = dask["subtasks"].as_u64().unwrap_or(0);
    println!(
        "  {:<44} {:>12} {:>14.0} {:>18.1} MiB",
        "Dask distributed (2 workers, scheduler)",
        dask_n,
        dask_rate,
        dask["schedulerPeakRssMb"].as_f64().unwrap_or(0.0)
    );
    if dask_rate > 0.0 {
        let ratio = best.per_second() / dask_rate;
        println!("  throughput ratio, wasmjob at {} / Dask at {dask_n}: {ratio:.1}×", best.subtasks);
        let dask_time_for_ours = best.subtasks as f64 / dask_rate;
        println!(
            "  ({} subtasks at Dask's rate would take {:.0} s; wasmjob took {:.1} s)",
            best.subtasks,
            dask_time_for_ours,
            best.server_ms as f64 / 1000.0
        );
        println!(
            "{}",
            json!({"comparison": {"wasmjobSubtasks": best.subtasks, "daskSubtasks": dask_n, "throughputRatio": ratio}})
        );
    }
}
