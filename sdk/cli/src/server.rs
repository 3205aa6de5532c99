//! `wasmjob server`: flags override `WASMJOB_*` variables, which override
//! the TOML file given with `--config` (see docs/configuration.md). Also
//! `wasmjob openapi`, which prints the server's OpenAPI document.

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
    /// The web console's build to serve at / (default: console-web/dist
    /// under the working directory or the checkout, else
    /// /usr/share/wasmjob/console).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    console_dir: Option<PathBuf>,
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

/// Prints the OpenAPI document to stdout.
pub fn print_openapi() -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{}", wasmjob_server::api::openapi_json()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("cannot write the OpenAPI document: {e}");
            ExitCode::FAILURE
        }
    }
}
