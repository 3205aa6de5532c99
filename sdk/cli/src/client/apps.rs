//! `wasmjob app`: list, get, create, update, delete apps and rotate their secrets.

use super::output::{self, Table, cell};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::process::ExitCode;

/// Arguments of `app`.
#[derive(Args, Debug)]
pub struct AppArgs {
    #[command(flatten)]
    opts: ClientOpts,
    #[command(subcommand)]
    command: AppCommand,
}

#[derive(Subcommand, Debug)]
enum AppCommand {
    /// List apps (an app's own token sees only its app).
    List,
    /// Show one app.
    Get {
        /// The app's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Create an app (administrators only) and print its secret, shown this once.
    Create {
        /// Unique name: letters, digits, `.`, `_`, `-`.
        name: String,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Change an app's description.
    Update {
        /// The app's id.
        #[arg(value_parser = parse_id)]
        id: String,
        /// The new description.
        #[arg(long)]
        description: String,
    },
    /// Delete an app (administrators only).
    Delete {
        /// The app's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Replace an app's secret; tokens issued with the old one stop working.
    RotateSecret {
        /// The app's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
}

const APP_FIELDS: &[&str] = &["id", "name", "description", "createdAt", "updatedAt"];

/// `wasmjob app`.
pub fn run(args: AppArgs) -> ExitCode {
    super::finish(Client::logged_in(&args.opts).and_then(|client| execute(&client, args.opts.json, args.command)))
}

fn execute(client: &Client, json: bool, command: AppCommand) -> Result<(), CliError> {
    let reply = match &command {
        AppCommand::List => client.get("/apps", &[])?,
        AppCommand::Get { id } => client.get(&format!("/apps/{id}"), &[])?,
        AppCommand::Create { name, description } => {
            client.post("/apps", Some(&json!({"name": name, "description": description})))?
        }
        AppCommand::Update { id, description } => {
            client.put(&format!("/apps/{id}"), &json!({"description": description}))?
        }
        AppCommand::Delete { id } => client.delete(&format!("/apps/{id}"))?,
        AppCommand::RotateSecret { id } => client.post(&format!("/apps/{id}/secret"), None)?,
    };
    if json {
        return output::raw(&reply);
    }
    match command {
        AppCommand::List => list(&reply),
        AppCommand::Get { .. } | AppCommand::Update { .. } => output::fields(&reply.json, APP_FIELDS),
        AppCommand::Create { .. } => with_secret(&reply.json, "Created"),
        AppCommand::RotateSecret { .. } => with_secret(&reply.json, "New secret for"),
        AppCommand::Delete { id } => output::lines(&format!("Deleted app {id}.")),
    }
}

fn list(reply: &Reply) -> Result<(), CliError> {
    let mut table = Table::new(&["ID", "NAME", "DESCRIPTION", "CREATED"]);
    for app in reply.json.as_array().into_iter().flatten() {
        table.row(vec![cell(app, "id"), cell(app, "name"), cell(app, "description"), cell(app, "createdAt")]);
    }
    table.print()
}

fn with_secret(body: &Value, what: &str) -> Result<(), CliError> {
    let app = &body["app"];
    output::lines(&format!(
        "{what} app {} (id {}).\nsecret: {}\nStore the secret now: it is not shown again.",
        cell(app, "name"),
        cell(app, "id"),
        cell(body, "secret")
    ))
}
