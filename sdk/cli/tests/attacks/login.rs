//! The login boundary, attacked from the network with nothing but HTTP:
//! password guessing (200 wrong passwords), app-secret guessing, a burst of
//! concurrent logins meant to exhaust memory, an oversized body, and a
//! standalone installation restarted until its data directory holds a
//! drawer of ten-year administrator tokens.

use crate::support::{self, ADMIN_PASSWORD, Api, Mode, Server, free_port, report, str_of};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A login's answer: status, `Retry-After` (seconds) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

/// `POST /api/v1/auth/login` with `body`.
fn login(base: &str, body: &Value) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut response = agent.post(format!("{base}/api/v1/auth/login")).send_json(body).expect("the server answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Answer { status, retry_after, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

/// The largest number of verified failures (401) a throttle with lockouts
/// starting at `lockout` and doubling can let through in `elapsed` after
/// the first `limit`: each one needs the previous lockout to have ended.
fn most_failures(limit: u32, lockout: Duration, elapsed: Duration) -> u32 {
    let (mut allowed, mut waited, mut next) = (limit, Duration::ZERO, lockout);
    while waited + next <= elapsed {
        waited += next;
        next *= 2;
        allowed += 1;
    }
    allowed + 1
}

#[test]
fn two_hundred_wrong_passwords_lock_the_account_and_the_right_one_waits() {
    let lockout = Duration::from_secs(3);
    let server = Server::start(Mode::Server, &[("WASMJOB_LOGIN__LOCKOUT_SECS", "3")]);
    let wrong = json!({"username": "admin", "password": "guess"});
    let started = Instant::now();
    let mut answers = Vec::new();
    let mut last_failure_sent = started;
    for _ in 0..200 {
        let sent = Instant::now();
        let answer = login(&server.url, &wrong);
        if answer.status == 401 {
            last_failure_sent = sent;
        }
        answers.push(answer);
    }
    let elapsed = started.elapsed();
    let count = |status| answers.iter().filter(|a| a.status == status).count();
    let (failures, refused) = (count(401), count(429));
    report(format!("200 wrong passwords in {elapsed:?}: {failures} checked (401), {refused} refused (429)"));
    assert!(answers[..5].iter().all(|a| a.status == 401), "the first five are checked: {:?}", &answers[..5]);
    assert_eq!(failures + refused, 200, "only 401 and 429: {answers:?}");
    let bound = most_failures(5, lockout, elapsed) as usize;
    assert!(failures <= bound, "{failures} guesses checked in {elapsed:?}; a throttle allows at most {bound}");
    for answer in answers.iter().filter(|a| a.status == 429) {
        assert!(answer.retry_after.is_some_and(|s| s >= 1), "429 without Retry-After: {answer:?}");
        assert_eq!(answer.body["error"], "too_many_requests");
    }
    // The right password: refused while the lockout lasts, then accepted.
    let right = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let accepted = server.wait("the right password to be accepted after the lockout", Duration::from_secs(120), || {
        let answer = login(&server.url, &right);
        match answer.status {
            200 => Some(Instant::now()),
            429 => None,
            other => panic!("the right password answered {other}: {answer:?}"),
        }
    });
    let waited = accepted - last_failure_sent;
    report(format!("the right password was accepted {waited:?} after the last checked guess"));
    assert!(waited >= lockout, "accepted {waited:?} after the last failure, before the lockout of {lockout:?} ended");
}

#[test]
fn guessed_app_secrets_lock_the_app_until_an_administrator_clears_it() {
    let server = Server::start(
        Mode::Server,
        &[("WASMJOB_LOGIN__LOCKOUT_SECS", "600"), ("WASMJOB_LOGIN__MAX_LOCKOUT_SECS", "600")],
    );
    let (_, secret) = server.app("ledger");
    let statuses: Vec<u16> =
        (0..50).map(|_| login(&server.url, &json!({"app": "ledger", "secret": "guess"})).status).collect();
    assert_eq!(&statuses[..5], &[401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let right = login(&server.url, &json!({"app": "ledger", "secret": secret}));
    assert_eq!(right.status, 429, "the right secret waits too: {right:?}");
    // Unknown apps answer exactly the same way: no probing of names.
    let unknown: Vec<u16> =
        (0..7).map(|_| login(&server.url, &json!({"app": "no-such-app", "secret": "guess"})).status).collect();
    assert_eq!(unknown, statuses[..7].to_vec());

    let lockouts = server.api.get("/api/v1/auth/lockouts");
    let ledger = lockouts.as_array().unwrap().iter().find(|l| l["name"] == "ledger").expect("listed");
    assert_eq!(ledger["kind"], "app");
    let (status, _) = Api::new(&server.url, None).call("GET", "/api/v1/auth/lockouts", None);
    assert_eq!(status, 401);
    let cleared = delete(&server, &format!("/api/v1/auth/lockouts/{}", str_of(&ledger["id"])));
    assert_eq!(cleared, 204);
    let right = login(&server.url, &json!({"app": "ledger", "secret": secret}));
    assert_eq!(right.status, 200, "{right:?}");
}

/// `DELETE path` as the administrator; the status.
fn delete(server: &Server, path: &str) -> u16 {
    let admin = login(&server.url, &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).proxy(None).build().into();
    let response = agent
        .delete(format!("{}{path}", server.url))
        .header("Authorization", format!("Bearer {}", str_of(&admin.body["token"])))
        .call()
        .unwrap();
    response.status().as_u16()
}

/// Sends the head of a `POST path` declaring a body of `length` bytes, and
/// nothing of the body; the status line and body of the answer.
fn declare_body(base: &str, path: &str, token: Option<&str>, length: usize) -> (String, Value) {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{auth}\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server answers without waiting for the body; it then closes.
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn an_oversized_body_answers_413() {
    let server = Server::start(Mode::Server, &[]);
    let (status, body) = declare_body(&server.url, "/api/v1/auth/login", None, 3 << 20);
    assert!(status.contains(" 413 "), "{status} {body}");
    assert_eq!(body["error"], "payload_too_large", "{body}");
    assert!(body["message"].as_str().unwrap().contains("2 MiB"), "{body}");
    let admin = login(&server.url, &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    let token = str_of(&admin.body["token"]);
    let (status, body) = declare_body(&server.url, "/api/v1/apps", Some(&token), 100 << 20);
    assert!(status.contains(" 413 "), "{status} {body}");
    // A body under the limit is read and judged on its content.
    let fits = login(&server.url, &json!({"username": "admin", "password": "x".repeat(1 << 20)}));
    assert_eq!(fits.status, 401, "{fits:?}");
}

/// A `wasmjob` process this module started itself (killed when dropped).
struct Spawned {
    child: Child,
    log: PathBuf,
}

impl Spawned {
    /// Starts `wasmjob ARGS` logging to `log` and waits for its health
    /// check on `base`.
    fn start(args: &[&str], env: &[(&str, &str)], log: PathBuf, base: &str) -> Spawned {
        let file = std::fs::File::create(&log).unwrap();
        let child = support::command(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut spawned = Spawned { child, log };
        let health = Api::new(base, None);
        let context = || std::fs::read_to_string(&spawned.log).unwrap_or_default();
        support::wait_for("the process to answer its health check", Duration::from_secs(60), context, || {
            (health.call("GET", "/health", None).0 == 200).then_some(())
        });
        assert!(spawned.child.try_wait().unwrap().is_none(), "exited: {}", context());
        spawned
    }

    /// Its resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        support::rss_kib(self.child.id())
    }

    /// Stops it with SIGTERM and waits for its exit; whether it was clean.
    fn stop(&mut self) -> bool {
        let sent = std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(sent.success());
        let log = self.log.clone();
        support::wait_for(
            "the process to stop",
            Duration::from_secs(60),
            || std::fs::read_to_string(&log).unwrap_or_default(),
            || self.child.try_wait().unwrap(),
        )
        .success()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_burst_of_concurrent_logins_does_not_exhaust_memory() {
    // Every login waits its turn here (no 503), the worst case for memory.
    let dir = tempfile::tempdir().unwrap();
    let base_addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{base_addr}");
    let data = dir.path().join("data");
    let args = ["server", "--listen", &base_addr, "--admin-password", ADMIN_PASSWORD, "--data-dir"];
    let mut args: Vec<&str> = args.to_vec();
    args.push(data.to_str().unwrap());
    let env = [("WASMJOB_LOGIN__MAX_WAITING", "1000"), ("WASMJOB_LOG", "warn")];
    let server = Spawned::start(&args, &env, dir.path().join("server.log"), &base);
    // One login first: the allocator and the pools are warm.
    assert_eq!(login(&base, &json!({"username": "admin", "password": ADMIN_PASSWORD})).status, 200);
    let before = server.rss_kib();
    // Two bursts, both reported: the first may grow the server by its
    // hashing buffers (one per core, at most 8, 19 MiB each); a server
    // that kept memory from each burst would outgrow the bound by the
    // second.
    let mut after = Vec::new();
    for round in 1..=2 {
        let started = Instant::now();
        let burst: Vec<_> = (0..100)
            .map(|_| {
                let base = base.clone();
                let right = json!({"username": "admin", "password": ADMIN_PASSWORD});
                std::thread::spawn(move || login(&base, &right).status)
            })
            .collect();
        let statuses: Vec<u16> = burst.into_iter().map(|t| t.join().unwrap()).collect();
        let elapsed = started.elapsed();
        let rss = server.rss_kib();
        report(format!(
            "burst {round}: 100 concurrent logins in {elapsed:?}: RSS {} MiB before, {} MiB after (+{} MiB)",
            before / 1024,
            rss / 1024,
            rss.saturating_sub(before) / 1024,
        ));
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        after.push(rss);
    }
    // A memory figure, not a timing: the buffers the hashes may keep, and
    // room for 100 connections.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8) as u64;
    let bound = (40 + 20 * cores) << 10;
    let growth = after[1].saturating_sub(before);
    assert!(growth < bound, "100 concurrent logins grew the server by {} MiB", growth >> 10);
}

/// Valid api_token rows living longer than any login token may (a year).
fn long_lived_tokens(database: &Path) -> i64 {
    let url = format!("sqlite://{}", database.display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = wasmjob_server::Database::connect(&url).await.unwrap();
        let in_a_year = support::now_ms() + 366 * 24 * 3_600_000;
        sqlx::query_scalar(&db.sql("SELECT COUNT(*) FROM api_token WHERE expires_at > ?"))
            .bind(in_a_year)
            .fetch_one(db.pool())
            .await
            .unwrap()
    })
}

#[test]
fn restarting_standalone_leaves_one_embedded_token() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let start = |n: usize| {
        let addr = format!("127.0.0.1:{}", free_port());
        let args = [
            "standalone",
            "--no-demo",
            "--listen",
            &addr,
            "--admin-password",
            ADMIN_PASSWORD,
            "--data-dir",
            data.to_str().unwrap(),
        ];
        Spawned::start(&args, &[], dir.path().join(format!("standalone-{n}.log")), &format!("http://{addr}"))
    };
    let database = data.join("wasmjob.db");
    for n in 1..=3 {
        let mut killed = start(n);
        assert_eq!(long_lived_tokens(&database), 1, "start {n}: one embedded token, the previous one revoked");
        // Killed: no chance to revoke its own token.
        let _ = killed.child.kill();
        let _ = killed.child.wait();
    }
    let mut last = start(4);
    assert_eq!(long_lived_tokens(&database), 1);
    let file = data.join(wasmjob_server::auth::tokens::EMBEDDED_TOKEN_FILE);
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(last.stop(), "a clean stop");
    assert_eq!(long_lived_tokens(&database), 0, "a clean stop revokes it");
}
