//! `GET /apps/{id}/overview`: job, instance and worker counts of one app
//! only, and its newest failures.

use crate::jobs::cron_job;
use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;
use wasmjob_server::ids::{Id, now_ms};
use wasmjob_server::instances::model::InstanceStatus;
use wasmjob_server::instances::store;

const DAY_MS: i64 = 86_400_000;

/// Runs `job` and moves the instance to `status`, finished at `finished`
/// when it ends; returns its id.
async fn instance(env: &TestEnv, job: &str, status: InstanceStatus, finished: i64) -> String {
    let id = env.run(job).await;
    let (db, key) = (&env.state.db, Id(id.parse().unwrap()));
    if status == InstanceStatus::WaitingDispatch {
        return id;
    }
    assert!(store::claim(db, key, "w1", (None, None), finished).await.unwrap());
    match status {
        InstanceStatus::WaitingWorkerReceive => {}
        InstanceStatus::Running => assert!(store::mark_running(db, key, 1, "w1", finished).await.unwrap()),
        ended => {
            let ending = store::Ending::new(ended, "done");
            assert!(store::finish(db, key, 1, "w1", &ending, finished).await.unwrap());
        }
    }
    id
}

/// Registers a worker for `app` (`None`: the shared pool) that was last
/// heard of at `seen`.
async fn worker(env: &TestEnv, app: Option<&str>, address: &str, seen: i64) {
    let register = wasmjob_wire::Register {
        protocol: wasmjob_wire::PROTOCOL_VERSION,
        address: address.into(),
        tags: Vec::new(),
        capabilities: Default::default(),
        metrics: Default::default(),
        version: "test".into(),
        peer_address: None,
    };
    let app = app.map(|a| Id(a.parse().unwrap()));
    wasmjob_server::workers::store::upsert(&env.state.db, &env.state.ids, (app, 1), &register, seen).await.unwrap();
}

async fn counts_cover_one_app(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("dashboard").await;
    let (other, _) = env.app("other").await;
    let empty = env.call(Method::GET, &format!("/api/v1/apps/{app}/overview"), Some(&token), None).await;
    assert_eq!(empty.status, StatusCode::OK, "{empty:?}");
    assert_eq!(
        empty.body,
        json!({
            "jobs": {"total": 0, "enabled": 0},
            "instances": {"running": 0, "waiting": 0, "succeededLast24h": 0, "failedLast24h": 0},
            "recentFailures": [],
            "workers": {"alive": 0, "total": 0}
        })
    );

    let job = env.job(&app, cron_job("nightly")).await;
    let second = env.job(&app, cron_job("weekly")).await;
    let deleted = env.job(&app, cron_job("gone")).await;
    let disabled = env.call(Method::POST, &format!("/api/v1/jobs/{second}/disable"), Some(&token), None).await;
    assert_eq!(disabled.status, StatusCode::OK, "{disabled:?}");
    let removed = env.call(Method::DELETE, &format!("/api/v1/jobs/{deleted}"), Some(&token), None).await;
    assert!(removed.status.is_success(), "{removed:?}");
    let now = now_ms() as i64;
    instance(&env, &job, InstanceStatus::WaitingDispatch, now).await;
    instance(&env, &job, InstanceStatus::WaitingWorkerReceive, now).await;
    instance(&env, &job, InstanceStatus::Running, now).await;
    instance(&env, &job, InstanceStatus::Succeed, now).await;
    instance(&env, &job, InstanceStatus::Succeed, now - 2 * DAY_MS).await;
    let old_failure = instance(&env, &job, InstanceStatus::Failed, now - 2 * DAY_MS).await;
    let new_failure = instance(&env, &job, InstanceStatus::Failed, now).await;
    instance(&env, &job, InstanceStatus::Canceled, now).await;
    worker(&env, Some(&app), "alive:1", now).await;
    worker(&env, Some(&app), "silent:1", now - DAY_MS).await;
    worker(&env, None, "pool:1", now).await;
    // Another app's job, instances and worker are not counted.
    let foreign = env.job(&other, cron_job("theirs")).await;
    instance(&env, &foreign, InstanceStatus::Failed, now).await;
    instance(&env, &foreign, InstanceStatus::Running, now).await;
    worker(&env, Some(&other), "theirs:1", now).await;

    let reply = env.call(Method::GET, &format!("/api/v1/apps/{app}/overview"), Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let overview = &reply.body;
    assert_eq!(overview["jobs"], json!({"total": 2, "enabled": 1}), "{overview}");
    assert_eq!(
        overview["instances"],
        json!({"running": 1, "waiting": 2, "succeededLast24h": 1, "failedLast24h": 1}),
        "{overview}"
    );
    assert_eq!(overview["workers"], json!({"alive": 2, "total": 3}), "its own and the pool's: {overview}");
    let failures = overview["recentFailures"].as_array().unwrap();
    let ids: Vec<&str> = failures.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [new_failure.as_str(), old_failure.as_str()], "newest first");
    // The instance list's shape.
    let listed = env.call(Method::GET, &format!("/api/v1/instances/{new_failure}"), Some(&token), None).await;
    assert_eq!(failures[0], listed.body);
    assert_eq!(failures[0]["status"], "FAILED");
}

async fn failures_are_capped_and_access_is_checked(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("flaky").await;
    let job = env.job(&app, cron_job("nightly")).await;
    let now = now_ms() as i64;
    for _ in 0..12 {
        instance(&env, &job, InstanceStatus::Failed, now).await;
    }
    let reply = env.call(Method::GET, &format!("/api/v1/apps/{app}/overview"), Some(&env.admin), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["recentFailures"].as_array().unwrap().len(), 10);
    assert_eq!(reply.body["instances"]["failedLast24h"], 12);

    let (_, intruder) = env.app("intruder").await;
    let foreign = env.call(Method::GET, &format!("/api/v1/apps/{app}/overview"), Some(&intruder), None).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let anonymous = env.call(Method::GET, &format!("/api/v1/apps/{app}/overview"), None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let missing = env.call(Method::GET, "/api/v1/apps/12345/overview", Some(&env.admin), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{missing:?}");
    let bad = env.call(Method::GET, "/api/v1/apps/nope/overview", Some(&token), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");
}

on_every_backend!(counts_cover_one_app, failures_are_capped_and_access_is_checked);
