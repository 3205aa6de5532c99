//! `wasmjob`: the one binary of the project. It runs processors locally
//! (`run-local`), inspects components (`inspect`), starts processor
//! projects from templates (`new`), runs the server
//! (`server`), prints its OpenAPI document (`openapi`) and is a client of its API (`login`, `app`, `job`,
//! `instance`, `container`), runs workers (`worker`), and runs both in one
//! process (`standalone`).

mod artifact_store;
mod client;
mod new;
mod process;
mod run_local;
mod server;
mod standalone;
mod worker;

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
    /// Print the server's OpenAPI document (the JSON of
    /// /api/v1/openapi.json) without starting a server.
    Openapi,
    /// Run a worker: connect to a server and run the app's jobs.
    Worker(Box<worker::WorkerArgs>),
    /// Run the server and an embedded worker in one process on SQLite and
    /// the local filesystem, with a demo app at first start.
    Standalone(standalone::StandaloneArgs),
    /// Log in to a server; the token is stored for the commands below
    /// (in $WASMJOB_CLI_CONFIG, else ~/.config/wasmjob/cli.json).
    Login(client::login::LoginArgs),
    /// Apps: list, get, create, update, delete, rotate-secret.
    App(client::apps::AppArgs),
    /// Jobs: list, get, create, update, run, enable, disable, delete, copy,
    /// export, import.
    Job(client::jobs::JobArgs),
    /// Instances: list, get, stop, cancel, retry, logs.
    Instance(client::instances::InstanceArgs),
    /// Containers: push a component as a new version, list, get.
    Container(client::containers::ContainerArgs),
    /// Builds from git: set a container's source, build it, follow the log.
    Build(client::builds::BuildArgs),
    /// Write a new processor project (Rust or Python) of an execution kind
    /// that builds as is.
    New(new::NewArgs),
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
        Command::Openapi => server::print_openapi(),
        Command::Worker(args) => worker::run(*args),
        Command::Standalone(args) => standalone::run(args),
        Command::Login(args) => client::login::run(args),
        Command::App(args) => client::apps::run(args),
        Command::Job(args) => client::jobs::run(args),
        Command::Instance(args) => client::instances::run(args),
        Command::Container(args) => client::containers::run(args),
        Command::Build(args) => client::builds::run(args),
        Command::New(args) => new::run(args),
    }
}
