//! The worker's boundaries: its peer link to strangers on the network, its
//! files to other users of the machine, and its official processors
//! (FILE_CLEANUP, SQL) to a job's author. Each test replays the attack
//! against real `wasmjob server` and `wasmjob worker` processes.

use crate::support::{self, ADMIN_PASSWORD, Api, Mode, Server, Worker, dist, free_port, str_of, wait_for};
use serde_json::{Value, json};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

/// How long something that takes a second may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// A client's WebSocket upgrade request, written by hand.
const UPGRADE: &str = "GET / HTTP/1.1\r\nHost: peer\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                       Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// How long a read waits for the worker to close a connection: half the
/// patient worker's hello timeout, so a connection closed only by that
/// timeout (not at once, as it should be) fails the read.
const CLOSE_WITHIN: Duration = Duration::from_secs(30);

/// The frame the attack announced: 59 MiB.
const FRAME: u64 = 59 << 20;

/// Connects to a peer listener, waiting until it listens.
fn connect(port: u16) -> TcpStream {
    let stream = wait_for(format!("the peer listener on {port}"), PATIENCE, String::new, || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
    stream.set_read_timeout(Some(CLOSE_WITHIN)).unwrap();
    stream
}

/// Completes the WebSocket handshake by hand.
fn upgrade(stream: &mut TcpStream) {
    stream.write_all(UPGRADE.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the handshake's answer ended early");
        answer.push(byte[0]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&answer));
}

/// Reads until the worker closes the connection (a reset counts); what
/// was read. Panics if it stays open past the read timeout.
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut read = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return read,
            Ok(n) => read.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return read,
            Err(e) => panic!("the worker kept the connection open: {e}"),
        }
    }
}

/// Whether the worker still holds the connection open (nothing to read,
/// no end).
fn still_open(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let open = matches!((&*stream).read(&mut [0u8; 1]), Err(e) if e.kind() == ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    open
}

#[test]
fn strangers_on_the_peer_link_get_no_large_frames_no_time_and_no_crowd() {
    let server = Server::start(Mode::Server, &[]);
    let (_, secret) = server.app("peer-attack");
    let (patient, hasty) = (free_port(), free_port());
    let listen = |port: u16| format!("127.0.0.1:{port}");
    let w1 = Worker::start_with(
        &server,
        "peer-attack",
        &secret,
        "peer-attack-w1",
        &["--peer-listen", &listen(patient), "--peer-hello-timeout-ms", "60000", "--peer-max-pending", "4"],
    );
    let _w2 = Worker::start_with(
        &server,
        "peer-attack",
        &secret,
        "peer-attack-w2",
        &["--peer-listen", &listen(hasty), "--peer-hello-timeout-ms", "300"],
    );
    drop(connect(patient));
    let pid = w1.process.pid();
    let before = crate::support::rss_kib(pid) * 1024;

    // Four connections announce a 59 MiB frame each before any hello: the
    // worker closes each on the frame's header, before its bytes come.
    for _ in 0..4 {
        let mut stranger = connect(patient);
        upgrade(&mut stranger);
        let mut header = vec![0x82, 0x80 | 127];
        header.extend_from_slice(&FRAME.to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4]);
        stranger.write_all(&header).unwrap();
        let answer = read_until_closed(&mut stranger);
        assert!(answer.len() < 64, "closed with at most a close frame: {answer:?}");
        // What the attack then sent finds the connection closed.
        let chunk = vec![0u8; 1 << 20];
        let sent = (0..59).take_while(|_| stranger.write_all(&chunk).is_ok()).count();
        assert!(sent < 59, "the worker took all of the frame's bytes");
    }
    let grown = (crate::support::rss_kib(pid) * 1024).saturating_sub(before);
    support::report(format!("worker RSS grew {} KiB over four 59 MiB frame attacks", grown >> 10));
    assert!(grown < 32 << 20, "the worker grew by {} MiB", grown >> 20);

    // Four silent connections take every place; the fifth is closed at
    // once while the four are still held. A place the attacks above held
    // is given back when the worker has finished with their connection,
    // which may come after the attacker saw it closed: until then one of
    // the four is refused instead, so the four are tried again until they
    // all hold (a place never given back fails here, after PATIENCE).
    let mut waiting = wait_for("four places free at the door", PATIENCE, String::new, || {
        let waiting: Vec<TcpStream> = (0..4).map(|_| connect(patient)).collect();
        let mut fifth = connect(patient);
        assert!(read_until_closed(&mut fifth).is_empty(), "the fifth pending connection is closed");
        waiting.iter().all(still_open).then_some(waiting)
    });
    // One leaves: its place is free again.
    drop(waiting.pop());
    let next = wait_for("a place at the door", PATIENCE, String::new, || {
        let mut next = connect(patient);
        let _ = next.write_all(UPGRADE.as_bytes());
        let mut byte = [0u8; 1];
        (next.read(&mut byte).is_ok_and(|n| n == 1)).then_some(next)
    });
    drop(waiting);

    // A connection that never says its hello is closed after the timeout.
    let mut silent = connect(hasty);
    assert!(read_until_closed(&mut silent).is_empty());
    let mut slow = connect(hasty);
    let _ = slow.write_all(UPGRADE.as_bytes());
    read_until_closed(&mut slow);
    drop(next);
}

/// A `wasmjob` command started by `sh` with umask 000, killed when dropped.
struct Umask000(Child);

impl Umask000 {
    fn spawn(inner: Command, log: &Path) -> Self {
        let mut sh = Command::new("sh");
        sh.arg("-c").arg("umask 000 && exec \"$0\" \"$@\"").arg(inner.get_program()).args(inner.get_args());
        for (key, value) in inner.get_envs() {
            match value {
                Some(value) => sh.env(key, value),
                None => sh.env_remove(key),
            };
        }
        let file = std::fs::File::create(log).unwrap();
        sh.stdout(file.try_clone().unwrap()).stderr(file).stdin(std::process::Stdio::null());
        Self(sh.spawn().unwrap())
    }
}

impl Drop for Umask000 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).mode() & 0o7777
}

/// The files below `dir`, recursively.
fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.push(path.clone());
            found.extend(files_below(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn with_umask_000_the_server_and_worker_files_are_still_private() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("server");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut command = support::command(&["server", "--listen", &addr, "--admin-password", ADMIN_PASSWORD]);
    command.arg("--data-dir").arg(&data);
    let server_log = temp.path().join("server.log");
    let _server = Umask000::spawn(command, &server_log);
    let url = format!("http://{addr}");
    let context = || std::fs::read_to_string(&server_log).unwrap_or_default();
    let anonymous = Api::new(&url, None);
    wait_for("the server answers", PATIENCE, context, || {
        (anonymous.call("GET", "/health", None).0 == 200).then_some(())
    });
    let login = anonymous.post("/api/v1/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD}));
    let api = Api::new(&url, Some(str_of(&login["token"])));
    let created = api.post("/api/v1/apps", &json!({"name": "umask"}));
    let (app, secret) = (str_of(&created["app"]["id"]), str_of(&created["secret"]));
    api.upload(&format!("/api/v1/apps/{app}/containers/echo/versions"), &std::fs::read(dist("standalone")).unwrap());
    let worker_data = temp.path().join("worker");
    let mut command = support::command(&["worker", "--server", &url, "--app", "umask", "--address", "umask-w1"]);
    command.arg("--data-dir").arg(&worker_data).env("WASMJOB_APP_SECRET", &secret);
    let _worker = Umask000::spawn(command, &temp.path().join("worker.log"));
    let job = json!({"name": "echo", "timeExpressionType": "API", "executeType": "STANDALONE",
                     "processorType": "WASM", "processorInfo": "echo"});
    let job = str_of(&api.post(&format!("/api/v1/apps/{app}/jobs"), &job)["id"]);
    let context = || {
        let worker = std::fs::read_to_string(temp.path().join("worker.log")).unwrap_or_default();
        format!("{}\n{worker}", std::fs::read_to_string(&server_log).unwrap_or_default())
    };
    wait_for("the worker connected", PATIENCE, context, || {
        let listed = api.get(&format!("/api/v1/apps/{app}/workers"));
        listed.as_array().unwrap().iter().any(|w| w["alive"] == true).then_some(())
    });
    let id = str_of(&api.post(&format!("/api/v1/jobs/{job}/run"), &json!({}))["id"]);
    wait_for(format!("instance {id} SUCCEED"), PATIENCE, context, || {
        let instance: Value = api.get(&format!("/api/v1/instances/{id}"));
        (instance["status"] == "SUCCEED").then_some(())
    });

    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&worker_data), 0o700);
    for dir in [&data, &worker_data] {
        for path in files_below(dir) {
            let want = if path.is_dir() { 0o700 } else { 0o600 };
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            // What the server's local store makes inside its directory
            // keeps the umask's mode; the directory (0700) keeps others out.
            if path.starts_with(data.join("artifacts")) && path != data.join("artifacts") {
                continue;
            }
            assert_eq!(mode(&path), want, "{} ({name})", path.display());
        }
    }
    let listed: Vec<String> = files_below(&worker_data).iter().map(|p| p.display().to_string()).collect();
    assert!(listed.iter().any(|p| p.ends_with(".cwasm")), "compiled code was cached: {listed:?}");
    assert!(listed.iter().any(|p| p.ends_with(".wasm")), "the component was kept: {listed:?}");
    for companion in ["wasmjob.db", "wasmjob.db-wal", "wasmjob.db-shm"] {
        assert_eq!(mode(&data.join(companion)), 0o600, "{companion}");
    }
}

#[test]
fn a_worker_refuses_a_compiled_code_cache_others_may_write() {
    let temp = tempfile::tempdir().unwrap();
    let shared = temp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    // The worker's data directory inside a directory anyone may write (and
    // that is not sticky): another user could swap its compiled code.
    let mut command = support::command(&["worker", "--server", "http://127.0.0.1:1", "--app", "a", "--no-peer"]);
    command.arg("--data-dir").arg(shared.join("data")).env("WASMJOB_APP_SECRET", "s");
    let out = command.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the worker started: {text}");
    assert!(text.contains("not private") && text.contains("which others may write"), "{text}");
}

/// A server, a worker of app `name` with `extra` flags, and the app's id.
fn setup(name: &str, extra: &[&str]) -> (Server, Worker, String) {
    let server = Server::start(Mode::Server, &[]);
    let (app, secret) = server.app(name);
    let worker = Worker::start_with(&server, name, &secret, &format!("{name}-w1"), extra);
    server.wait("the worker connected", PATIENCE, || {
        let listed = server.api.get(&format!("/api/v1/apps/{app}/workers"));
        listed.as_array().unwrap().iter().any(|w| w["alive"] == true).then_some(())
    });
    (server, worker, app)
}

/// Runs a new API job and waits for its end; the instance.
fn run_job(server: &Server, app: &str, spec: Value) -> Value {
    let job = server.job(app, &spec);
    let id = str_of(&server.run(&job, &json!({}))["id"]);
    server.wait(format!("instance {id} ends"), PATIENCE, || {
        let instance = server.instance(&id);
        matches!(instance["status"].as_str(), Some("SUCCEED" | "FAILED" | "STOPPED")).then_some(instance)
    })
}

#[test]
fn file_cleanup_cannot_leave_the_directories_the_worker_allows() {
    let temp = tempfile::tempdir().unwrap();
    let allowed = temp.path().join("x");
    let outside = temp.path().join("etc");
    std::fs::create_dir_all(&allowed).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let victim = outside.join("passwd");
    std::fs::write(&victim, "root:x:0:0").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&victim)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(7200))
        .unwrap();
    std::os::unix::fs::symlink(&outside, allowed.join("link")).unwrap();
    let root = allowed.display().to_string();
    let (server, _worker, app) = setup("cleanup-attack", &["--enable", "file-cleanup", "--cleanup-root", &root]);
    let cleanup = |dir: String| {
        let params = json!([{"dirPath": dir, "filePattern": ".*", "retentionTime": 1}]).to_string();
        json!({"name": "clean", "timeExpressionType": "API", "executeType": "BROADCAST",
               "processorType": "FILE_CLEANUP", "jobParams": params})
    };
    // `/` is refused when the job is saved.
    let (status, body) = server.api.call("POST", &format!("/api/v1/apps/{app}/jobs"), Some(&cleanup("/".into())));
    assert_eq!(status, 422, "{body}");
    for dir in [
        "/etc".to_string(),
        outside.display().to_string(),
        format!("{}/../etc", allowed.display()),
        allowed.join("link").display().to_string(),
    ] {
        let ended = run_job(&server, &app, cleanup(dir.clone()));
        assert_eq!(ended["status"], "FAILED", "{dir}: {ended}");
        assert!(str_of(&ended["result"]).contains("is not under a directory this worker allows"), "{dir}: {ended}");
        assert!(victim.exists(), "{dir}: the victim survives");
    }
    let ended = run_job(&server, &app, cleanup(allowed.display().to_string()));
    assert_eq!(ended["status"], "SUCCEED", "{ended}");
    assert!(victim.exists() && allowed.join("link").exists(), "the link is neither followed nor removed");
}

#[test]
fn disguised_sql_drops_do_not_run() {
    let temp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", temp.path().join("victim.db").display());
    let datasource = format!("db={url}");
    let (server, _worker, app) = setup("sql-attack", &["--datasource", &datasource]);
    let sql = |statement: &str| {
        let params = json!({"datasource": "db", "sql": statement}).to_string();
        json!({"name": "sql", "timeExpressionType": "API", "executeType": "STANDALONE",
               "processorType": "SQL", "jobParams": params})
    };
    let made = run_job(&server, &app, sql("CREATE TABLE victim (a INTEGER); INSERT INTO victim VALUES (1)"));
    assert_eq!(made["status"], "SUCCEED", "{made}");
    for attack in ["DROP/**/TABLE victim", "SELECT 1;\nDrOp -- x\n TABLE victim", "/* */ TRUNCATE victim", "DROP"] {
        let ended = run_job(&server, &app, sql(attack));
        assert_eq!(ended["status"], "FAILED", "{attack}: {ended}");
        assert!(str_of(&ended["result"]).contains("refused by this worker's SQL check"), "{attack}: {ended}");
    }
    let counted = run_job(&server, &app, sql("SELECT count(*) FROM victim"));
    assert_eq!(counted["status"], "SUCCEED", "the victim table survives: {counted}");
    assert!(str_of(&counted["result"]).contains("1 rows returned"), "{counted}");
}
