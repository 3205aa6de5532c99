//! Trigger lateness with 10,000 CRON jobs defined.

use super::*;

pub(crate) fn lateness(wasm: &[u8]) -> Result<Outcome> {
    let bench = Bench::start(DbKind::Sqlite, wasm)?;
    let result = lateness_on(&bench);
    bench.finish();
    result
}

pub(crate) fn cron_job(name: String, expression: String) -> Value {
    json!({
        "name": name, "timeExpressionType": "CRON", "timeExpression": expression, "timeZone": "UTC",
        "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": "standalone",
        "jobParams": "{\"bench\":true}"
    })
}

pub(crate) fn lateness_on(bench: &Bench) -> Result<Outcome> {
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
