//! API-triggered instances completed per second on one worker.

use super::*;

pub(crate) fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(default)
}

pub(crate) fn throughput(wasm: &[u8], kind: DbKind) -> Result<Outcome> {
    let bench = Bench::start(kind, wasm)?;
    let result = throughput_on(&bench, kind);
    bench.finish();
    result
}

/// Runs `job` once and waits for its end (the first run loads the component).
pub(crate) fn run_and_wait(api: &Api, job: &str) -> Result<Value> {
    let instance = api.post(&format!("/jobs/{job}/run"), &json!({}))?;
    let id = instance["id"].as_str().ok_or_else(|| anyhow!("no instance id in {instance}"))?.to_string();
    follow(api, &id, Duration::from_secs(60))
}

/// Follows an instance every millisecond until it ends; fails unless it succeeded.
pub(crate) fn follow(api: &Api, id: &str, limit: Duration) -> Result<Value> {
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

pub(crate) fn throughput_on(bench: &Bench, kind: DbKind) -> Result<Outcome> {
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
