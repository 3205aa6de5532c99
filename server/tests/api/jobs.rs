//! Jobs: every field round-trips, bad definitions are refused naming the
//! field, copy/export/import/enable/disable/delete behave, and listings
//! filter, page and sort.

use crate::on_every_backend;
use crate::support::{Backend, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// A CRON job with every field set away from its default
/// (`tests/fixtures/cron-job.json`, shared with the CLI's tests), named `name`.
pub fn cron_job(name: &str) -> Value {
    let mut spec: Value = serde_json::from_str(include_str!("../fixtures/cron-job.json")).unwrap();
    spec["name"] = json!(name);
    spec
}

async fn every_field_round_trips(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("reports").await;
    let spec = cron_job("nightly");
    let created = env.call(Method::POST, &format!("/api/v1/apps/{app}/jobs"), Some(&token), Some(spec.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let id = created.body["id"].as_str().unwrap();
    let exported = env.call(Method::GET, &format!("/api/v1/jobs/{id}/export"), Some(&token), None).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(exported.body, spec, "export gives back exactly what was saved");
    let fetched = env.call(Method::GET, &format!("/api/v1/jobs/{id}"), Some(&token), None).await;
    assert_eq!(fetched.body["appId"], app.as_str());
    assert_eq!(fetched.body["minMemorySpace"], 1.5);
}

async fn export_then_import_round_trips_exactly(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, _) = env.app("source").await;
    let (target, token) = env.app("target").await;
    let id = env.job(&app, cron_job("nightly")).await;
    let exported = env.call(Method::GET, &format!("/api/v1/jobs/{id}/export"), Some(&env.admin), None).await.body;
    let imported = env
        .call(
            Method::POST,
            &format!("/api/v1/apps/{target}/jobs/import"),
            Some(&token),
            Some(json!({"jobs": [exported]})),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{imported:?}");
    let new_id = imported.body[0]["id"].as_str().unwrap();
    assert_ne!(new_id, id);
    let again = env.call(Method::GET, &format!("/api/v1/jobs/{new_id}/export"), Some(&token), None).await.body;
    assert_eq!(again, exported);
}

async fn copy_gives_a_new_id_and_name(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("copies").await;
    let id = env.job(&app, cron_job("nightly")).await;
    let copy = env.call(Method::POST, &format!("/api/v1/jobs/{id}/copy"), Some(&token), Some(json!({}))).await;
    assert_eq!(copy.status, StatusCode::CREATED, "{copy:?}");
    assert_ne!(copy.body["id"], id.as_str());
    assert_eq!(copy.body["name"], "nightly (copy)");
    assert_eq!(copy.body["enabled"], false, "a copy starts disabled");
    assert_eq!(copy.body["timeExpression"], "0 0 2 * * ?");
    let named =
        env.call(Method::POST, &format!("/api/v1/jobs/{id}/copy"), Some(&token), Some(json!({"name": "b"}))).await;
    assert_eq!(named.body["name"], "b");
}

async fn enable_disable_update_delete(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("states").await;
    let id = env.job(&app, cron_job("nightly")).await;
    let disabled = env.call(Method::POST, &format!("/api/v1/jobs/{id}/disable"), Some(&token), None).await;
    assert_eq!(disabled.body["enabled"], false);
    let enabled = env.call(Method::POST, &format!("/api/v1/jobs/{id}/enable"), Some(&token), None).await;
    assert_eq!(enabled.body["enabled"], true);
    let mut changed = cron_job("renamed");
    changed["timeExpressionType"] = json!("FIXED_RATE");
    changed["timeExpression"] = json!("15000");
    let updated = env.call(Method::PUT, &format!("/api/v1/jobs/{id}"), Some(&token), Some(changed)).await;
    assert_eq!(updated.status, StatusCode::OK, "{updated:?}");
    assert_eq!(updated.body["name"], "renamed");
    assert_eq!(updated.body["timeExpressionType"], "FIXED_RATE");
    let deleted = env.call(Method::DELETE, &format!("/api/v1/jobs/{id}"), Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = env.call(Method::GET, &format!("/api/v1/jobs/{id}"), Some(&token), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/jobs"), Some(&token), None).await;
    assert_eq!(listed.body["total"], 0, "deleted jobs are not listed");
}

async fn bad_definitions_name_the_field_and_write_nothing(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("strict").await;
    let with = |field: &str, value: Value| {
        let mut spec = cron_job("bad");
        spec[field] = value;
        spec
    };
    let cases = [
        (with("timeExpression", json!("every night")), "timeExpression"),
        (with("timeExpression", json!("")), "timeExpression"),
        (with("timeZone", json!("Mars/Olympus")), "timeZone"),
        (with("concurrency", json!(0)), "concurrency"),
        (with("concurrency", json!(-1)), "concurrency"),
        (with("processorInfo", json!("")), "processorInfo"),
        (with("executeType", json!("SIDEWAYS")), "executeType"),
        (with("taskTrackerBehavior", json!("LAZY")), "taskTrackerBehavior"),
        (with("skipReduceOnFailure", json!("yes")), "skipReduceOnFailure"),
        (with("minCpuCores", json!(-2)), "minCpuCores"),
        (with("lifecycle", json!({"start": 5, "end": 1})), "lifecycle"),
        (with("name", json!("")), "name"),
        (with("surprise", json!(1)), "surprise"),
        (
            {
                let mut spec = with("timeExpressionType", json!("FIXED_DELAY"));
                spec["timeExpression"] = json!("soon");
                spec
            },
            "timeExpression",
        ),
    ];
    for (spec, field) in cases {
        let reply = env.call(Method::POST, &format!("/api/v1/apps/{app}/jobs"), Some(&token), Some(spec.clone())).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {reply:?}");
        let named = reply.body["fields"].as_array().unwrap().iter().any(|f| f["field"] == field);
        assert!(named, "{field}: {reply:?}");
    }
    let import = json!({"jobs": [cron_job("fine"), with("timeExpression", json!("nope"))]});
    let reply = env.call(Method::POST, &format!("/api/v1/apps/{app}/jobs/import"), Some(&token), Some(import)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["fields"][0]["field"], "jobs[1].timeExpression");
    let listed = env.call(Method::GET, &format!("/api/v1/apps/{app}/jobs"), Some(&token), None).await;
    assert_eq!(listed.body["total"], 0, "nothing was written, not even the valid half of the import");
}

async fn listings_filter_page_and_sort(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let (app, token) = env.app("many").await;
    for (i, name) in ["alpha", "beta", "gamma", "Delta_x", "epsilon%"].iter().enumerate() {
        let mut spec = cron_job(name);
        spec["tag"] = json!(if i % 2 == 0 { "even" } else { "odd" });
        spec["enabled"] = json!(i != 1);
        env.job(&app, spec).await;
    }
    let get = |query: &str| {
        let uri = format!("/api/v1/apps/{app}/jobs{query}");
        let token = token.clone();
        let env = &env;
        async move { env.call(Method::GET, &uri, Some(&token), None).await }
    };
    let names = |body: &Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(&get("?sort=name").await.body), ["alpha", "beta", "Delta_x", "epsilon%", "gamma"]);
    assert_eq!(names(&get("?sort=-createdAt&size=2").await.body), ["epsilon%", "Delta_x"]);
    let page = get("?sort=name&size=2&page=1").await.body;
    assert_eq!((names(&page), page["total"].as_i64()), (vec!["Delta_x".to_string(), "epsilon%".to_string()], Some(5)));
    assert_eq!(names(&get("?name=DELT&sort=name").await.body), ["Delta_x"]);
    assert_eq!(names(&get("?name=A&sort=-name").await.body), ["gamma", "Delta_x", "beta", "alpha"]);
    assert_eq!(names(&get("?name=%25").await.body), ["epsilon%"], "% is matched literally");
    assert_eq!(names(&get("?name=_").await.body), ["Delta_x"], "_ is matched literally");
    assert_eq!(get("?tag=odd").await.body["total"], 2);
    assert_eq!(names(&get("?enabled=false").await.body), ["beta"]);
    for bad in ["?sort=colour", "?size=0", "?executeType=SIDEWAYS", "?page=-1", "?unknown=1"] {
        let reply = get(bad).await;
        assert!(reply.status.is_client_error(), "{bad}: {reply:?}");
    }
}

on_every_backend!(
    every_field_round_trips,
    export_then_import_round_trips_exactly,
    copy_gives_a_new_id_and_name,
    enable_disable_update_delete,
    bad_definitions_name_the_field_and_write_nothing,
    listings_filter_page_and_sort,
);
