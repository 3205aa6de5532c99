//! `wasmjob build`: set a container's git source, build it, follow the
//! build's log, list and cancel builds. Credentials are read from an environment
//! variable or a file, never from the command line (where `ps` and shell
//! history would show them).

use super::output::{self, Table, cell};
use super::{CliError, Client, ClientOpts};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// `wasmjob build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(subcommand)]
    command: BuildCommand,
    #[command(flatten)]
    opts: ClientOpts,
}

#[derive(Subcommand, Debug)]
enum BuildCommand {
    /// Set a container's git source (the container is created if new).
    Source {
        /// The container's name.
        name: String,
        /// The app's id.
        #[arg(long)]
        app: String,
        /// The repository: https://, ssh://, user@host:path (file:// where the server allows it).
        #[arg(long)]
        git: String,
        /// Build this branch (default `main`).
        #[arg(long, conflicts_with_all = ["tag", "commit"])]
        branch: Option<String>,
        /// Build this tag.
        #[arg(long, conflicts_with = "commit")]
        tag: Option<String>,
        /// Build this commit.
        #[arg(long)]
        commit: Option<String>,
        /// The crate's directory in the repository.
        #[arg(long)]
        path: Option<String>,
        /// `auto`, `cargo` or `cargo-component`.
        #[arg(long)]
        builder: Option<String>,
        /// https user name; the password or token is read from `--password-env`.
        #[arg(long, requires = "password_env")]
        username: Option<String>,
        /// The environment variable holding the https password or token.
        #[arg(long, requires = "username")]
        password_env: Option<String>,
        /// A file holding an ssh private key.
        #[arg(long, conflicts_with = "username")]
        ssh_key: Option<PathBuf>,
        /// Remove the stored credentials.
        #[arg(long)]
        clear_credentials: bool,
    },
    /// Build the container's source into a new version labelled with the commit id.
    Start {
        /// The container's name.
        name: String,
        /// The app's id.
        #[arg(long)]
        app: String,
        /// Store the version without deploying it.
        #[arg(long)]
        no_deploy: bool,
        /// Print the build's log until it ends; exit 1 if it fails.
        #[arg(long)]
        follow: bool,
    },
    /// A container's builds, newest first.
    List {
        /// The container's name.
        name: String,
        /// The app's id.
        #[arg(long)]
        app: String,
    },
    /// Cancel a queued or running build: its compiler is killed and nothing is stored.
    Cancel {
        /// The container's name.
        name: String,
        /// The build's id.
        build: String,
        /// The app's id.
        #[arg(long)]
        app: String,
    },
    /// A build's log; `--follow` waits for it to end.
    Log {
        /// The container's name.
        name: String,
        /// The build's id.
        build: String,
        /// The app's id.
        #[arg(long)]
        app: String,
        /// Keep printing until the build ends; exit 1 if it fails.
        #[arg(long)]
        follow: bool,
    },
}

/// Runs `wasmjob build`.
pub fn run(args: BuildArgs) -> ExitCode {
    super::finish(Client::logged_in(&args.opts).and_then(|client| execute(&client, args.opts.json, args.command)))
}

fn execute(client: &Client, json: bool, command: BuildCommand) -> Result<(), CliError> {
    match command {
        BuildCommand::Source {
            name,
            app,
            git,
            branch,
            tag,
            commit,
            path,
            builder,
            username,
            password_env,
            ssh_key,
            clear_credentials,
        } => {
            let reference = match (branch, tag, commit) {
                (_, Some(tag), _) => json!({"kind": "TAG", "name": tag}),
                (_, _, Some(commit)) => json!({"kind": "COMMIT", "name": commit}),
                (branch, _, _) => json!({"kind": "BRANCH", "name": branch.unwrap_or_else(|| "main".into())}),
            };
            let mut body = json!({"url": git, "reference": reference, "clearCredentials": clear_credentials});
            if let Some(path) = path {
                body["path"] = path.into();
            }
            if let Some(builder) = builder {
                body["builder"] = builder.into();
            }
            if let (Some(username), Some(var)) = (username, password_env) {
                let password = std::env::var(&var)
                    .map_err(|_| CliError::Usage(format!("the environment variable {var} is not set")))?;
                body["credentials"] = json!({"kind": "PASSWORD", "username": username, "password": password});
            }
            if let Some(file) = ssh_key {
                let key = std::fs::read_to_string(&file)
                    .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
                body["credentials"] = json!({"kind": "SSH_KEY", "privateKey": key});
            }
            let reply = client.put(&format!("/apps/{app}/containers/{name}/source"), &body)?;
            if json {
                return output::raw(&reply);
            }
            let mut shown = reply.json.clone();
            shown["reference"] = Value::String(format!(
                "{} {}",
                cell(&reply.json["reference"], "kind").to_lowercase(),
                cell(&reply.json["reference"], "name")
            ));
            shown["credentials"] = match reply.json.get("credentials") {
                Some(c) if !c.is_null() => Value::String(format!("{} for {}", cell(c, "kind"), cell(c, "username"))),
                _ => Value::String("none".into()),
            };
            output::fields(&shown, &["url", "reference", "path", "builder", "credentials", "updatedBy", "updatedAt"])
        }
        BuildCommand::Start { name, app, no_deploy, follow } => {
            let reply =
                client.post(&format!("/apps/{app}/containers/{name}/builds"), Some(&json!({"deploy": !no_deploy})))?;
            let build = cell(&reply.json, "id");
            if follow {
                return follow_log(client, &app, &name, &build);
            }
            if json {
                return output::raw(&reply);
            }
            output::lines(&format!(
                "Build {build} queued. Follow it with: wasmjob build log {name} {build} --app {app} --follow"
            ))
        }
        BuildCommand::List { name, app } => {
            let reply = client.get(&format!("/apps/{app}/containers/{name}/builds"), &[])?;
            if json {
                return output::raw(&reply);
            }
            let mut table = Table::new(&["ID", "STATUS", "REF", "COMMIT", "CREATED", "MESSAGE"]);
            for build in reply.json.as_array().into_iter().flatten() {
                table.row(vec![
                    cell(build, "id"),
                    cell(build, "status"),
                    cell(&build["reference"], "name"),
                    cell(build, "commit").chars().take(12).collect(),
                    cell(build, "createdAt"),
                    cell(build, "message"),
                ]);
            }
            table.print()
        }
        BuildCommand::Cancel { name, build, app } => {
            let reply = client.post(&format!("/apps/{app}/containers/{name}/builds/{build}/cancel"), None)?;
            if json {
                return output::raw(&reply);
            }
            output::lines(&format!(
                "Build {build}: {} ({}).",
                cell(&reply.json, "status"),
                cell(&reply.json, "message")
            ))
        }
        BuildCommand::Log { name, build, app, follow } => {
            if follow {
                return follow_log(client, &app, &name, &build);
            }
            let reply = client
                .get(&format!("/apps/{app}/containers/{name}/builds/{build}/log"), &[("limit", "5000".into())])?;
            if json {
                return output::raw(&reply);
            }
            print_lines(&reply.json)
        }
    }
}

fn print_lines(page: &Value) -> Result<(), CliError> {
    let text: Vec<String> = page["lines"].as_array().into_iter().flatten().map(|l| cell(l, "line")).collect();
    if text.is_empty() { Ok(()) } else { output::lines(&text.join("\n")) }
}

/// Prints a build's log as it grows; an error when the build fails.
fn follow_log(client: &Client, app: &str, name: &str, build: &str) -> Result<(), CliError> {
    let base = format!("/apps/{app}/containers/{name}/builds/{build}");
    let mut after = 0;
    loop {
        let page = client.get(&format!("{base}/log"), &[("after", after.to_string()), ("waitMs", "10000".into())])?;
        print_lines(&page.json)?;
        after = page.json["next"].as_i64().unwrap_or(after);
        let ended = page.json["lines"].as_array().is_none_or(Vec::is_empty)
            && matches!(page.json["status"].as_str(), Some("SUCCEEDED" | "FAILED"));
        if ended {
            let done = client.get(&base, &[])?;
            return match done.json["status"].as_str() {
                Some("SUCCEEDED") => output::lines(&format!("Built version {}.", cell(&done.json, "label"))),
                _ => Err(CliError::Failed(format!("the build failed: {}", cell(&done.json, "message")))),
            };
        }
    }
}
