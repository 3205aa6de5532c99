//! `wasmjob`: the one binary of the project. It runs processors locally
//! (`run-local`), inspects components (`inspect`) and runs the server
//! (`server`); workers, standalone mode and the API client join it as they
//! land.

mod run_local;
mod server;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "wasmjob", version, about = "Distributed jobs with WebAssembly processors")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a processor component locally with the full semantics of its
    /// execution kind; prints the outcome as one JSON line.
    RunLocal(run_local::RunLocalArgs),
    /// Print what a component is: the worlds it satisfies, its imports and
    /// exports.
    Inspect(run_local::InspectArgs),
    /// Run the server: the OpenAPI on port 7700 over SQLite (default),
    /// PostgreSQL or MySQL/MariaDB.
    Server(server::ServerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WASMJOB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::RunLocal(args) => run_local::run(args),
        Command::Inspect(args) => run_local::inspect(args),
        Command::Server(args) => server::run(args),
    }
}
