//! `wasmjob worker`: connect to a server and run the app's jobs until
//! Ctrl-C or SIGTERM.
//!
//! Exit codes: 0 after a clean stop, 1 when the worker fails for good (the
//! server refused it), 2 for usage errors.

use clap::Args;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use wasmjob_host::worker::{Credentials, Worker, WorkerConfig};

/// Arguments of `worker`.
#[derive(Args)]
pub struct WorkerArgs {
    /// The server's base URL.
    #[arg(long, env = "WASMJOB_SERVER", default_value = "http://127.0.0.1:7700")]
    server: String,
    /// The app whose jobs this worker runs.
    #[arg(long, env = "WASMJOB_APP", required_unless_present = "token")]
    app: Option<String>,
    /// The app's secret (prefer the environment variable: arguments show in
    /// process listings).
    #[arg(long, env = "WASMJOB_APP_SECRET", hide_env_values = true, required_unless_present = "token")]
    secret: Option<String>,
    /// Instead of an app: an administrator's token, for a shared pool worker
    /// that serves every app.
    #[arg(long, env = "WASMJOB_WORKER_TOKEN", hide_env_values = true, conflicts_with_all = ["app", "secret"])]
    token: Option<String>,
    /// A tag, matched by jobs' designated workers (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// The worker's address, unique among the app's workers (default
    /// `<hostname>:<pid>`).
    #[arg(long)]
    address: Option<String>,
    /// Local state: fetched components and compiled code (default
    /// ~/.local/share/wasmjob-worker, else ./.wasmjob-worker).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Instances run at once; further dispatches wait their turn.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=4096))]
    max_instances: u32,
    /// Where the other workers of a BROADCAST, MAP or MAP_REDUCE instance
    /// this worker coordinates connect (port 0: any free one). The
    /// default only reaches workers on this machine: set an address of
    /// the network the app's workers share.
    #[arg(long, env = "WASMJOB_PEER_LISTEN", default_value = "127.0.0.1:0", conflicts_with = "no_peer")]
    peer_listen: std::net::SocketAddr,
    /// `host:port` other workers reach the peer listener at, when it is not
    /// the bound address (NAT, containers, `0.0.0.0`).
    #[arg(long, env = "WASMJOB_PEER_ADVERTISE")]
    peer_advertise: Option<String>,
    /// No peer listener: this worker runs its instances alone and takes no
    /// part in others'.
    #[arg(long)]
    no_peer: bool,
    /// A peer silent this long is taken for lost (its tasks run elsewhere).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(500..=600_000))]
    peer_timeout_ms: u64,
}

impl fmt::Debug for WorkerArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerArgs")
            .field("server", &self.server)
            .field("app", &self.app)
            .field("tags", &self.tags)
            .field("address", &self.address)
            .field("data_dir", &self.data_dir)
            .field("max_instances", &self.max_instances)
            .field("peer_listen", &self.peer_listen)
            .field("peer_advertise", &self.peer_advertise)
            .finish_non_exhaustive()
    }
}

/// `$XDG_DATA_HOME/wasmjob-worker`, else `~/.local/share/wasmjob-worker`,
/// else `./.wasmjob-worker`.
fn default_data_dir() -> PathBuf {
    let var = |name| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(data) = var("XDG_DATA_HOME") {
        return data.join("wasmjob-worker");
    }
    match var("HOME") {
        Some(home) => home.join(".local").join("share").join("wasmjob-worker"),
        None => PathBuf::from(".wasmjob-worker"),
    }
}

fn config(args: WorkerArgs) -> Result<WorkerConfig, String> {
    let credentials = match (args.token, args.app, args.secret) {
        (Some(token), _, _) => Credentials::Token(token),
        (None, Some(name), Some(secret)) => Credentials::App { name, secret },
        _ => return Err("give --app and --secret (or --token for a shared pool worker)".into()),
    };
    let data_dir = args.data_dir.unwrap_or_else(default_data_dir);
    let mut config = WorkerConfig::new(args.server, credentials, data_dir);
    if let Some(address) = args.address {
        config.address = address;
    }
    config.tags = args.tags;
    config.max_concurrent_instances = args.max_instances;
    config.peer_listen = (!args.no_peer).then_some(args.peer_listen);
    config.peer_advertise = args.peer_advertise;
    config.peer_timeout = std::time::Duration::from_millis(args.peer_timeout_ms);
    Ok(config)
}

/// Runs the worker until Ctrl-C or SIGTERM.
pub fn run(args: WorkerArgs) -> ExitCode {
    let config = match config(args) {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::process::run_until_done(async {
        let worker = Worker::new(config)?;
        tracing::info!(address = %worker.config().address, server = %worker.config().server, "starting the worker");
        worker.run(wasmjob_server::shutdown_signal()).await?;
        Ok(())
    })
}
