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
use wasmjob_official::{Datasource, OfficialConfig, OfficialKind, SqlKind};

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
    /// A connection to the peer listener that has not said a valid hello
    /// within this time is closed.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    peer_hello_timeout_ms: u64,
    /// Connections to the peer listener that may wait for their hello at
    /// once; more are closed as they come.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    peer_max_pending: u64,
    /// Official processors to run besides HTTP, SQL, CONFIG and
    /// INJECT_WORKFLOW_CONTEXT: shell, python, sql-dynamic, file-cleanup
    /// (comma separated or repeated). They are off unless named here.
    #[arg(long = "enable", env = "WASMJOB_ENABLE", value_delimiter = ',', value_name = "KIND")]
    enable: Vec<OfficialKind>,
    /// Default official processors to leave off (e.g. `http,sql`).
    #[arg(long = "disable", value_delimiter = ',', value_name = "KIND")]
    disable: Vec<OfficialKind>,
    /// The interpreter PYTHON jobs run with.
    #[arg(long, env = "WASMJOB_PYTHON", default_value = "python3")]
    python: String,
    /// A named SQL datasource, `NAME=URL` (repeatable). URLs carry
    /// passwords: prefer `WASMJOB_DATASOURCE_<NAME>=URL` variables.
    #[arg(long = "datasource", value_name = "NAME=URL")]
    datasources: Vec<String>,
    /// Kinds of SQL statements to refuse, read by a parser of the
    /// database's dialect (comma separated or repeated; replaces the
    /// default `drop,truncate,attach,dynamic`): query, insert, update,
    /// delete, merge, create, alter, drop, truncate, grant, transaction,
    /// session, attach, dynamic, call, other.
    #[arg(long = "sql-refuse", value_delimiter = ',', value_name = "KIND", conflicts_with = "sql_allow_all")]
    sql_refuse: Vec<SqlKind>,
    /// Refuse no SQL statement (and do not parse them).
    #[arg(long)]
    sql_allow_all: bool,
    /// Run only queries, each in a read-only transaction (SQLite:
    /// `PRAGMA query_only`).
    #[arg(long)]
    sql_read_only: bool,
    /// Where CONFIG jobs' configuration is also written.
    #[arg(long)]
    config_file: Option<PathBuf>,
    /// A directory FILE_CLEANUP jobs may delete files under (repeatable;
    /// absolute, never `/`). Without one, FILE_CLEANUP jobs are refused.
    #[arg(long = "cleanup-root", value_name = "DIR")]
    cleanup_roots: Vec<PathBuf>,
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
            .field("enable", &self.enable)
            .field("python", &self.python)
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
    config.peer_hello_timeout = std::time::Duration::from_millis(args.peer_hello_timeout_ms);
    config.peer_max_pending = args.peer_max_pending as usize;
    config.official = OfficialConfig {
        enable: args.enable,
        disable: args.disable,
        python: args.python,
        datasources: datasources(&args.datasources)?,
        sql_refuse: if args.sql_allow_all {
            Vec::new()
        } else if args.sql_refuse.is_empty() {
            SqlKind::DEFAULT_REFUSED.to_vec()
        } else {
            args.sql_refuse
        },
        sql_read_only: args.sql_read_only,
        config_file: args.config_file,
        cleanup_roots: args.cleanup_roots,
        ..OfficialConfig::default()
    };
    Ok(config)
}

/// Datasources from `--datasource NAME=URL` and `WASMJOB_DATASOURCE_<NAME>`
/// variables (the name lowercased).
fn datasources(flags: &[String]) -> Result<Vec<Datasource>, String> {
    let mut sources = Vec::new();
    for flag in flags {
        let Some((name, url)) = flag.split_once('=') else {
            return Err(format!("--datasource takes NAME=URL, not `{}`", flag.split(':').next().unwrap_or_default()));
        };
        sources.push(Datasource { name: name.trim().to_string(), url: url.trim().to_string() });
    }
    for (key, value) in std::env::vars() {
        if let Some(name) = key.strip_prefix("WASMJOB_DATASOURCE_").filter(|n| !n.is_empty()) {
            sources.push(Datasource { name: name.to_ascii_lowercase(), url: value });
        }
    }
    if let Some(bad) = sources.iter().find(|s| s.name.is_empty() || s.url.is_empty()) {
        return Err(format!("datasource `{}` needs a name and a URL", bad.name));
    }
    Ok(sources)
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
