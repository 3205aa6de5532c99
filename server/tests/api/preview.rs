//! `POST /schedule/preview`: fire times as the scheduler computes them,
//! and the job creation's messages for bad expressions, zones and counts.

use crate::on_every_backend;
use crate::support::{Backend, Reply, TestEnv};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// 2026-05-01T10:00:00Z.
const T0: i64 = 1_777_629_600_000;

async fn preview(env: &TestEnv, token: &str, body: Value) -> Reply {
    env.call(Method::POST, "/api/v1/schedule/preview", Some(token), Some(body)).await
}

fn times(reply: &Reply) -> Vec<i64> {
    reply.body["fireTimes"].as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect()
}

/// The single field a 422 names, and its message.
fn field_error(reply: &Reply) -> (String, String) {
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    assert_eq!(reply.body["error"], "validation", "{reply:?}");
    let fields = reply.body["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{reply:?}");
    (fields[0]["field"].as_str().unwrap().to_string(), fields[0]["message"].as_str().unwrap().to_string())
}

async fn cron_fire_times_match_the_expression(backend: Backend) {
    let env = TestEnv::new(backend).await;
    // An app's token may preview too: nothing of any app is touched.
    let (_, token) = env.app("planner").await;
    let every_quarter = json!({
        "timeExpressionType": "CRON", "timeExpression": "0 */15 * * * ?", "timeZone": "Asia/Shanghai", "after": T0
    });
    let reply = preview(&env, &token, every_quarter).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["timeZone"], "Asia/Shanghai");
    let fires = times(&reply);
    assert_eq!(fires.len(), 5, "five by default: {reply:?}");
    assert!(fires.windows(2).all(|w| w[0] < w[1]), "increasing: {fires:?}");
    assert_eq!(fires, [1, 2, 3, 4, 5].map(|k| T0 + k * 15 * 60_000));

    // 09:00 every day in Shanghai is 01:00Z; a lifecycle clips the list.
    let daily = json!({
        "timeExpressionType": "CRON", "timeExpression": "0 0 9 * * ?", "timeZone": "Asia/Shanghai",
        "after": T0, "count": 20, "lifecycle": {"end": T0 + 3 * 86_400_000}
    });
    let reply = preview(&env, &token, daily).await;
    let first = T0 + 15 * 3_600_000;
    assert_eq!(times(&reply), [first, first + 86_400_000, first + 2 * 86_400_000], "{reply:?}");

    // Without a zone: the server's, named in the reply; without `after`: from now.
    let reply = preview(&env, &env.admin, json!({"timeExpressionType": "CRON", "timeExpression": "* * * * * ?"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let zone = reply.body["timeZone"].as_str().unwrap();
    assert!(zone.parse::<wasmjob_schedule::Tz>().is_ok(), "an IANA name: {zone}");
    let now = wasmjob_server::ids::now_ms() as i64;
    let fires = times(&reply);
    assert_eq!(fires.len(), 5);
    assert!(fires[0] > now - 2000 && fires[0] <= now + 2000, "every second from now: {fires:?} ({now})");
    let empty_zone = json!({"timeExpressionType": "CRON", "timeExpression": "0 0 * * * ?", "timeZone": ""});
    assert_eq!(preview(&env, &token, empty_zone).await.body["timeZone"], zone);
}

async fn bad_expressions_zones_and_counts_are_named(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let token = env.admin.clone();
    let reply = preview(&env, &token, json!({"timeExpressionType": "CRON", "timeExpression": "every day"})).await;
    let (field, message) = field_error(&reply);
    assert_eq!(field, "timeExpression");
    let expected = wasmjob_server::jobs::validate::check_time_expression(
        wasmjob_server::jobs::model::TimeExpressionType::Cron,
        "every day",
    )
    .unwrap_err();
    assert_eq!(message, expected, "the message of job creation");
    assert!(message.contains("not a valid CRON expression"), "{message}");

    let zone = json!({"timeExpressionType": "CRON", "timeExpression": "0 * * * * ?", "timeZone": "asia/shanghai"});
    let (field, message) = field_error(&preview(&env, &token, zone).await);
    assert_eq!(field, "timeZone");
    assert!(message.contains("Asia/Shanghai"), "the right spelling is suggested: {message}");

    for count in [0, 21, -1] {
        let body = json!({"timeExpressionType": "FIXED_RATE", "timeExpression": "1000", "count": count});
        let (field, message) = field_error(&preview(&env, &token, body).await);
        assert_eq!(field, "count");
        assert!(message.contains("between 1 and 20"), "{message}");
    }
    let huge = json!({"timeExpressionType": "FIXED_RATE", "timeExpression": "1000", "count": 1e30});
    assert_eq!(field_error(&preview(&env, &token, huge).await).0, "count");

    let (field, _) =
        field_error(&preview(&env, &token, json!({"timeExpressionType": "FIXED_RATE", "timeExpression": "5s"})).await);
    assert_eq!(field, "timeExpression");
    let daily = json!({"timeExpressionType": "DAILY_TIME_INTERVAL", "timeExpression": "{\"interval\": 0}"});
    assert_eq!(field_error(&preview(&env, &token, daily).await).0, "timeExpression");
    let api = json!({"timeExpressionType": "API", "timeExpression": "0 * * * * ?"});
    assert_eq!(field_error(&preview(&env, &token, api).await).0, "timeExpression");

    let unknown = json!({"timeExpressionType": "CRON", "timeExpression": "0 * * * * ?", "zone": "UTC"});
    let reply = preview(&env, &token, unknown).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reply:?}");
    let kind = preview(&env, &token, json!({"timeExpressionType": "HOURLY"})).await;
    assert_eq!(field_error(&kind).0, "timeExpressionType");
    let none = env.call(Method::POST, "/api/v1/schedule/preview", None, Some(json!({}))).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

async fn intervals_and_api_jobs(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let token = env.admin.clone();
    let rate = json!({"timeExpressionType": "FIXED_RATE", "timeExpression": "5000", "after": T0, "count": 3});
    let reply = preview(&env, &token, rate).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(times(&reply), [T0 + 5000, T0 + 10_000, T0 + 15_000]);
    let delay = json!({
        "timeExpressionType": "FIXED_DELAY", "timeExpression": "60000", "after": T0,
        "lifecycle": {"start": T0 + 3_600_000, "end": T0 + 3_660_000}, "timeZone": "UTC"
    });
    let reply = preview(&env, &token, delay).await;
    assert_eq!(times(&reply), [T0 + 3_600_000, T0 + 3_660_000], "from the lifecycle's start to its end: {reply:?}");
    assert_eq!(reply.body["timeZone"], "UTC");
    for kind in ["API", "WORKFLOW"] {
        let reply = preview(&env, &token, json!({"timeExpressionType": kind})).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        assert_eq!(reply.body["fireTimes"], json!([]));
    }
    // Extremes answer, never fail.
    let far = json!({"timeExpressionType": "FIXED_RATE", "timeExpression": "31536000000", "after": i64::MAX - 1});
    let reply = preview(&env, &token, far).await;
    assert_eq!((reply.status, &reply.body["fireTimes"]), (StatusCode::OK, &json!([])), "{reply:?}");
    let never = json!({"timeExpressionType": "CRON", "timeExpression": "0 0 0 30 2 ?", "after": i64::MIN});
    let reply = preview(&env, &token, never).await;
    assert_eq!((reply.status, &reply.body["fireTimes"]), (StatusCode::OK, &json!([])), "{reply:?}");
}

on_every_backend!(
    cron_fire_times_match_the_expression,
    bad_expressions_zones_and_counts_are_named,
    intervals_and_api_jobs,
    structs_are_objects_never_arrays
);

/// serde reads a struct from an array of its fields unless told
/// otherwise; the server never does: `"lifecycle": [null, null]` was
/// answered 200, though the document says an object.
async fn structs_are_objects_never_arrays(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let every_second = json!({"timeExpressionType": "CRON", "timeExpression": "* * * * * ?", "after": T0});
    let mut as_array = every_second.clone();
    as_array["lifecycle"] = json!([null, null]);
    let (field, message) = field_error(&preview(&env, &env.admin, as_array).await);
    assert_eq!(field, "lifecycle");
    assert!(message.contains("invalid type: sequence"), "{message}");
    let mut as_object = every_second.clone();
    as_object["lifecycle"] = json!({"start": null, "end": null});
    assert_eq!(preview(&env, &env.admin, as_object).await.status, StatusCode::OK);
    // The whole body too, and a nested struct of a job.
    let (field, _) = field_error(&preview(&env, &env.admin, json!(["CRON", "* * * * * ?"])).await);
    assert_eq!(field, "body");
    let (app, token) = env.app("arrays").await;
    let job = json!({"name": "j", "timeExpressionType": "API", "executeType": "STANDALONE",
        "processorType": "WASM", "processorInfo": "demo", "alarmConfig": [[], 1, 2, 3]});
    let created = env.call(Method::POST, &format!("/api/v1/apps/{app}/jobs"), Some(&token), Some(job)).await;
    let (field, message) = field_error(&created);
    assert_eq!(field, "alarmConfig");
    assert!(message.contains("invalid type: sequence"), "{message}");
}
