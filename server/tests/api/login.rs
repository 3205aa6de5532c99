//! Logins under attack: guessed passwords and app secrets lock the name
//! (the right password too) and the address, unknown names alike;
//! administrators see and end lockouts; the throttle's table stays
//! bounded; bodies over the limit answer 413; the standalone worker's
//! token is one at a time.

use crate::on_every_backend;
use crate::support::{ADMIN_PASSWORD, Backend, TestEnv};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;
use wasmjob_server::auth::throttle::{self, LoginConfig};

/// A login's answer: status, `Retry-After` and body.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

/// `POST /auth/login` with `body`, from `from` when given (as a real
/// connection would be).
async fn login(env: &TestEnv, body: Value, from: Option<&str>) -> Answer {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    if let Some(from) = from {
        let addr: SocketAddr = format!("{from}:40000").parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    let response = env.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, retry_after, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

/// A server whose lockouts last a minute (no test waits for one to end by
/// itself unless it says so) after three failures of a name.
async fn strict(backend: Backend) -> TestEnv {
    TestEnv::with_config(backend, |config| {
        config.login =
            LoginConfig { max_failures_per_name: 3, lockout_secs: 60, max_lockout_secs: 60, ..LoginConfig::default() };
    })
    .await
}

async fn guessed_passwords_lock_the_account_even_for_the_right_password(backend: Backend) {
    let env = strict(backend).await;
    let wrong = json!({"username": "admin", "password": "guess"});
    for _ in 0..3 {
        assert_eq!(login(&env, wrong.clone(), None).await.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..20 {
        let refused = login(&env, wrong.clone(), None).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
        assert!(refused.retry_after.is_some_and(|s| (1..=60).contains(&s)), "{refused:?}");
        assert_eq!(refused.body["error"], "too_many_requests");
    }
    let right = login(&env, json!({"username": "admin", "password": ADMIN_PASSWORD}), None).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "the right password waits too: {right:?}");
    // Spellings MariaDB takes for the same account are the same account.
    let spelled = login(&env, json!({"username": "ADMIN ", "password": ADMIN_PASSWORD}), None).await;
    assert_eq!(spelled.status, StatusCode::TOO_MANY_REQUESTS, "{spelled:?}");

    // The administrator (still holding a token) sees the lockout and ends it.
    let listed = env.call(Method::GET, "/api/v1/auth/lockouts", Some(&env.admin), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{listed:?}");
    let lockouts = listed.body.as_array().unwrap();
    assert_eq!(lockouts.len(), 1, "{lockouts:?}");
    assert_eq!((lockouts[0]["kind"].as_str(), lockouts[0]["name"].as_str()), (Some("user"), Some("admin")));
    assert_eq!(lockouts[0]["failures"], 3, "refused attempts are not counted");
    assert!(lockouts[0]["lockedUntil"].as_i64().unwrap() > lockouts[0]["lastFailureAt"].as_i64().unwrap());
    let id = lockouts[0]["id"].as_str().unwrap();
    let cleared = env.call(Method::DELETE, &format!("/api/v1/auth/lockouts/{id}"), Some(&env.admin), None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{cleared:?}");
    let again = env.call(Method::DELETE, &format!("/api/v1/auth/lockouts/{id}"), Some(&env.admin), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{again:?}");
    let right = login(&env, json!({"username": "admin", "password": ADMIN_PASSWORD}), None).await;
    assert_eq!(right.status, StatusCode::OK, "{right:?}");
}

async fn guessed_app_secrets_lock_the_app(backend: Backend) {
    let env = strict(backend).await;
    let created = env.call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(json!({"name": "payroll"}))).await;
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let (_, app_token) = env.app("bystander").await;
    for _ in 0..3 {
        let wrong = login(&env, json!({"app": "payroll", "secret": "guess"}), None).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let right = login(&env, json!({"app": "payroll", "secret": secret}), None).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{right:?}");
    // An account of the same name is another name.
    let user = login(&env, json!({"username": "payroll", "password": "x"}), None).await;
    assert_eq!(user.status, StatusCode::UNAUTHORIZED, "{user:?}");
    // Only administrators see or end lockouts.
    let listed = env.call(Method::GET, "/api/v1/auth/lockouts", Some(&app_token), None).await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN, "{listed:?}");
    let listed = env.call(Method::GET, "/api/v1/auth/lockouts", Some(&env.admin), None).await;
    let lockout = &listed.body[0];
    assert_eq!((lockout["kind"].as_str(), lockout["name"].as_str()), (Some("app"), Some("payroll")), "{listed:?}");
    let path = format!("/api/v1/auth/lockouts/{}", lockout["id"].as_str().unwrap());
    let refused = env.call(Method::DELETE, &path, Some(&app_token), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    let bad = env.call(Method::DELETE, "/api/v1/auth/lockouts/not-an-id", Some(&env.admin), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{bad:?}");
    assert_eq!(env.call(Method::DELETE, &path, Some(&env.admin), None).await.status, StatusCode::NO_CONTENT);
    let right = login(&env, json!({"app": "payroll", "secret": secret}), None).await;
    assert_eq!(right.status, StatusCode::OK, "{right:?}");
}

async fn unknown_names_are_throttled_like_real_ones(backend: Backend) {
    let env = strict(backend).await;
    let mut answers = Vec::new();
    for name in ["admin", "nobody"] {
        let mut seen = Vec::new();
        for _ in 0..5 {
            let answer = login(&env, json!({"username": name, "password": "guess"}), None).await;
            // The message of a 429 counts down the seconds: compare the rest.
            seen.push((answer.status, answer.body["error"].clone(), answer.retry_after.is_some()));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "the answers must not tell which names exist");
    assert_eq!(answers[0][3].0, StatusCode::TOO_MANY_REQUESTS);
}

async fn one_address_guessing_many_names_is_locked(backend: Backend) {
    let env = TestEnv::with_config(backend, |config| {
        config.login = LoginConfig {
            max_failures_per_name: 100,
            max_failures_per_address: 4,
            lockout_secs: 60,
            max_lockout_secs: 60,
            ..LoginConfig::default()
        };
    })
    .await;
    for n in 0..4 {
        let wrong = login(&env, json!({"username": format!("guess{n}"), "password": "x"}), Some("192.0.2.7")).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let fresh = login(&env, json!({"username": "admin", "password": ADMIN_PASSWORD}), Some("192.0.2.7")).await;
    assert_eq!(fresh.status, StatusCode::TOO_MANY_REQUESTS, "the address is locked, any name: {fresh:?}");
    let elsewhere = login(&env, json!({"username": "admin", "password": ADMIN_PASSWORD}), Some("198.51.100.1")).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "other addresses are not: {elsewhere:?}");
    // IPv6 addresses count per /64: a host cannot escape by changing its
    // interface id.
    for n in 0..4 {
        let from = format!("2001:db8:0:1::{n}");
        let body = json!({"username": format!("v6-{n}"), "password": "x"});
        let answer = login(&env, body, Some(&format!("[{from}]"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let next = login(&env, json!({"username": "v6-9", "password": "x"}), Some("[2001:db8:0:1::ffff]")).await;
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS, "{next:?}");
    let listed = env.call(Method::GET, "/api/v1/auth/lockouts", Some(&env.admin), None).await;
    let names: Vec<&str> = listed.body.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"192.0.2.7") && names.contains(&"2001:db8:0:1::/64"), "{names:?}");
}

async fn a_lockout_ends_by_itself_and_the_right_password_works_again(backend: Backend) {
    let env = TestEnv::with_config(backend, |config| {
        config.login = LoginConfig { max_failures_per_name: 2, lockout_secs: 1, ..LoginConfig::default() };
    })
    .await;
    let started = std::time::Instant::now();
    for _ in 0..2 {
        login(&env, json!({"username": "admin", "password": "guess"}), None).await;
    }
    // The right password is refused until the lockout (1 s) has passed,
    // then accepted; waited for, not slept through.
    let deadline = started + std::time::Duration::from_secs(30);
    loop {
        let answer = login(&env, json!({"username": "admin", "password": ADMIN_PASSWORD}), None).await;
        if answer.status == StatusCode::OK {
            break;
        }
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{answer:?}");
        assert!(std::time::Instant::now() < deadline, "the lockout never ended");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "accepted before the lockout ended");
}

async fn the_throttle_forgets_and_stays_bounded(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let db = &env.state.db;
    for n in 0..150_i64 {
        sqlx::query(&db.sql(
            "INSERT INTO login_throttle (subject_key, kind, name, failures, locked_until, last_failure_at) \
             VALUES (?, 'user', ?, 1, 0, ?)",
        ))
        .bind(throttle::key(throttle::Kind::User, &format!("n{n}")))
        .bind(format!("n{n}"))
        .bind(1_000_000 + n)
        .execute(db.pool())
        .await
        .unwrap();
    }
    let count = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle").fetch_one(db.pool()).await.unwrap();
        n
    };
    let config = LoginConfig { max_tracked: 100, ..LoginConfig::default() };
    throttle::sweep(db, &config, 1_000_200).await.unwrap();
    assert_eq!(count().await, 100, "the oldest beyond the bound are forgotten");
    let oldest: i64 =
        sqlx::query_scalar("SELECT MIN(last_failure_at) FROM login_throttle").fetch_one(db.pool()).await.unwrap();
    assert_eq!(oldest, 1_000_050, "the newest stay");
    // An hour after the last failure, everything unlocked is forgotten.
    throttle::sweep(db, &config, 1_000_150 + 3_600_001).await.unwrap();
    assert_eq!(count().await, 0);
}

async fn oversized_bodies_answer_413(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let huge = json!({"username": "admin", "password": "x".repeat(3 << 20)});
    let login = env.call(Method::POST, "/api/v1/auth/login", None, Some(huge.clone())).await;
    assert_eq!(login.status, StatusCode::PAYLOAD_TOO_LARGE, "{login:?}");
    assert_eq!(login.body["error"], "payload_too_large");
    assert!(login.body["message"].as_str().unwrap().contains("2 MiB"), "{login:?}");
    let app = json!({"name": "big", "description": "x".repeat(3 << 20)});
    let create = env.call(Method::POST, "/api/v1/apps", Some(&env.admin), Some(app)).await;
    assert_eq!(create.status, StatusCode::PAYLOAD_TOO_LARGE, "{create:?}");
    // A streamed body that never says its length is cut at the limit too.
    let chunks = (0..4).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 1 << 20])));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let streamed = env.send(request).await;
    assert_eq!(streamed.status, StatusCode::PAYLOAD_TOO_LARGE, "{streamed:?}");
    // Just under the limit is read (and judged on its content).
    let fits = json!({"username": "admin", "password": "x".repeat(1 << 20)});
    let fits = env.call(Method::POST, "/api/v1/auth/login", None, Some(fits)).await;
    assert_eq!(fits.status, StatusCode::UNAUTHORIZED, "{fits:?}");
}

async fn the_standalone_worker_token_is_one_at_a_time(backend: Backend) {
    use wasmjob_server::auth::tokens;
    let env = TestEnv::new(backend).await;
    let db = &env.state.db;
    let dir = tempfile::tempdir().unwrap();
    let long_lived = || async {
        let in_a_year = wasmjob_server::ids::now_ms() as i64 + 366 * 24 * 3_600_000;
        let n: i64 = sqlx::query_scalar(&db.sql("SELECT COUNT(*) FROM api_token WHERE expires_at > ?"))
            .bind(in_a_year)
            .fetch_one(db.pool())
            .await
            .unwrap();
        n
    };
    let first = tokens::embedded_worker_token(db, dir.path()).await.unwrap();
    // The process dies without revoking it; the next start on the same
    // data directory revokes it.
    let second = tokens::embedded_worker_token(db, dir.path()).await.unwrap();
    assert_eq!(long_lived().await, 1, "one long-lived token at a time");
    let first_me = env.call(Method::GET, "/api/v1/auth/me", Some(&first), None).await;
    assert_eq!(first_me.status, StatusCode::UNAUTHORIZED, "the previous token is revoked");
    let second_me = env.call(Method::GET, "/api/v1/auth/me", Some(&second), None).await;
    assert_eq!(second_me.status, StatusCode::OK);
    let file = dir.path().join(tokens::EMBEDDED_TOKEN_FILE);
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(!stored.contains(&second) && stored.len() == 64, "the file names the token, it does not hold it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A clean stop revokes it.
    tokens::revoke_embedded_worker_token(db, dir.path()).await.unwrap();
    assert_eq!(long_lived().await, 0);
    assert!(!file.exists());
}

on_every_backend!(
    guessed_passwords_lock_the_account_even_for_the_right_password,
    guessed_app_secrets_lock_the_app,
    unknown_names_are_throttled_like_real_ones,
    one_address_guessing_many_names_is_locked,
    a_lockout_ends_by_itself_and_the_right_password_works_again,
    the_throttle_forgets_and_stays_bounded,
    oversized_bodies_answer_413,
    the_standalone_worker_token_is_one_at_a_time,
);
