//! The API client end to end: the real `wasmjob server` as a child
//! process, driven through the `wasmjob` commands a user types, from login
//! to job deletion, with the exit codes and messages of the failures.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wasmjob");
/// Variables that would send the client's requests to a proxy.
const PROXY_VARS: &[&str] = &["ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/// A command with the caller's `WASMJOB_*` and proxy variables removed.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env("WASMJOB_LOG", "warn");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("WASMJOB_") && name != "WASMJOB_LOG" {
            command.env_remove(name);
        }
    }
    for name in PROXY_VARS {
        command.env_remove(name);
    }
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The server process; killed when dropped, also when a test panics.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn health(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

impl Server {
    fn start() -> Server {
        let data = tempfile::tempdir().unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let log = data.path().join("server.log");
        let child = command(&["server", "--listen", &addr, "--data-dir"])
            .arg(data.path().join("data"))
            .args(["--admin-password", "test-admin"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting the server");
        let mut server = Server { child, url: format!("http://{addr}"), log, _data: data };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !health(&addr) {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited with {status}: {}", server.log_text());
            }
            assert!(Instant::now() < deadline, "the server did not answer within 20 s: {}", server.log_text());
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// What a CLI run printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the client against one stored login, and remembers every output
/// so the test can check that no token ever appears in one.
struct Cli {
    config: PathBuf,
    outputs: Vec<String>,
}

impl Cli {
    fn run_with(&mut self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut command = command(args);
        command.env("WASMJOB_CLI_CONFIG", &self.config).envs(env.iter().copied());
        command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        // A deadline, so a `logs --follow` that never ends fails the test
        // instead of hanging it.
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).unwrap();
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            stderr.read_to_string(&mut s).unwrap();
            s
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("`wasmjob {}` did not finish within 60 s", args.join(" "));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let run = Run { code: status.code().unwrap_or(-1), stdout: out.join().unwrap(), stderr: err.join().unwrap() };
        self.outputs.push(format!("{}\n{}", run.stdout, run.stderr));
        run
    }

    fn run(&mut self, args: &[&str]) -> Run {
        self.run_with(args, &[], None)
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&mut self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "`wasmjob {}` failed: {run:?}", args.join(" "));
        run.stdout
    }

    /// Runs a command that must succeed with `--json`; its JSON.
    fn json(&mut self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let stdout = self.ok(&args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("`{stdout}` is not JSON: {e}"))
    }

    /// Runs a command that must fail with `code`; its stderr.
    fn fails(&mut self, code: i32, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, code, "`wasmjob {}`: {run:?}", args.join(" "));
        assert!(run.stdout.is_empty(), "nothing on stdout on failure: {run:?}");
        run.stderr
    }

    fn token(&self) -> String {
        let stored: Value = serde_json::from_str(&std::fs::read_to_string(&self.config).unwrap()).unwrap();
        stored["token"].as_str().unwrap().to_string()
    }
}

/// A CRON job with every field set away from its default: the fixture the
/// server's API tests use.
fn cron_job(name: &str) -> Value {
    let mut spec: Value = serde_json::from_str(include_str!("../../../server/tests/fixtures/cron-job.json")).unwrap();
    spec["name"] = json!(name);
    spec
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn str_of(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("{value} is not a string")).to_string()
}

#[test]
fn the_whole_lifecycle_through_the_cli() {
    let server = Server::start();
    let url = server.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let mut cli = Cli { config: dir.path().join("conf/wasmjob/cli.json"), outputs: Vec::new() };

    // Not logged in yet: a usage error that says what to do.
    let stderr = cli.fails(2, &["app", "list"]);
    assert!(stderr.contains("wasmjob login"), "{stderr}");

    // Log in as the administrator; the password may come from the environment.
    let stderr = cli.fails(1, &["login", "--server", url, "--username", "admin", "--password", "wrong"]);
    assert!(stderr.contains("error: wrong name or secret"), "{stderr}");
    let run =
        cli.run_with(&["login", "--server", url, "--username", "admin"], &[("WASMJOB_PASSWORD", "test-admin")], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(&format!("Logged in to {url} as user admin")), "{run:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cli.config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the stored login is readable by its owner only");
    }
    let mut tokens = vec![cli.token()];

    // An app, and its secret from the JSON reply.
    let created = cli.json(&["app", "create", "reports", "--description", "report jobs"]);
    let app = str_of(&created["app"]["id"]);
    let secret = str_of(&created["secret"]);
    let listed = cli.ok(&["app", "list"]);
    assert!(listed.contains(&app) && listed.contains("reports") && listed.contains("report jobs"), "{listed}");

    // Log in as the app.
    let stdout = cli.ok(&["login", "--app", "reports", "--secret", &secret]);
    assert!(stdout.contains("as app reports"), "{stdout}");
    tokens.push(cli.token());
    let stderr = cli.fails(1, &["app", "create", "other"]);
    assert!(stderr.contains("only administrators"), "{stderr}");

    // Push a component into a container; the same bytes again give the same version.
    let component = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guest-examples/dist/standalone.wasm");
    let component = component.to_str().unwrap();
    let pushed = cli.json(&["container", "push", component, "--app", &app, "--name", "exporter", "--label", "v1"]);
    assert_eq!((&pushed["label"], &pushed["deployed"]), (&json!("v1"), &json!(true)), "{pushed}");
    assert!(pushed["worlds"].as_array().unwrap().contains(&json!("basic")), "{pushed}");
    let again = cli.ok(&["container", "push", component, "--app", &app, "--name", "exporter"]);
    assert!(again.contains("v1") && again.contains("worlds") && again.contains("basic"), "{again}");
    let listed = cli.ok(&["container", "list", "--app", &app]);
    assert!(listed.contains("exporter") && listed.contains("v1"), "{listed}");
    let shown = cli.ok(&["container", "get", "exporter", "--app", &app]);
    assert!(shown.contains(&str_of(&pushed["digest"])), "{shown}");
    let not_wasm = write_json(dir.path(), "not.wasm", &json!({}));
    let stderr = cli.fails(1, &["container", "push", &not_wasm, "--app", &app, "--name", "exporter"]);
    assert!(stderr.contains("body: not a WebAssembly file"), "{stderr}");

    // Create a job from a spec file, list it, update it.
    let spec = cron_job("nightly");
    let spec_file = write_json(dir.path(), "spec.json", &spec);
    let stdout = cli.ok(&["job", "create", "--app", &app, "--file", &spec_file]);
    assert!(stdout.starts_with("Created job ") && stdout.contains("(nightly)"), "{stdout}");
    let page = cli.json(&["job", "list", "--app", &app]);
    assert_eq!(page["total"], 1, "{page}");
    let job = str_of(&page["items"][0]["id"]);
    let listed = cli.ok(&["job", "list", "--app", &app]);
    assert!(listed.contains(&job) && listed.contains("CRON 0 0 2 * * ?") && listed.contains("1 of 1 job"), "{listed}");

    let mut changed = spec.clone();
    changed["name"] = json!("nightly-v2");
    changed["timeExpression"] = json!("0 30 3 * * ?");
    let changed_file = write_json(dir.path(), "changed.json", &changed);
    let stdout = cli.ok(&["job", "update", &job, "--file", &changed_file]);
    assert!(stdout.contains(&format!("Updated job {job} (nightly-v2)")), "{stdout}");
    let fetched = cli.json(&["job", "get", &job]);
    assert_eq!(fetched["timeExpression"], "0 30 3 * * ?");
    let shown = cli.ok(&["job", "get", &job]);
    assert!(shown.contains("nightly-v2") && shown.contains("exporter@v3"), "{shown}");

    // Disable, enable.
    assert!(cli.ok(&["job", "disable", &job]).contains("is disabled"));
    assert_eq!(cli.json(&["job", "get", &job])["enabled"], false);
    assert!(cli.ok(&["job", "enable", &job]).contains("is enabled"));
    assert_eq!(cli.json(&["job", "get", &job])["enabled"], true);

    // Copy.
    let copy = cli.json(&["job", "copy", &job, "--name", "copied"]);
    assert_eq!(copy["name"], "copied");
    assert_eq!(copy["enabled"], false);
    assert_ne!(copy["id"], json!(job));

    // Export, then import into the same app: from a file, and an array from stdin.
    let exported = cli.ok(&["job", "export", &job]);
    let exported: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported, changed, "export gives back what was saved");
    let export_file = write_json(dir.path(), "export.json", &exported);
    let imported = cli.json(&["job", "import", "--app", &app, "--file", &export_file]);
    assert_eq!(imported.as_array().unwrap().len(), 1, "{imported}");
    assert_eq!(imported[0]["name"], "nightly-v2");
    assert_ne!(imported[0]["id"], json!(job));
    let array = json!([exported.clone(), {"name": "api-only", "timeExpressionType": "API", "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": "x"}]);
    let run = cli.run_with(&["job", "import", "--app", &app, "--file", "-"], &[], Some(&array.to_string()));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("Imported 2 jobs:") && run.stdout.contains("api-only"), "{run:?}");
    assert_eq!(cli.json(&["job", "list", "--app", &app])["total"], 5);
    assert_eq!(cli.json(&["job", "list", "--app", &app, "--enabled", "false"])["total"], 1);
    let named = cli.json(&["job", "list", "--app", &app, "--name", "COPIED", "--sort", "-name", "--size", "1"]);
    assert_eq!(named["total"], 1, "{named}");
    assert_eq!(named["items"][0]["name"], "copied");

    // Run with parameters (delayed, so nothing dispatches it meanwhile).
    let instance = cli.json(&["job", "run", &job, "--params", r#"{"day":"2026-11-23"}"#, "--delay-ms", "600000"]);
    assert_eq!(instance["status"], "WAITING_DISPATCH");
    let id = str_of(&instance["id"]);
    let listed = cli.ok(&["instance", "list", "--app", &app]);
    assert!(listed.contains(&id) && listed.contains("WAITING_DISPATCH"), "{listed}");
    let page = cli.json(&["instance", "list", "--app", &app, "--job", &job, "--status", "WAITING_DISPATCH"]);
    assert_eq!(page["total"], 1, "{page}");
    let fetched = cli.json(&["instance", "get", &id]);
    assert_eq!(fetched["instanceParams"], r#"{"day":"2026-11-23"}"#);
    assert!(cli.ok(&["instance", "get", &id]).contains("WAITING_DISPATCH"));
    let logs = cli.ok(&["instance", "logs", &id]);
    assert!(logs.contains("INFO  [server] run requested through the API"), "{logs}");

    // Stop; following the log of an ended instance ends.
    assert!(cli.ok(&["instance", "stop", &id]).contains("is STOPPED"));
    let followed = cli.ok(&["instance", "logs", &id, "--follow"]);
    assert!(
        followed.contains("run requested through the API") && followed.contains("stopped on request"),
        "{followed}"
    );
    assert_eq!(followed.lines().count(), 2, "{followed}");

    // Retry, then cancel; a second cancel conflicts.
    // The retry is dispatched at once; with no worker connected it fails and
    // the job's own retry (30 s later) puts it back in the queue.
    let retried = cli.ok(&["instance", "retry", &id]);
    assert!(retried.contains("is WAITING_DISPATCH"), "{retried}");
    let runs = cli.json(&["instance", "get", &id])["runningTimes"].as_i64();
    assert!(matches!(runs, Some(2 | 3)), "{runs:?}");
    assert!(cli.ok(&["instance", "cancel", &id]).contains("is CANCELED"));
    let stderr = cli.fails(1, &["instance", "cancel", &id]);
    assert!(stderr.contains("error: the instance is CANCELED"), "{stderr}");

    // A bad definition names its field and exits 1.
    let mut bad = spec.clone();
    bad["timeExpression"] = json!("not a cron");
    let bad_file = write_json(dir.path(), "bad.json", &bad);
    let stderr = cli.fails(1, &["job", "create", "--app", &app, "--file", &bad_file]);
    assert!(stderr.starts_with("error: ") && stderr.contains("  timeExpression: "), "{stderr}");

    // Usage errors exit 2.
    let stderr = cli.fails(2, &["job", "get", "12x"]);
    assert!(stderr.contains("not an id"), "{stderr}");
    let missing = dir.path().join("absent.json");
    let stderr = cli.fails(2, &["job", "create", "--app", &app, "--file", missing.to_str().unwrap()]);
    assert!(stderr.contains("absent.json"), "{stderr}");

    // Delete.
    assert!(cli.ok(&["job", "delete", &job]).contains(&format!("Deleted job {job}")));
    let stderr = cli.fails(1, &["job", "get", &job]);
    assert!(stderr.contains("job not found"), "{stderr}");

    // Rotating the app's secret ends the app's own login.
    let stdout = cli.ok(&["app", "rotate-secret", &app]);
    assert!(stdout.contains("secret: ") && !stdout.contains(&secret), "{stdout}");
    let stderr = cli.fails(1, &["job", "list", "--app", &app]);
    assert!(stderr.starts_with("error: ") && stderr.contains("hint: ") && stderr.contains("wasmjob login"), "{stderr}");

    // The stored token is never sent to another server.
    let closed = format!("127.0.0.1:{}", free_port());
    let stderr = cli.fails(2, &["app", "list", "--server", &closed]);
    assert!(stderr.contains(&format!("the stored login is for {url}, not http://{closed}")), "{stderr}");

    // A server that is not there is named.
    let run = cli.run_with(&["login", "--server", &closed, "--username", "admin"], &[("WASMJOB_PASSWORD", "x")], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("cannot reach the server at http://{closed}")), "{}", run.stderr);

    // No token was ever printed.
    for token in &tokens {
        assert!(!token.is_empty());
        for output in &cli.outputs {
            assert!(!output.contains(token.as_str()), "a token was printed: {output}");
        }
    }
    drop(server);
}
