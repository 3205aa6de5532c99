//! `wasmjob container`: push a component as a container's new version, list an app's containers, show one
//! (with how its deployed version stands on each worker), deploy or roll back a version, delete a version or a
//! container.

use super::output::{self, Table};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;
use wasmjob_server::containers::deploy::DeployRequest;
use wasmjob_server::containers::model::{Container, ContainerDetail, ContainerVersion};
use wasmjob_server::containers::rollout::WorkerDeployStatus;

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
    let reply = request(client, &command)?;
    if json {
        return output::raw(&reply);
    }
    output::lines(&render(&command, &reply)?)
}

fn request(client: &Client, command: &ContainerCommand) -> Result<Reply, CliError> {
    match command {
        ContainerCommand::Push { file, app, name, label, no_deploy } => {
            let bytes =
                std::fs::read(file).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let mut query: Vec<(&str, String)> = label.iter().map(|l| ("label", l.clone())).collect();
            if *no_deploy {
                query.push(("deploy", "false".into()));
            }
            client.post_bytes(&format!("/apps/{app}/containers/{name}/versions"), &query, "application/wasm", &bytes)
        }
        ContainerCommand::List { app } => client.get(&format!("/apps/{app}/containers"), &[]),
        ContainerCommand::Get { name, app } => client.get(&format!("/apps/{app}/containers/{name}"), &[]),
        ContainerCommand::Deploy { name, app, label } => {
            let body = DeployRequest { label: Some(label.clone()), version_id: None };
            client.post(&format!("/apps/{app}/containers/{name}/deploy"), &body)
        }
        ContainerCommand::Delete { name, app, label: Some(label) } => {
            client.delete(&format!("/apps/{app}/containers/{name}/versions/{label}"))
        }
        ContainerCommand::Delete { name, app, label: None } => client.delete(&format!("/apps/{app}/containers/{name}")),
    }
}

/// What a command prints, from the server's answer.
fn render(command: &ContainerCommand, reply: &Reply) -> Result<String, CliError> {
    match command {
        ContainerCommand::Push { .. } => output::fields(&joined(&reply.parse()?)?, VERSION_FIELDS),
        ContainerCommand::List { .. } => Ok(list(&reply.parse::<Vec<Container>>()?)),
        ContainerCommand::Get { .. } | ContainerCommand::Deploy { .. } => detail(&reply.parse()?),
        ContainerCommand::Delete { name, label: Some(label), .. } => {
            Ok(format!("Deleted version {label} of container {name}."))
        }
        ContainerCommand::Delete { name, label: None, .. } => Ok(format!("Deleted container {name}.")),
    }
}

/// Names as comma-separated text, `-` for none.
fn comma_list(items: &[String]) -> String {
    let text = items.join(", ");
    if text.is_empty() { "-".into() } else { output::one_line(&text) }
}

/// A version's fields, with its `worlds` and `imports` as comma-separated text.
fn joined(version: &ContainerVersion) -> Result<Value, CliError> {
    let mut shown = serde_json::to_value(version).map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(shown) = shown.as_object_mut() {
        shown.insert("worlds".into(), Value::String(comma_list(&version.worlds)));
        shown.insert("imports".into(), Value::String(comma_list(&version.imports)));
    }
    Ok(shown)
}

/// The first 12 hex digits of a digest, as labels default to.
fn short_digest(digest: &str) -> String {
    digest.chars().take(12).collect()
}

fn list(containers: &[Container]) -> String {
    let mut table = Table::new(&["ID", "NAME", "DEPLOYED", "DIGEST", "UPDATED"]);
    for container in containers {
        table.row(vec![
            container.id.to_string(),
            output::one_line(&container.name),
            output::opt_text(container.deployed_label.as_deref()),
            short_digest(&output::opt_text(container.deployed_digest.as_deref())),
            output::iso_time(container.updated_at),
        ]);
    }
    table.render()
}

fn detail(container: &ContainerDetail) -> Result<String, CliError> {
    let mut head = serde_json::to_value(container).map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(head) = head.as_object_mut() {
        for key in ["versions", "workers", "deployments", "deployment"] {
            head.remove(key);
        }
        let (by, at) = match &container.deployment {
            Some(deployment) => (deployment.deployed_by.as_str(), Value::from(deployment.deployed_at)),
            None => ("-", Value::Null),
        };
        head.insert("deployedBy".into(), Value::String(by.into()));
        head.insert("deployedAt".into(), at);
    }
    let mut parts = vec![output::fields(&head, CONTAINER_FIELDS)?, String::new()];
    parts.extend(deploy_status(&container.workers));
    let history = &container.deployments;
    if history.len() > 1 {
        let mut table = Table::new(&["DEPLOYED", "LABEL", "DIGEST", "BY"]);
        for deployment in history.iter().take(10) {
            table.row(vec![
                output::iso_time(deployment.deployed_at),
                output::one_line(&deployment.label),
                short_digest(&output::one_line(&deployment.digest)),
                output::one_line(&deployment.deployed_by),
            ]);
        }
        parts.extend([String::new(), table.render()]);
    }
    let mut table = Table::new(&["", "LABEL", "DIGEST", "SIZE", "WORLDS", "WORKERS", "CREATED BY", "CREATED"]);
    for version in &container.versions {
        table.row(vec![
            if version.deployed { "*" } else { "" }.to_string(),
            output::one_line(&version.label),
            short_digest(&output::one_line(&version.digest)),
            version.size_bytes.to_string(),
            comma_list(&version.worlds),
            version.workers.len().to_string(),
            output::one_line(&version.created_by),
            output::iso_time(version.created_at),
        ]);
    }
    parts.extend([String::new(), table.render()]);
    Ok(parts.join("\n"))
}

/// How the deployed version stands on each live worker: the lines to print.
fn deploy_status(workers: &[WorkerDeployStatus]) -> Vec<String> {
    if workers.is_empty() {
        return vec!["No live worker runs this app's WASM jobs.".into()];
    }
    let mut table = Table::new(&["WORKER", "POOL", "DEPLOY", "UPDATED", "MESSAGE"]);
    for worker in workers {
        table.row(vec![
            output::one_line(&worker.address),
            worker.pool.to_string(),
            output::one_line(&worker.state),
            output::opt_time(worker.updated_at),
            output::one_line(&worker.message),
        ]);
    }
    vec![table.render(), String::new()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::{TestServer, assert_fields_exist, field_rows};

    #[test]
    fn names_are_checked_before_they_reach_a_url() {
        assert_eq!(parse_name("report-exporter_v1.2").unwrap(), "report-exporter_v1.2");
        assert!(parse_name("../apps").is_err());
        assert!(parse_name("").is_err());
        assert!(parse_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn lists_become_text() {
        assert_eq!(comma_list(&["basic".into(), "map".into()]), "basic, map");
        assert_eq!(comma_list(&[]), "-");
    }

    fn component(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../guest-examples/dist").join(name)
    }

    #[test]
    fn every_command_reads_the_servers_answer() {
        let server = TestServer::start();
        let client = server.admin();
        let app = crate::client::jobs::tests::app(&client, "containers");
        let push = |file: &str, label: &str, no_deploy| ContainerCommand::Push {
            file: component(file),
            app: app.clone(),
            name: "exporter".into(),
            label: Some(label.into()),
            no_deploy,
        };

        let first = push("standalone.wasm", "v1", false);
        let pushed = request(&client, &first).unwrap();
        assert_fields_exist(&pushed, VERSION_FIELDS);
        let version: ContainerVersion = pushed.parse().unwrap();
        let rows = field_rows(&render(&first, &pushed).unwrap());
        let names: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[..VERSION_FIELDS.len()], *VERSION_FIELDS);
        let value = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(
            (value("label"), value("deployed"), value("digest")),
            ("v1".into(), "true".into(), version.digest.clone())
        );
        assert_eq!(value("worlds"), version.worlds.join(", "));
        assert!(value("worlds").contains("basic"), "{rows:?}");
        assert_eq!(value("createdAt"), output::iso_time(version.created_at));

        let list = ContainerCommand::List { app: app.clone() };
        let listed = render(&list, &request(&client, &list).unwrap()).unwrap();
        let row: Vec<&str> =
            listed.lines().nth(1).unwrap().split("  ").filter(|c| !c.is_empty()).map(str::trim).collect();
        assert_eq!(row[1..4], ["exporter", "v1", &version.digest[..12]], "{listed}");

        // A second version, deployed afterwards: two deployments in the history.
        let second = push("map-reduce.wasm", "v2", true);
        let v2: ContainerVersion = request(&client, &second).unwrap().parse().unwrap();
        assert!(!v2.deployed);
        let deploy = ContainerCommand::Deploy { name: "exporter".into(), app: app.clone(), label: "v2".into() };
        let deployed = request(&client, &deploy).unwrap();
        assert_fields_exist(&deployed, &CONTAINER_FIELDS[..4]);
        let detail: ContainerDetail = deployed.parse().unwrap();
        let text = render(&deploy, &deployed).unwrap();
        let parts: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(parts.len(), 4, "fields, workers, history, versions: {text}");
        let rows = field_rows(parts[0]);
        let names: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[..CONTAINER_FIELDS.len()], *CONTAINER_FIELDS, "{text}");
        let deployment = detail.deployment.as_ref().unwrap();
        assert_eq!(rows[2].1, "v2");
        assert_eq!(rows[4], ("deployedBy".to_string(), "admin".to_string()));
        assert_eq!(rows[5], ("deployedAt".to_string(), output::iso_time(deployment.deployed_at)));
        assert_eq!(parts[1], "No live worker runs this app's WASM jobs.");
        let history: Vec<&str> = parts[2].lines().collect();
        assert_eq!(history.len(), 3, "{text}");
        assert!(history[1].contains(&v2.digest[..12]) && history[2].contains(&version.digest[..12]), "{text}");
        let versions: Vec<&str> = parts[3].lines().collect();
        assert_eq!(versions.len(), 3, "{text}");
        assert!(versions[1].starts_with("*  v2") && versions[2].starts_with("   v1"), "{text}");
        let get = ContainerCommand::Get { name: "exporter".into(), app: app.clone() };
        assert_eq!(render(&get, &request(&client, &get).unwrap()).unwrap(), text);

        let drop_v1 = ContainerCommand::Delete { name: "exporter".into(), app: app.clone(), label: Some("v1".into()) };
        let said = render(&drop_v1, &request(&client, &drop_v1).unwrap()).unwrap();
        assert_eq!(said, "Deleted version v1 of container exporter.");
        let drop_all = ContainerCommand::Delete { name: "exporter".into(), app, label: None };
        assert_eq!(render(&drop_all, &request(&client, &drop_all).unwrap()).unwrap(), "Deleted container exporter.");
    }
}
