//! Sequential runs, each started when the previous one finished.

use super::*;

pub(crate) fn chain(wasm: &[u8], kind: DbKind) -> Result<Outcome> {
    let bench = Bench::start(kind, wasm)?;
    let result = chain_on(&bench, kind);
    bench.finish();
    result
}

pub(crate) fn chain_on(bench: &Bench, kind: DbKind) -> Result<Outcome> {
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
