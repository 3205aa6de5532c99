//! `wasmjob server`: flags override `WASMJOB_*` variables, which override
//! the TOML file given with `--config` (see docs/configuration.md).

use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use wasmjob_server::ServerConfig;

/// Arguments of `server`; only flags that were given override the file and
/// the environment.
#[derive(Args, Debug, Serialize)]
pub struct ServerArgs {
    /// A TOML configuration file.
    #[arg(long)]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:7700).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<SocketAddr>,
    /// Directory for the embedded database and local files (default .wasmjob).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
    /// sqlite://…, postgres://… or mysql://… (default: SQLite in the data directory).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    /// Password of the `admin` account created at first start.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_password: Option<String>,
    /// Where component artifacts are kept (keys: TOML or environment only).
    #[command(flatten, next_help_heading = "Artifact store")]
    artifact_store: crate::artifact_store::ArtifactStoreArgs,
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(args: ServerArgs) -> ExitCode {
    let config = match ServerConfig::load(args.config.as_deref(), &args) {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::process::run_until_done(async {
        let started = wasmjob_server::start(config).await?;
        if let Some(password) = &started.generated_admin_password {
            // Shown once, on the terminal only: never through the log.
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "\nCreated the administrator account.\n  username: admin\n  password: {password}\nStore it now: it is not shown again.\n"
            );
        }
        wasmjob_server::serve(started).await
    })
}
