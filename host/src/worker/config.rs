//! How a worker is set up, and who it is to the server.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;
use wasmjob_official::OfficialConfig;
use wasmjob_runtime::RuntimeConfig;

/// How a worker proves who it is.
#[derive(Clone)]
pub enum Credentials {
    /// An app's name and secret: the worker logs in and serves that app.
    App {
        /// The app's name.
        name: String,
        /// The app's secret.
        secret: String,
    },
    /// An administrator's token: a shared pool worker serving every app.
    Token(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::App { name, .. } => f.debug_struct("App").field("name", name).field("secret", &"<redacted>").finish(),
            Self::Token(_) => f.debug_tuple("Token").field(&"<redacted>").finish(),
        }
    }
}

/// How a [`Worker`] is set up.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The server's base URL, e.g. `http://127.0.0.1:7700`.
    pub server: String,
    /// Who the worker is to the server.
    pub credentials: Credentials,
    /// The worker's address, unique among the app's workers (default
    /// [`default_address`]).
    pub address: String,
    /// Tags, matched by jobs' designated workers.
    pub tags: Vec<String>,
    /// Local state: fetched components in `artifacts/<sha256>.wasm`.
    pub data_dir: PathBuf,
    /// The wasm runtime (its compiled-code cache defaults to
    /// `data_dir/compiled`).
    pub runtime: RuntimeConfig,
    /// Instances run at once; further dispatches wait their turn.
    pub max_concurrent_instances: u32,
    /// Processor types advertised to the server besides the enabled
    /// official ones (`WASM` by default).
    pub processor_types: Vec<String>,
    /// Where to listen for the other workers of a distributed instance
    /// this worker coordinates (port 0: any free port); `None` keeps the
    /// worker out of distributed instances (it runs its own alone).
    pub peer_listen: Option<SocketAddr>,
    /// `host:port` other workers reach the peer listener at, when it is
    /// not the bound address (behind NAT, in a container, bound to
    /// `0.0.0.0`).
    pub peer_advertise: Option<String>,
    /// A peer silent this long is taken for lost: the coordinator gives
    /// its tasks to others; a participant leaves the instance.
    pub peer_timeout: Duration,
    /// How long a connection to the peer listener has to complete its
    /// WebSocket handshake and say a well-formed hello (a few KiB at most)
    /// before it is closed.
    pub peer_hello_timeout: Duration,
    /// Connections to the peer listener that may wait for their hello at
    /// once; more are closed as they come.
    pub peer_max_pending: usize,
    /// How the coordinator of a distributed instance keeps its tasks.
    pub coordinator: CoordinatorTuning,
    /// The official processors the worker runs (Shell, Python, dynamic SQL
    /// and file cleanup only when enabled here).
    pub official: OfficialConfig,
}

/// How a coordinating worker keeps an instance's tasks: on disk under
/// `data_dir/tasks`, with at most a window of them in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoordinatorTuning {
    /// Waiting tasks held in memory at most.
    pub window_tasks: usize,
    /// Bytes of waiting tasks held in memory, about, at most.
    pub window_bytes: usize,
    /// How long the workers asked to take part have to join.
    pub join_timeout: Duration,
}

impl Default for CoordinatorTuning {
    fn default() -> Self {
        Self { window_tasks: 10_000, window_bytes: 32 << 20, join_timeout: Duration::from_secs(10) }
    }
}

impl WorkerConfig {
    /// A configuration with the defaults: the address from
    /// [`default_address`], no tags, the compiled-code cache in
    /// `data_dir/compiled`, 16 instances at once, `WASM` processors, a
    /// peer listener on a free port of 127.0.0.1 (workers on one machine
    /// can share instances; set [`WorkerConfig::peer_listen`] and
    /// [`WorkerConfig::peer_advertise`] for several), a 10 s peer timeout,
    /// 5 s for a hello and 64 connections waiting for theirs.
    pub fn new(server: impl Into<String>, credentials: Credentials, data_dir: PathBuf) -> Self {
        let runtime = RuntimeConfig { cache_dir: data_dir.join("compiled"), ..RuntimeConfig::default() };
        Self {
            server: server.into(),
            credentials,
            address: default_address(),
            tags: Vec::new(),
            data_dir,
            runtime,
            max_concurrent_instances: 16,
            processor_types: vec!["WASM".to_string()],
            peer_listen: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            peer_advertise: None,
            peer_timeout: Duration::from_secs(10),
            peer_hello_timeout: Duration::from_secs(5),
            peer_max_pending: 64,
            coordinator: CoordinatorTuning::default(),
            official: OfficialConfig::default(),
        }
    }
}

/// `<hostname>:<pid>`: unique per process on a machine.
pub fn default_address() -> String {
    let host = sysinfo::System::host_name().ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "localhost".to_string());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print_secrets() {
        let app = Credentials::App { name: "billing".into(), secret: "s3cr3t".into() };
        let token = Credentials::Token("tok-123".into());
        let text = format!("{app:?} {token:?}");
        assert!(text.contains("billing"), "{text}");
        assert!(!text.contains("s3cr3t") && !text.contains("tok-123"), "{text}");
        let config = WorkerConfig::new("http://x", app, PathBuf::from("/tmp/w"));
        assert!(!format!("{config:?}").contains("s3cr3t"));
        assert_eq!(config.runtime.cache_dir, PathBuf::from("/tmp/w/compiled"));
    }

    #[test]
    fn the_default_address_names_host_and_process() {
        let address = default_address();
        assert!(address.ends_with(&format!(":{}", std::process::id())), "{address}");
        assert!(address.len() > 2);
    }
}
