//! `wasmjob standalone`: the server and an embedded worker in one process,
//! on SQLite and the local filesystem — everything a newcomer needs. On
//! first start it creates the `demo` app, uploads the example processors
//! it finds (`guest-examples/dist` by default) and creates jobs that run
//! them: a CRON job, a FIXED_RATE job and an API-triggered map-reduce.

use crate::client::Client;
use clap::Args;
use serde::Serialize;
use serde_json::json;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasmjob_server::ServerConfig;
use wasmjob_server::apps::{App, AppWithSecret, CreateApp};

/// Arguments of `standalone`.
#[derive(Args, Debug, Serialize)]
pub struct StandaloneArgs {
    /// Directory for the database, artifacts and the worker's caches.
    #[arg(long, default_value = ".wasmjob")]
    data_dir: PathBuf,
    /// Password of the `admin` account created at first start (default:
    /// generated and printed once).
    #[arg(long, env = "WASMJOB_ADMIN_PASSWORD")]
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_password: Option<String>,
    /// Address of the API and console.
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
    /// The web console's build to serve at / (default: console-web/dist
    /// under the working directory or the checkout, else
    /// /usr/share/wasmjob/console).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    console_dir: Option<PathBuf>,
    /// Where the demo's example processors are read from at first start.
    #[arg(long, default_value = "guest-examples/dist")]
    #[serde(skip)]
    examples: PathBuf,
    /// Do not create the demo app.
    #[arg(long)]
    #[serde(skip)]
    no_demo: bool,
    /// Build containers from git (off by default, as on `wasmjob
    /// server`; builds run in a sandbox, see docs/builds.md). The same as
    /// `WASMJOB_BUILDS__ENABLED=true`.
    #[arg(long)]
    #[serde(skip)]
    builds: bool,
    /// Where component artifacts are kept (keys: `WASMJOB_ARTIFACT_STORE__*` only).
    #[command(flatten, next_help_heading = "Artifact store")]
    artifact_store: crate::artifact_store::ArtifactStoreArgs,
}

/// Runs the server and the embedded worker until Ctrl-C or SIGTERM.
pub fn run(args: StandaloneArgs) -> ExitCode {
    let config = match ServerConfig::load(None, &args) {
        Ok(mut config) => {
            config.builds.enabled |= args.builds;
            config
        }
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::process::run_until_done(serve(config, &args))
}

async fn serve(config: ServerConfig, args: &StandaloneArgs) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let started = wasmjob_server::start(config).await?;
    if let Some(password) = &started.generated_admin_password {
        // Shown once, on the terminal only: never through the log.
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "\nCreated the administrator account.\n  username: admin\n  password: {password}\nStore it now: it is not shown again.\n"
        );
    }
    let base = format!("http://{}", started.listener.local_addr()?);
    // The embedded worker is a shared pool worker: it runs every app's
    // wasm jobs with an administrator token minted in process: one at a
    // time (the one a killed process left is revoked now), revoked again
    // when this process stops.
    let db = started.state.db.clone();
    let token = wasmjob_server::auth::tokens::embedded_worker_token(&db, &data_dir).await?;
    let served = serve_with_worker(started, args, &base, token).await;
    let revoked = wasmjob_server::auth::tokens::revoke_embedded_worker_token(&db, &data_dir).await;
    served?;
    Ok(revoked?)
}

/// Serves the API with the embedded worker (and the demo) until the server
/// stops or either fails.
async fn serve_with_worker(
    started: wasmjob_server::Started,
    args: &StandaloneArgs,
    base: &str,
    token: String,
) -> anyhow::Result<()> {
    let data_dir = started.state.config.data_dir.clone();
    let inspector = started.state.artifacts.inspector().clone();
    let server = tokio::spawn(wasmjob_server::serve(started));
    let worker = wasmjob_host::worker::Worker::new(wasmjob_host::worker::WorkerConfig::new(
        base.to_string(),
        wasmjob_host::worker::Credentials::Token(token.clone()),
        data_dir.join("worker"),
    ))?;
    // One wasmtime engine in the process: the server checks uploads (the
    // demo's, below) with the worker's instead of building its own.
    inspector.share_runtime(worker.runtime());
    if !args.no_demo {
        let (client, examples) = (Client::with_token(base.to_string(), token.clone()), args.examples.clone());
        match tokio::task::spawn_blocking(move || ensure_demo(&client, &examples)).await? {
            Ok(Some(app)) => tracing::info!(app = %app, "created the demo app with example jobs"),
            Ok(None) => {}
            Err(e) => tracing::warn!("the demo app could not be created: {e}"),
        }
    }
    tracing::info!("standalone mode: server and embedded worker at {base}");
    tokio::select! {
        result = server => result??,
        result = worker.run(std::future::pending()) => result?,
    }
    Ok(())
}

/// The demo's containers: (container, file in the examples directory).
const DEMO_CONTAINERS: [(&str, &str); 3] =
    [("standalone", "standalone.wasm"), ("map-reduce", "map-reduce.wasm"), ("broadcast", "broadcast.wasm")];

/// Creates the `demo` app, its containers and jobs, unless it exists.
/// Returns the new app's id.
fn ensure_demo(client: &Client, examples: &Path) -> Result<Option<String>, String> {
    let apps: Vec<App> = client.get("/apps", &[]).and_then(|reply| reply.parse()).map_err(|e| e.to_string())?;
    if apps.iter().any(|app| app.name == "demo") {
        return Ok(None);
    }
    let created: AppWithSecret = client
        .post(
            "/apps",
            &CreateApp {
                name: "demo".into(),
                description: "Example jobs running the guest examples".into(),
                namespace_id: None,
            },
        )
        .and_then(|reply| reply.parse())
        .map_err(|e| e.to_string())?;
    let app_id = created.app.id.to_string();
    for (name, file) in DEMO_CONTAINERS {
        let path = examples.join(file);
        let bytes = std::fs::read(&path).map_err(|e| {
            format!("cannot read {} ({e}): build the examples with guest-examples/build.sh", path.display())
        })?;
        client
            .post_bytes(&format!("/apps/{app_id}/containers/{name}/versions"), &[], "application/wasm", &bytes)
            .map_err(|e| e.to_string())?;
    }
    for job in demo_jobs() {
        client.post(&format!("/apps/{app_id}/jobs"), &job).map_err(|e| e.to_string())?;
    }
    Ok(Some(app_id))
}

fn demo_jobs() -> [serde_json::Value; 4] {
    [
        json!({
            "name": "hello-every-10s", "description": "CRON: the standalone example every 10 seconds",
            "timeExpressionType": "CRON", "timeExpression": "0/10 * * * * ?",
            "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": "standalone",
            "jobParams": "{\"greeting\":\"hello from cron\"}"
        }),
        json!({
            "name": "fixed-rate-5s", "description": "FIXED_RATE: one long-lived instance, a sub-run every 5 seconds",
            "timeExpressionType": "FIXED_RATE", "timeExpression": "5000",
            "executeType": "STANDALONE", "processorType": "WASM", "processorInfo": "standalone",
            "jobParams": "{\"greeting\":\"hello at a fixed rate\"}"
        }),
        json!({
            "name": "map-reduce-on-demand", "description": "API: sums 100,000 ids in 1,000 subtasks; run it with `wasmjob job run`",
            "timeExpressionType": "API", "executeType": "MAP_REDUCE", "processorType": "WASM",
            "processorInfo": "map-reduce", "concurrency": 4,
            "jobParams": "{\"num\":100000,\"batchSize\":100,\"successRate\":100}"
        }),
        json!({
            "name": "broadcast-every-minute", "description": "CRON: the broadcast example at the start of every minute",
            "timeExpressionType": "CRON", "timeExpression": "0 * * * * ?",
            "executeType": "BROADCAST", "processorType": "WASM", "processorInfo": "broadcast"
        }),
    ]
}
