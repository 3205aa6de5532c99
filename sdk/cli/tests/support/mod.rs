//! The test environment of the scheduler's end-to-end tests: real
//! `wasmjob server`, `standalone` and `worker` processes on free ports with
//! temporary data directories (killed when dropped, also when a test
//! panics), an HTTP client of the API, the `wasmjob` client commands, and
//! patient waiting for conditions.

use serde_json::{Value, json};
use std::fmt::Display;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `wasmjob` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_wasmjob");
/// The administrator's password of every test server.
pub const ADMIN_PASSWORD: &str = "test-admin";
/// Variables that would send requests to a proxy.
const PROXY_VARS: &[&str] = &["ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/// A `wasmjob` command with the caller's `WASMJOB_*` and proxy variables
/// removed, logging at `info` unless the test says otherwise.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("WASMJOB_") {
            command.env_remove(name);
        }
    }
    for name in PROXY_VARS {
        command.env_remove(name);
    }
    command.args(args).env("WASMJOB_LOG", "info");
    command
}

/// A process's resident memory (`VmRSS`), in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS in /proc/PID/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Cargo's home for the git builds of test servers, shared by the tests
/// so that each build does not download its dependencies again.
pub fn build_cargo_home() -> String {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-cargo-home").to_string_lossy().into_owned()
}

/// A port nobody listens on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A guest component from `guest-examples/dist` (built by guest-examples/build.sh).
pub fn dist(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../guest-examples/dist/{name}.wasm"));
    assert!(path.exists(), "{} is missing: run guest-examples/build.sh", path.display());
    path
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// Calls `probe` every 100 ms until it returns something; panics after
/// `timeout` naming `what` and the `context` (logs of the processes).
pub fn wait_for<T>(
    what: impl Display,
    timeout: Duration,
    context: impl Fn() -> String,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        if Instant::now() > deadline {
            panic!("{what}: not within {timeout:?}\n{}", context());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Prints a measurement of a test on stderr (shown with `--nocapture` and
/// when the test fails).
#[allow(clippy::print_stderr)]
pub fn report(what: impl Display) {
    eprintln!("{what}");
}

/// The last `lines` lines of a file.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A child process, killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct Process {
    /// What it is, for messages.
    pub name: String,
    child: Child,
    log: PathBuf,
}

impl Process {
    fn spawn(name: &str, mut command: Command, log: PathBuf) -> Process {
        let file = std::fs::File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Process { name: name.to_string(), child, log }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL: no goodbye to anyone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal (`STOP`, `CONT`, ...) with kill(1).
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(sent.success(), "kill -{name} {}: {sent}", self.name);
    }

    /// Panics with the log if the process has exited.
    fn check_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("{} exited with {status}:\n{}", self.name, self.log_tail());
        }
    }

    /// Where its output goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The end of its output.
    pub fn log_tail(&self) -> String {
        format!("--- {} ({}) ---\n{}", self.name, self.log.display(), tail(&self.log, 40))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How a server is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `wasmjob server`: no worker of its own.
    Server,
    /// `wasmjob standalone --no-demo`: with an embedded shared pool worker.
    Standalone,
}

/// A running server and an administrator's client of it.
#[derive(Debug)]
pub struct Server {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The API as the administrator.
    pub api: Api,
    /// The process.
    pub process: Process,
    _data: tempfile::TempDir,
}

impl Server {
    /// `wasmjob standalone` with default settings.
    pub fn standalone() -> Server {
        Server::start(Mode::Standalone, &[])
    }

    /// Starts a server with `WASMJOB_*` settings in `env`, waits for its
    /// health check and logs in as the administrator.
    pub fn start(mode: Mode, env: &[(&str, &str)]) -> Server {
        Server::start_with(mode, env, &[])
    }

    /// The same, with more command-line flags.
    pub fn start_with(mode: Mode, env: &[(&str, &str)], flags: &[&str]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let data_dir = data.path().join("data");
        let mut command = match mode {
            Mode::Server => command(&["server"]),
            Mode::Standalone => command(&["standalone", "--no-demo"]),
        };
        command
            .args(["--listen", &addr, "--admin-password", ADMIN_PASSWORD, "--data-dir"])
            .arg(&data_dir)
            .args(flags)
            .envs(env.iter().copied());
        let name = format!("{} at {addr}", if mode == Mode::Server { "server" } else { "standalone" });
        let mut process = Process::spawn(&name, command, data.path().join("server.log"));
        let url = format!("http://{addr}");
        let anonymous = Api::new(&url, None);
        let deadline = Instant::now() + Duration::from_secs(60);
        while anonymous.call("GET", "/health", None).0 != 200 {
            process.check_running();
            assert!(Instant::now() < deadline, "{name} did not answer within 60 s:\n{}", process.log_tail());
            std::thread::sleep(Duration::from_millis(100));
        }
        let login = anonymous.post("/api/v1/auth/login", &json!({"username": "admin", "password": ADMIN_PASSWORD}));
        let api = Api::new(&url, Some(str_of(&login["token"])));
        Server { url, api, process, _data: data }
    }

    /// The server's recent log, for failure messages.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self._data.path().join("data")
    }

    /// [`wait_for`] with the server's log as context.
    pub fn wait<T>(&self, what: impl Display, timeout: Duration, probe: impl FnMut() -> Option<T>) -> T {
        wait_for(what, timeout, || self.log_tail(), probe)
    }

    /// Creates an app; its id and secret.
    pub fn app(&self, name: &str) -> (String, String) {
        let created = self.api.post("/api/v1/apps", &json!({"name": name}));
        (str_of(&created["app"]["id"]), str_of(&created["secret"]))
    }

    /// Creates an app; its id and a token of the app (logged in with its
    /// secret), as a tenant holds.
    pub fn app_token(&self, name: &str) -> (String, String) {
        let (id, secret) = self.app(name);
        let login = Api::new(&self.url, None).post("/api/v1/auth/login", &json!({"app": name, "secret": secret}));
        (id, str_of(&login["token"]))
    }

    /// Uploads a guest example as the deployed version of `container`.
    pub fn push(&self, app: &str, container: &str, guest: &str) {
        let bytes = std::fs::read(dist(guest)).unwrap();
        self.api.upload(&format!("/api/v1/apps/{app}/containers/{container}/versions"), &bytes);
    }

    /// Creates a job; its id.
    pub fn job(&self, app: &str, spec: &Value) -> String {
        str_of(&self.api.post(&format!("/api/v1/apps/{app}/jobs"), spec)["id"])
    }

    /// Runs a job through the API; the new instance.
    pub fn run(&self, job: &str, body: &Value) -> Value {
        self.api.post(&format!("/api/v1/jobs/{job}/run"), body)
    }

    /// An instance.
    pub fn instance(&self, id: &str) -> Value {
        self.api.get(&format!("/api/v1/instances/{id}"))
    }

    /// Every instance of a job, oldest first.
    pub fn instances(&self, app: &str, job: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 0.. {
            let path = format!("/api/v1/apps/{app}/instances?jobId={job}&size=500&page={page}&sort=createdAt");
            let reply = self.api.get(&path);
            let items = reply["items"].as_array().unwrap().clone();
            let done = items.len() < 500;
            all.extend(items);
            if done {
                break;
            }
        }
        all
    }

    /// Every log line of an instance.
    pub fn logs(&self, instance: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = 0;
        loop {
            let page = self.api.get(&format!("/api/v1/instances/{instance}/logs?after={after}&limit=5000"));
            let lines = page["lines"].as_array().unwrap().clone();
            if lines.is_empty() {
                return all;
            }
            after = page["next"].as_i64().unwrap();
            all.extend(lines);
        }
    }
}

/// A `wasmjob worker` process of one app.
#[derive(Debug)]
pub struct Worker {
    /// Its address.
    pub address: String,
    /// The process.
    pub process: Process,
    _data: tempfile::TempDir,
}

impl Worker {
    /// Starts a worker of `app` (by name, with its secret) at `address`.
    pub fn start(server: &Server, app: &str, secret: &str, address: &str) -> Worker {
        Worker::start_with(server, app, secret, address, &[])
    }

    /// The same, with more `wasmjob worker` arguments.
    pub fn start_with(server: &Server, app: &str, secret: &str, address: &str, extra: &[&str]) -> Worker {
        let data = tempfile::tempdir().unwrap();
        let mut command = command(&["worker", "--server", &server.url, "--app", app, "--address", address]);
        command.args(extra).arg("--data-dir").arg(data.path().join("data")).env("WASMJOB_APP_SECRET", secret);
        let process = Process::spawn(&format!("worker {address}"), command, data.path().join("worker.log"));
        Worker { address: address.to_string(), process, _data: data }
    }
}

/// A plain HTTP client of a server, with or without a token.
#[derive(Debug, Clone)]
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

impl Api {
    /// A client of `base` (`http://host:port`).
    pub fn new(base: &str, token: Option<String>) -> Api {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Api { agent, base: base.to_string(), token }
    }

    /// `method path` with an optional JSON body: the status and the JSON
    /// answer (`null` when empty or not JSON).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let result = match method {
            "GET" | "DELETE" => {
                let mut request = if method == "GET" { self.agent.get(&url) } else { self.agent.delete(&url) };
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.call()
            }
            "POST" | "PUT" => {
                let mut request = if method == "POST" { self.agent.post(&url) } else { self.agent.put(&url) };
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                match body {
                    Some(body) => request.send_json(body),
                    None => request.send_empty(),
                }
            }
            other => panic!("unsupported method {other}"),
        };
        let mut response = match result {
            Ok(response) => response,
            // Not up yet, or gone: a status no server answers.
            Err(ureq::Error::Io(_) | ureq::Error::ConnectionFailed) => return (0, Value::Null),
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `GET path`, which must succeed.
    pub fn get(&self, path: &str) -> Value {
        let (status, body) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// `POST path` with a JSON body, which must succeed.
    pub fn post(&self, path: &str, body: &Value) -> Value {
        let (status, reply) = self.call("POST", path, Some(body));
        assert!((200..300).contains(&status), "POST {path}: {status} {reply}");
        reply
    }

    /// `POST path` with raw wasm bytes, which must succeed.
    pub fn upload(&self, path: &str, bytes: &[u8]) -> Value {
        let (status, text) = self.upload_raw(path, bytes);
        assert!((200..300).contains(&status), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// `POST path` with raw wasm bytes: the status and the answer's text.
    pub fn upload_raw(&self, path: &str, bytes: &[u8]) -> (u16, String) {
        let mut request = self.agent.post(format!("{}{path}", self.base)).content_type("application/wasm");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request.send(bytes).unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap_or_default())
    }
}

/// The `wasmjob` client commands with their own stored login.
#[derive(Debug)]
pub struct Cli {
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cli {
    /// A client with no login stored yet.
    pub fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        Cli { config: dir.path().join("cli.json"), _dir: dir }
    }

    /// Runs `wasmjob ARGS`, which must succeed within 60 s; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let mut command = command(args);
        command.env("WASMJOB_CLI_CONFIG", &self.config).env("WASMJOB_LOG", "warn");
        let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let reader = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                pipe.read_to_string(&mut text).unwrap();
                text
            })
        };
        let out = reader(Box::new(child.stdout.take().unwrap()));
        let err = reader(Box::new(child.stderr.take().unwrap()));
        // A deadline, so a command that never ends fails the test instead of hanging it.
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
        let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
        assert!(status.success(), "`wasmjob {}` failed ({status}): {stdout}{stderr}", args.join(" "));
        stdout
    }

    /// Runs `wasmjob ARGS --json`, which must succeed; its JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let stdout = self.ok(&args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("`{stdout}` is not JSON: {e}"))
    }
}

/// A JSON string's text.
pub fn str_of(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("{value} is not a string")).to_string()
}
