//! Instances: run with params and a delay, detail, status, list with
//! filters, stop, cancel, retry (with conflicts explained), online logs.

use crate::jobs::cron_job;
use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::json;
use wasmjob_server::instances::model::InstanceStatus;
use wasmjob_vocab::Word;

async fn run_with_params_and_delay(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("runner").await;
    let job = env.job(&app, cron_job("nightly")).await;
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let run = env
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{job}/run"),
            Some(&token),
            Some(json!({"instanceParams": "{\"day\":\"2026-11-23\"}", "delayMs": 60000})),
        )
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{run:?}");
    assert_eq!(run.body["status"], "WAITING_DISPATCH");
    assert_eq!(run.body["triggerType"], "API");
    assert_eq!(run.body["instanceParams"], "{\"day\":\"2026-11-23\"}");
    let due = run.body["expectedTriggerTime"].as_i64().unwrap();
    assert!(due >= before + 60_000, "due {due}, asked at {before}");
    let id = run.body["id"].as_str().unwrap();
    let bare = env
        .send(
            axum::http::Request::post(format!("/api/v1/jobs/{job}/run"))
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(bare.status, StatusCode::CREATED, "a run needs no body: {bare:?}");
    let status = env.call(Method::GET, &format!("/api/v1/instances/{id}/status"), Some(&token), None).await;
    assert_eq!(status.body, json!({"status": "WAITING_DISPATCH"}));
    let too_late = env
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{job}/run"),
            Some(&token),
            Some(json!({"delayMs": 99_999_999_999u64})),
        )
        .await;
    assert_eq!(too_late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_late.body["fields"][0]["field"], "delayMs");
}

async fn stop_cancel_retry_follow_the_status_rules(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("states").await;
    let job = env.job(&app, cron_job("nightly")).await;
    let first = env.run(&job).await;
    let canceled = env.call(Method::POST, &format!("/api/v1/instances/{first}/cancel"), Some(&token), None).await;
    assert_eq!(canceled.status, StatusCode::OK, "{canceled:?}");
    assert_eq!(canceled.body["status"], "CANCELED");
    assert!(canceled.body["finishedTime"].is_i64());
    let again = env.call(Method::POST, &format!("/api/v1/instances/{first}/stop"), Some(&token), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a finished instance cannot be stopped: {again:?}");
    assert!(again.body["message"].as_str().unwrap().contains("the instance is CANCELED"), "{again:?}");
    let retried = env.call(Method::POST, &format!("/api/v1/instances/{first}/retry"), Some(&token), None).await;
    assert_eq!(retried.body["status"], "WAITING_DISPATCH");
    assert_eq!(retried.body["runningTimes"], 2);
    assert!(retried.body["finishedTime"].is_null());
    let stopped = env.call(Method::POST, &format!("/api/v1/instances/{first}/stop"), Some(&token), None).await;
    assert_eq!(stopped.body["status"], "STOPPED");
    let logs = env.call(Method::GET, &format!("/api/v1/instances/{first}/logs"), Some(&token), None).await;
    let messages: Vec<&str> =
        logs.body["lines"].as_array().unwrap().iter().map(|l| l["message"].as_str().unwrap()).collect();
    // A run due now has no server note (its trigger type says API); a
    // delayed one says when it is due.
    assert_eq!(messages, ["canceled on request", "retry requested", "stopped on request"]);
    let next = logs.body["next"].as_i64().unwrap();
    let tail = env
        .call(Method::GET, &format!("/api/v1/instances/{first}/logs?after={next}&waitMs=300"), Some(&token), None)
        .await;
    assert_eq!(tail.body["lines"], json!([]), "nothing new after the last line");
    assert_eq!(tail.body["next"], next);
}

async fn listings_filter_by_job_and_status(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("lists").await;
    let a = env.job(&app, cron_job("a")).await;
    let b = env.job(&app, cron_job("b")).await;
    let a1 = env.run(&a).await;
    let _a2 = env.run(&a).await;
    let _b1 = env.run(&b).await;
    env.call(Method::POST, &format!("/api/v1/instances/{a1}/stop"), Some(&token), None).await;
    let (env, app, token) = (&env, &app, &token);
    let get = |q: String| async move {
        env.call(Method::GET, &format!("/api/v1/apps/{app}/instances{q}"), Some(token), None).await
    };
    assert_eq!(get(String::new()).await.body["total"], 3);
    assert_eq!(get(format!("?jobId={a}")).await.body["total"], 2);
    let stopped = get("?status=STOPPED".into()).await.body;
    assert_eq!((stopped["total"].as_i64(), stopped["items"][0]["id"].as_str()), (Some(1), Some(a1.as_str())));
    // Several statuses at once, separated by commas.
    let waiting = get("?status=WAITING_DISPATCH,WAITING_WORKER_RECEIVE".into()).await.body;
    assert_eq!(waiting["total"], 2, "{waiting}");
    let either = get(format!("?jobId={a}&status=STOPPED,%20WAITING_DISPATCH,STOPPED")).await.body;
    assert_eq!(either["total"], 2, "{either}");
    let all = get(format!("?status={}", InstanceStatus::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(",")))
        .await
        .body;
    assert_eq!(all["total"], 3, "{all}");
    let oldest = get("?sort=createdAt&size=1".into()).await.body;
    assert_eq!(oldest["items"][0]["id"], a1.as_str());
    for bad in ["?status=DONE", "?status=RUNNING,DONE", "?status=", "?jobId=x", "?size=900", "?sort=up"] {
        let reply = get(bad.into()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {reply:?}");
    }
    let bad = get("?status=RUNNING,DONE".into()).await.body;
    assert_eq!(bad["fields"][0]["field"], "status", "{bad}");
    assert!(bad["fields"][0]["message"].as_str().unwrap().starts_with("`DONE` is not a status"), "{bad}");
}

async fn a_log_follower_wakes_on_new_lines(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("follow").await;
    let job = env.job(&app, cron_job("nightly")).await;
    let id = env.run(&job).await;
    let first = env.call(Method::GET, &format!("/api/v1/instances/{id}/logs"), Some(&token), None).await;
    let next = first.body["next"].as_i64().unwrap();
    let follow_uri = format!("/api/v1/instances/{id}/logs?after={next}&waitMs=10000");
    let follow = env.call(Method::GET, &follow_uri, Some(&token), None);
    let stop = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        env.call(Method::POST, &format!("/api/v1/instances/{id}/stop"), Some(&token), None).await
    };
    let (followed, _) = tokio::join!(follow, stop);
    assert_eq!(followed.body["lines"][0]["message"], "stopped on request", "{followed:?}");
}

/// Only the coordinator's report of the current attempt moves an
/// instance; stale attempts and other workers change nothing, and a slot
/// of a job holds one instance at most.
async fn reports_from_the_wrong_worker_or_attempt_are_ignored(backend: Backend) {
    use wasmjob_server::ids::Id;
    use wasmjob_server::instances::model::InstanceStatus;
    use wasmjob_server::instances::store;
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("guarded").await;
    let job = env.job(&app, cron_job("nightly")).await;
    let run = env.call(Method::POST, &format!("/api/v1/jobs/{job}/run"), Some(&token), None).await;
    let id = Id(run.body["id"].as_str().unwrap().parse().unwrap());
    let db = &env.state.db;
    assert!(store::claim(db, id, "w1", (None, None), 1).await.unwrap());
    assert!(!store::claim(db, id, "w2", (None, None), 2).await.unwrap(), "a claimed instance cannot be claimed again");
    assert!(!store::mark_running(db, id, 1, "w2", 3).await.unwrap(), "another worker's report");
    assert!(store::mark_running(db, id, 1, "w1", 3).await.unwrap());
    // Progress counts from the coordinator of the current attempt only.
    let progress = |succeeded: u64| wasmjob_wire::InstanceProgress {
        tasks: Some(wasmjob_wire::TaskTally { total: 10, waiting: 0, running: 10 - succeeded, succeeded, failed: 0 }),
        workers: vec![wasmjob_wire::WorkerShare {
            address: "w1".into(),
            coordinator: true,
            state: "ACTIVE".into(),
            running: 10 - succeeded,
            succeeded,
            failed: 0,
        }],
    };
    assert!(store::set_progress(db, id, 1, "w1", &progress(4)).await.unwrap());
    assert!(!store::set_progress(db, id, 1, "w2", &progress(9)).await.unwrap(), "another worker's progress");
    assert!(!store::set_progress(db, id, 0, "w1", &progress(9)).await.unwrap(), "a stale attempt's progress");
    let live = env.call(Method::GET, &format!("/api/v1/instances/{}", id.0), Some(&token), None).await;
    assert_eq!(live.body["tasks"]["succeeded"], 4, "{live:?}");
    let failed = store::Ending::new(InstanceStatus::Failed, "boom");
    assert!(!store::finish(db, id, 0, "w1", &failed, 4).await.unwrap(), "a stale attempt's report");
    assert!(!store::finish(db, id, 1, "w2", &failed, 4).await.unwrap(), "another worker's report");
    let last = progress(10);
    let appends = [("region".to_string(), "eu".to_string()), ("region".to_string(), "us".to_string())];
    let ok =
        store::Ending { progress: Some(&last), appends: &appends, ..store::Ending::new(InstanceStatus::Succeed, "ok") };
    assert!(store::finish(db, id, 1, "w1", &ok, 5).await.unwrap());
    assert!(!store::finish(db, id, 1, "w1", &failed, 6).await.unwrap(), "a finished instance stays finished");
    let detail = env.call(Method::GET, &format!("/api/v1/instances/{}", id.0), Some(&token), None).await;
    assert_eq!((detail.body["status"].as_str(), detail.body["result"].as_str()), (Some("SUCCEED"), Some("ok")));
    assert_eq!(detail.body["tasks"]["succeeded"], 10, "the final status carries the last counts: {detail:?}");
    assert_eq!(detail.body["workers"][0]["address"], "w1");
    assert_eq!(detail.body["workflowAppends"], serde_json::json!({"region": "us"}), "the last write wins");

    // One instance per (job, trigger slot), enforced by the database.
    let mut second = store::fetch(db, id).await.unwrap().unwrap();
    let slot = Some(1_800_000_000_000);
    second.id = Id(id.0 + 1);
    store::insert(db, db.pool(), &second, slot).await.unwrap();
    second.id = Id(id.0 + 2);
    let twice = store::insert(db, db.pool(), &second, slot).await.unwrap_err();
    assert!(wasmjob_server::db::is_any_unique_violation(&twice), "{twice}");
}

on_every_backend!(
    reports_from_the_wrong_worker_or_attempt_are_ignored,
    run_with_params_and_delay,
    stop_cancel_retry_follow_the_status_rules,
    listings_filter_by_job_and_status,
    a_log_follower_wakes_on_new_lines,
);
