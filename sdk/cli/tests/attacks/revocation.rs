//! Revocation reaches open links. The attack: a worker link opened with an
//! app's token kept receiving dispatches, job parameters included, after
//! the app's secret was rotated. Now rotating the secret closes the links
//! its tokens opened at once, with the reason; they receive nothing more,
//! instances are not dispatched to them, and the worker, refused when it
//! logs in again with the old secret, stops without a hot loop.

use crate::support::{Mode, Server, Worker, str_of, wait_for};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A worker link spoken by hand over a plain socket: what an attacker
/// with an app's token holds.
struct RawLink {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// A frame the server sent.
#[derive(Debug)]
enum Frame {
    Text(Value),
    Close(u16, String),
    Other,
}

impl RawLink {
    /// Opens the link with `token` and registers as `address`.
    fn open(server: &Server, token: &str, address: &str) -> RawLink {
        let host = server.url.trim_start_matches("http://");
        let mut writer = TcpStream::connect(host).unwrap();
        writer.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let request = format!(
            "GET /api/v1/workers/connect HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        );
        writer.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(writer.try_clone().unwrap());
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.contains(" 101 "), "the link was not opened: {status}");
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        let mut link = RawLink { reader, writer };
        link.send(&json!({
            "type": "REGISTER", "protocol": 1, "address": address, "tags": [],
            "capabilities": {"processorTypes": ["WASM"], "maxConcurrentTasks": 4, "engine": "by hand"},
            "metrics": {"cpuCores": 64.0, "loadAverage": 0.0, "memoryTotalGb": 512.0, "memoryAvailableGb": 512.0,
                "diskTotalGb": 1000.0, "diskAvailableGb": 1000.0},
            "version": "0"
        }));
        match link.next() {
            Some(Frame::Text(welcome)) if welcome["type"] == "WELCOME" => link,
            other => panic!("expected WELCOME, got {other:?}"),
        }
    }

    /// Sends a text frame (masked, as clients must).
    fn send(&mut self, message: &Value) {
        let payload = message.to_string().into_bytes();
        let mask = [0x5a, 0x17, 0xc3, 0x08];
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&u16::try_from(n).unwrap().to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.writer.write_all(&frame).unwrap();
    }

    /// The next frame; `None` once the server ended the connection.
    fn next(&mut self) -> Option<Frame> {
        let mut head = [0u8; 2];
        self.reader.read_exact(&mut head).ok()?;
        let opcode = head[0] & 0x0f;
        let mut len = u64::from(head[1] & 0x7f);
        if len == 126 {
            let mut ext = [0u8; 2];
            self.reader.read_exact(&mut ext).ok()?;
            len = u64::from(u16::from_be_bytes(ext));
        } else if len == 127 {
            let mut ext = [0u8; 8];
            self.reader.read_exact(&mut ext).ok()?;
            len = u64::from_be_bytes(ext);
        }
        let mut payload = vec![0u8; usize::try_from(len).unwrap()];
        self.reader.read_exact(&mut payload).ok()?;
        Some(match opcode {
            0x1 => Frame::Text(serde_json::from_slice(&payload).unwrap()),
            0x8 if payload.len() >= 2 => Frame::Close(
                u16::from_be_bytes([payload[0], payload[1]]),
                String::from_utf8_lossy(&payload[2..]).into(),
            ),
            0x8 => Frame::Close(0, String::new()),
            _ => Frame::Other,
        })
    }

    /// Text frames until one of `kind`.
    fn until(&mut self, kind: &str) -> Value {
        loop {
            match self.next() {
                Some(Frame::Text(message)) if message["type"] == kind => return message,
                Some(Frame::Text(_) | Frame::Other) => {}
                other => panic!("waiting for {kind}: {other:?}"),
            }
        }
    }
}

/// An app with a deployed `standalone` container and an API job running it
/// with parameters worth stealing.
fn app_with_job(server: &Server, name: &str) -> (String, String, String) {
    let (app, secret) = server.app(name);
    server.push(&app, "echo", "standalone");
    let job = server.job(
        &app,
        &json!({"name": "payroll", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "echo", "jobParams": "{\"account\":\"payroll-db\"}"}),
    );
    (app, secret, job)
}

fn login(server: &Server, app: &str, secret: &str) -> String {
    let anonymous = crate::support::Api::new(&server.url, None);
    str_of(&anonymous.post("/api/v1/auth/login", &json!({"app": app, "secret": secret}))["token"])
}

/// Waits for an instance to end; the instance.
fn ended(server: &Server, instance: &str) -> Value {
    server.wait(format!("instance {instance} ends"), Duration::from_secs(60), || {
        let now = server.instance(instance);
        matches!(now["status"].as_str(), Some("SUCCEED" | "FAILED" | "STOPPED" | "CANCELED")).then_some(now)
    })
}

/// A link held by hand receives the dispatch (and its parameters) before
/// the rotation; after it, a close frame with the reason and nothing
/// else, and the instance it held ends.
#[test]
fn a_link_opened_before_a_rotation_is_closed_and_sent_nothing_more() {
    let server = Server::start(Mode::Server, &[]);
    let (app, secret, job) = app_with_job(&server, "held");
    let token = login(&server, "held", &secret);
    let mut link = RawLink::open(&server, &token, "attacker:1");

    // Before: the link is a worker like any, and gets the job's parameters.
    let held = str_of(&server.run(&job, &json!({}))["id"]);
    let dispatch = link.until("DISPATCH");
    assert_eq!(dispatch["jobParams"], "{\"account\":\"payroll-db\"}", "{dispatch}");
    assert_eq!(dispatch["instanceId"].to_string(), held);

    let rotated_at = Instant::now();
    server.api.post(&format!("/api/v1/apps/{app}/secret"), &json!({}));
    let mut after = Vec::new();
    let close = loop {
        match link.next() {
            Some(Frame::Close(code, reason)) => break (code, reason),
            Some(frame) => after.push(frame),
            None => panic!("the link ended without a close frame; frames after the rotation: {after:?}"),
        }
    };
    let closed_in = rotated_at.elapsed();
    crate::support::report(format!("revocation: the held link was closed {closed_in:?} after the rotation began"));
    assert!(
        after.iter().all(|f| !matches!(f, Frame::Text(m) if m["type"] == "DISPATCH" || m["type"] == "JOIN")),
        "no dispatch after the rotation: {after:?}"
    );
    assert_eq!(close.0, 1008, "closed as a policy violation: {close:?}");
    assert!(close.1.contains("secret was rotated"), "the reason is given: {close:?}");
    assert!(link.next().is_none(), "nothing follows the close frame");

    // The instance it held ends, naming the worker (the revocation ends it,
    // unless the sweeper, seeing the link closed, was first); one run after
    // is sent nowhere.
    let first = ended(&server, &held);
    assert_eq!(first["status"], "FAILED", "{first}");
    assert!(str_of(&first["result"]).contains("worker attacker:1"), "{first}");
    let later = str_of(&server.run(&job, &json!({}))["id"]);
    let second = ended(&server, &later);
    assert_eq!(second["status"], "FAILED", "{second}");
    assert!(str_of(&second["result"]).contains("no worker"), "{second}");
    // The old token opens no new link.
    let anonymous = crate::support::Api::new(&server.url, Some(token));
    assert_eq!(anonymous.call("GET", "/api/v1/auth/me", None).0, 401);
}

/// A real worker: shown gone soon after the rotation, told why, refused
/// when it logs in again with the old secret (and it stops, without a hot
/// loop), and a job run after is not dispatched to it.
#[test]
fn a_worker_of_a_rotated_app_is_disconnected_and_gets_no_dispatch() {
    let server = Server::start(Mode::Server, &[]);
    let (app, secret, job) = app_with_job(&server, "rotating");
    let worker = Worker::start(&server, "rotating", &secret, "w1:1");
    let context = || format!("{}\n{}", server.log_tail(), worker.process.log_tail());
    let alive = |want: bool| {
        let workers = server.api.get(&format!("/api/v1/apps/{app}/workers"));
        workers.as_array().unwrap().iter().any(|w| w["address"] == "w1:1" && w["alive"] == want)
    };
    wait_for("the worker is alive", Duration::from_secs(60), context, || alive(true).then_some(()));
    let before = str_of(&server.run(&job, &json!({}))["id"]);
    assert_eq!(ended(&server, &before)["status"], "SUCCEED", "{}", context());

    let rotated_at = Instant::now();
    server.api.post(&format!("/api/v1/apps/{app}/secret"), &json!({}));
    wait_for("the worker is shown gone", Duration::from_secs(30), context, || (!alive(true)).then_some(()));
    crate::support::report(format!(
        "revocation: the worker was shown gone {:?} after the rotation",
        rotated_at.elapsed()
    ));
    let log = || std::fs::read_to_string(worker.process.log_path()).unwrap_or_default();
    wait_for("the worker is told why", Duration::from_secs(30), context, || {
        log().contains("the app's secret was rotated").then_some(())
    });
    wait_for("the worker stops: its secret is refused", Duration::from_secs(60), context, || {
        log().contains("refused the app's name or secret").then_some(())
    });

    let after = str_of(&server.run(&job, &json!({}))["id"]);
    let instance = ended(&server, &after);
    assert_eq!(instance["status"], "FAILED", "{instance}");
    assert!(str_of(&instance["result"]).contains("no worker"), "{instance}");
    let log = log();
    assert!(log.contains(&before), "the worker's log names what it ran: {log}");
    assert!(!log.contains(&after), "nothing was dispatched to it after the rotation: {log}");
    let attempts = log.matches("cannot connect").count();
    assert!(attempts <= 5, "no hot loop: {attempts} connection attempts after the rotation\n{log}");
}

/// A schema of its own in the local PostgreSQL, dropped at the end.
struct Schema {
    url: String,
    name: String,
}

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

impl Schema {
    fn create() -> Schema {
        use std::hash::{BuildHasher, RandomState};
        let name = format!("wjr_{:016x}", RandomState::new().hash_one(std::time::SystemTime::now()));
        block_on(async {
            let db = wasmjob_server::Database::connect(POSTGRES).await.expect("PostgreSQL at 127.0.0.1:5432");
            sqlx::query(&format!("CREATE SCHEMA {name}")).execute(db.pool()).await.unwrap();
        });
        Schema { url: format!("{POSTGRES}?options=-c%20search_path%3D{name}"), name }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        block_on(async {
            if let Ok(db) = wasmjob_server::Database::connect(POSTGRES).await {
                let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name)).execute(db.pool()).await;
            }
        });
    }
}

/// Two servers share one database: a rotation through server A closes
/// the link the worker holds to server B (B re-checks its links' tokens
/// every few seconds), and B dispatches nothing more to it.
#[test]
fn a_rotation_through_another_server_closes_the_link() {
    let schema = Schema::create();
    let env = [("WASMJOB_DATABASE_URL", schema.url.as_str())];
    // One after the other: the second finds the schema migrated.
    let a = Server::start(Mode::Server, &env);
    let b = Server::start(Mode::Server, &env);
    let (app, secret, job) = app_with_job(&a, "shared");
    let worker = Worker::start(&b, "shared", &secret, "w2:1");
    let context = || format!("{}\n{}\n{}", a.log_tail(), b.log_tail(), worker.process.log_tail());
    let alive = || {
        let workers = b.api.get(&format!("/api/v1/apps/{app}/workers"));
        workers.as_array().unwrap().iter().any(|w| w["address"] == "w2:1" && w["alive"] == true)
    };
    wait_for("the worker is alive on server B", Duration::from_secs(60), context, || alive().then_some(()));

    let rotated_at = Instant::now();
    a.api.post(&format!("/api/v1/apps/{app}/secret"), &json!({}));
    let log = || std::fs::read_to_string(worker.process.log_path()).unwrap_or_default();
    wait_for("server B closes the link", Duration::from_secs(30), context, || {
        log().contains("the worker's token was revoked").then_some(())
    });
    crate::support::report(format!(
        "revocation: server B closed the link {:?} after the rotation through server A",
        rotated_at.elapsed()
    ));
    wait_for("the worker is shown gone", Duration::from_secs(30), context, || (!alive()).then_some(()));
    let after = str_of(&b.run(&job, &json!({}))["id"]);
    let instance = ended(&b, &after);
    assert_eq!(instance["status"], "FAILED", "{instance}");
    assert!(!log().contains(&after), "nothing was dispatched to it after the rotation: {}", log());
}

/// An expiry is not a revocation: the link its token opened closes, the
/// worker logs in again at once, and what it was running goes on to
/// succeed instead of being failed as lost.
#[test]
fn an_expired_token_closes_its_link_and_what_runs_goes_on() {
    let schema = Schema::create();
    let server = Server::start(
        Mode::Server,
        &[
            ("WASMJOB_DATABASE_URL", schema.url.as_str()),
            ("WASMJOB_HEARTBEAT_INTERVAL_MS", "500"),
            ("WASMJOB_WORKER_TIMEOUT_MS", "15000"),
        ],
    );
    let (app, secret) = server.app("expiring");
    server.push(&app, "slow", "slow-echo");
    let job = server.job(
        &app,
        &json!({"name": "long", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "slow", "jobParams": "{\"ms\":6000}"}),
    );
    let worker = Worker::start(&server, "expiring", &secret, "w-exp:1");
    let context = || format!("{}\n{}", server.log_tail(), worker.process.log_tail());
    let connections = || server.log_tail().matches("worker connected").count();
    wait_for("the worker connects", Duration::from_secs(60), context, || (connections() == 1).then_some(()));
    let instance = str_of(&server.run(&job, &json!({}))["id"]);
    wait_for("the instance runs", Duration::from_secs(60), context, || {
        (server.instance(&instance)["status"] == "RUNNING").then_some(())
    });

    // The worker's token expires now (as it does a day after its login).
    let app_id: i64 = app.parse().unwrap();
    block_on(async {
        let db = wasmjob_server::Database::connect(&schema.url).await.unwrap();
        sqlx::query("UPDATE api_token SET expires_at = $1 WHERE app_id = $2")
            .bind(crate::support::now_ms())
            .bind(app_id)
            .execute(db.pool())
            .await
            .unwrap();
    });
    wait_for("the worker comes back with a new token", Duration::from_secs(30), context, || {
        (connections() >= 2).then_some(())
    });
    let done = ended(&server, &instance);
    assert_eq!(done["status"], "SUCCEED", "{done}\n{}", context());
}
