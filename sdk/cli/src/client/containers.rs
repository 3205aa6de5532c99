//! `wasmjob container`: push a component as a container's new version, list an app's containers, show one
//! (with how its deployed version stands on each worker), deploy or roll back a version, delete a version or a
//! container.

use super::output::{self, Table, cell};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `container`.
#[derive(Args, Debug)]
pub struct ContainerArgs {
    #[command(flatten)]
    opts: ClientOpts,
    #[command(subcommand)]
    command: ContainerCommand,
}

#[derive(Subcommand, Debug)]
enum ContainerCommand {
    /// Upload a component as a new version of a container (created if new)
    /// and deploy it; bytes the container holds already give that version.
    Push {
        /// The component (`.wasm`).
        file: PathBuf,
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// The container: letters, digits, `.`, `_`, `-`.
        #[arg(long, value_parser = parse_name)]
        name: String,
        /// The version's label (default: the first 12 hex digits of its sha256).
        #[arg(long, value_parser = parse_name)]
        label: Option<String>,
        /// Store the version without deploying it (deploy it later with `container deploy`).
        #[arg(long)]
        no_deploy: bool,
    },
    /// Deploy a version (a rollback deploys an older one): jobs naming just the container run it from their next
    /// instance; workers fetch and precompile it at once.
    Deploy {
        /// The container's name.
        #[arg(value_parser = parse_name)]
        name: String,
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// The version's label.
        #[arg(long, value_parser = parse_name)]
        label: String,
    },
    /// Delete a version (`--label`) or the whole container; refused while enabled jobs name it, and the deployed
    /// version cannot be deleted alone.
    Delete {
        /// The container's name.
        #[arg(value_parser = parse_name)]
        name: String,
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// Only this version.
        #[arg(long, value_parser = parse_name)]
        label: Option<String>,
    },
    /// List an app's containers with their deployed versions.
    List {
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
    },
    /// Show a container and its versions, newest first.
    Get {
        /// The container's name.
        #[arg(value_parser = parse_name)]
        name: String,
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
    },
}

const VERSION_FIELDS: &[&str] =
    &["id", "container", "label", "digest", "sizeBytes", "worlds", "imports", "deployed", "createdBy", "createdAt"];
const CONTAINER_FIELDS: &[&str] =
    &["id", "name", "deployedLabel", "deployedDigest", "deployedBy", "deployedAt", "createdAt", "updatedAt"];

/// Checks a container name or label before it goes into a URL.
fn parse_name(s: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if (1..=128).contains(&s.len()) && s.chars().all(allowed) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` must be 1 to 128 letters, digits, `.`, `_` or `-`"))
    }
}

/// `wasmjob container`.
pub fn run(args: ContainerArgs) -> ExitCode {
    super::finish(Client::logged_in(&args.opts).and_then(|client| execute(&client, args.opts.json, args.command)))
}

fn execute(client: &Client, json: bool, command: ContainerCommand) -> Result<(), CliError> {
    let reply = match &command {
        ContainerCommand::Push { file, app, name, label, no_deploy } => {
            let bytes =
                std::fs::read(file).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let mut query: Vec<(&str, String)> = label.iter().map(|l| ("label", l.clone())).collect();
            if *no_deploy {
                query.push(("deploy", "false".into()));
            }
            client.post_bytes(&format!("/apps/{app}/containers/{name}/versions"), &query, "application/wasm", &bytes)?
        }
        ContainerCommand::List { app } => client.get(&format!("/apps/{app}/containers"), &[])?,
        ContainerCommand::Get { name, app } => client.get(&format!("/apps/{app}/containers/{name}"), &[])?,
        ContainerCommand::Deploy { name, app, label } => {
            let body = serde_json::json!({ "label": label });
            client.post(&format!("/apps/{app}/containers/{name}/deploy"), Some(&body))?
        }
        ContainerCommand::Delete { name, app, label: Some(label) } => {
            client.delete(&format!("/apps/{app}/containers/{name}/versions/{label}"))?
        }
        ContainerCommand::Delete { name, app, label: None } => {
            client.delete(&format!("/apps/{app}/containers/{name}"))?
        }
    };
    if json {
        return output::raw(&reply);
    }
    match command {
        ContainerCommand::Push { .. } => output::fields(&joined(&reply.json), VERSION_FIELDS),
        ContainerCommand::List { .. } => list(&reply),
        ContainerCommand::Get { .. } | ContainerCommand::Deploy { .. } => detail(&reply.json),
        ContainerCommand::Delete { name, label: Some(label), .. } => {
            output::lines(&format!("Deleted version {label} of container {name}."))
        }
        ContainerCommand::Delete { name, label: None, .. } => output::lines(&format!("Deleted container {name}.")),
    }
}

/// A version with its `worlds` and `imports` as comma-separated text.
fn joined(version: &Value) -> Value {
    let mut version = version.clone();
    for key in ["worlds", "imports"] {
        if let Some(items) = version.get(key).and_then(Value::as_array) {
            let text = items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ");
            version[key] = Value::String(if text.is_empty() { "-".into() } else { text });
        }
    }
    version
}

/// The first 12 hex digits of a digest, as labels default to.
fn short_digest(digest: &str) -> String {
    digest.chars().take(12).collect()
}

fn list(reply: &Reply) -> Result<(), CliError> {
    let mut table = Table::new(&["ID", "NAME", "DEPLOYED", "DIGEST", "UPDATED"]);
    for container in reply.json.as_array().into_iter().flatten() {
        table.row(vec![
            cell(container, "id"),
            cell(container, "name"),
            cell(container, "deployedLabel"),
            short_digest(&cell(container, "deployedDigest")),
            cell(container, "updatedAt"),
        ]);
    }
    table.print()
}

fn detail(container: &Value) -> Result<(), CliError> {
    let mut head = container.clone();
    let versions = head.as_object_mut().and_then(|o| o.remove("versions")).unwrap_or(Value::Null);
    let workers = head.as_object_mut().and_then(|o| o.remove("workers")).unwrap_or(Value::Null);
    let deployments = head.as_object_mut().and_then(|o| o.remove("deployments")).unwrap_or(Value::Null);
    if let Some(deployment) = head.as_object_mut().and_then(|o| o.remove("deployment")) {
        head["deployedBy"] = Value::String(cell(&deployment, "deployedBy"));
        head["deployedAt"] = deployment.get("deployedAt").cloned().unwrap_or(Value::Null);
    }
    output::fields(&head, CONTAINER_FIELDS)?;
    output::lines("")?;
    deploy_status(&workers)?;
    if let Some(history) = deployments.as_array().filter(|h| h.len() > 1) {
        output::lines("")?;
        let mut table = Table::new(&["DEPLOYED", "LABEL", "DIGEST", "BY"]);
        for deployment in history.iter().take(10) {
            table.row(vec![
                cell(deployment, "deployedAt"),
                cell(deployment, "label"),
                short_digest(&cell(deployment, "digest")),
                cell(deployment, "deployedBy"),
            ]);
        }
        table.print()?;
    }
    let mut table = Table::new(&["", "LABEL", "DIGEST", "SIZE", "WORLDS", "WORKERS", "CREATED BY", "CREATED"]);
    for version in versions.as_array().into_iter().flatten() {
        let version = joined(version);
        let deployed = if version["deployed"] == Value::Bool(true) { "*" } else { "" };
        table.row(vec![
            deployed.to_string(),
            cell(&version, "label"),
            short_digest(&cell(&version, "digest")),
            cell(&version, "sizeBytes"),
            cell(&version, "worlds"),
            version["workers"].as_array().map_or(0, Vec::len).to_string(),
            cell(&version, "createdBy"),
            cell(&version, "createdAt"),
        ]);
    }
    output::lines("")?;
    table.print()
}

/// How the deployed version stands on each live worker.
fn deploy_status(workers: &Value) -> Result<(), CliError> {
    let workers = workers.as_array().map(Vec::as_slice).unwrap_or_default();
    if workers.is_empty() {
        return output::lines("No live worker runs this app's WASM jobs.");
    }
    let mut table = Table::new(&["WORKER", "POOL", "DEPLOY", "UPDATED", "MESSAGE"]);
    for worker in workers {
        table.row(vec![
            cell(worker, "address"),
            cell(worker, "pool"),
            cell(worker, "state"),
            cell(worker, "updatedAt"),
            cell(worker, "message"),
        ]);
    }
    table.print()?;
    output::lines("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_they_reach_a_url() {
        assert_eq!(parse_name("report-exporter_v1.2").unwrap(), "report-exporter_v1.2");
        assert!(parse_name("../apps").is_err());
        assert!(parse_name("").is_err());
        assert!(parse_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn lists_become_text() {
        let version = serde_json::json!({"worlds": ["basic", "map"], "imports": []});
        let joined = joined(&version);
        assert_eq!((&joined["worlds"], &joined["imports"]), (&Value::from("basic, map"), &Value::from("-")));
    }
}
