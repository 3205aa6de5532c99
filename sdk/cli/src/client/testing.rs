//! A real server for the client's unit tests: `wasmjob_server` in this
//! process, on SQLite in a temporary directory, reached over HTTP by the
//! real [`Client`]. The commands' rendering is tested on the answers this
//! server writes, never on hand-written JSON that could drift from them.

use super::Client;
use std::net::SocketAddr;
use std::sync::mpsc;
use wasmjob_server::ServerConfig;
use wasmjob_server::auth::{LoginRequest, LoginResponse};

const ADMIN_PASSWORD: &str = "unit-test-admin";

/// The server; stopped, and its directory removed, when dropped.
pub struct TestServer {
    url: String,
    token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A server with the default configuration.
    pub fn start() -> TestServer {
        Self::start_with(|_| {})
    }

    /// A server with `configure` applied to its configuration.
    pub fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut config = ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: dir.path().join("data"),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..ServerConfig::default()
        };
        configure(&mut config);
        let (ready, address) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
            runtime.block_on(async move {
                let started = wasmjob_server::start(config).await.expect("the server starts");
                ready.send(started.listener.local_addr().expect("a bound address")).expect("the test waits");
                tokio::select! {
                    result = wasmjob_server::serve(started) => result.expect("the server serves"),
                    _ = stopped => {}
                }
            });
            // A build's clone may still wait on the network: not for long.
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
        });
        let address = address.recv().expect("the server started");
        let url = format!("http://{address}");
        let LoginResponse { token, .. } = Client::anonymous(url.clone())
            .post(
                "/auth/login",
                &LoginRequest {
                    username: Some("admin".into()),
                    password: Some(ADMIN_PASSWORD.into()),
                    app: None,
                    secret: None,
                },
            )
            .and_then(|reply| reply.parse())
            .expect("the administrator logs in");
        TestServer { url, token, stop: Some(stop), thread: Some(thread), _dir: dir }
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client holding the administrator's token.
    pub fn admin(&self) -> Client {
        Client::with_token(self.url.clone(), self.token.clone())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Keys of a record of the API as the server wrote it, to check that the
/// names a command shows first are still the server's.
pub fn keys(reply: &super::Reply) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(&reply.text).expect("JSON");
    value.as_object().expect("an object").keys().cloned().collect()
}

/// Checks that every name in `shown_first` is a field of `reply`.
pub fn assert_fields_exist(reply: &super::Reply, shown_first: &[&str]) {
    let keys = keys(reply);
    for name in shown_first {
        assert!(keys.iter().any(|k| k == name), "`{name}` is not a field of {}", reply.text);
    }
}

/// The `key  value` rows of a field list.
pub fn field_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| match line.split_once("  ") {
            Some((key, value)) => (key.to_string(), value.trim_start().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect()
}
