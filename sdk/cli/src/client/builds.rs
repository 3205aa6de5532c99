//! `wasmjob build`: set a container's git source, build it, follow the
//! build's log, list and cancel builds. Credentials are read from an environment
//! variable or a file, never from the command line (where `ps` and shell
//! history would show them).

use super::output::{self, Table};
use super::{CliError, Client, ClientOpts, Reply};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use wasmjob_server::containers::builds::model::{
    Build, BuildLogPage, BuildRequest, BuildStatus, GitRef, GitSource, RefKind,
};

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
    match &command {
        BuildCommand::Start { name, app, follow: true, .. } => {
            let build: Build = request(client, &command)?.parse()?;
            return follow_log(client, app, name, &build.id.to_string());
        }
        BuildCommand::Log { name, build, app, follow: true } => return follow_log(client, app, name, build),
        _ => {}
    }
    let reply = request(client, &command)?;
    if json {
        return output::raw(&reply);
    }
    let text = render(&command, &reply)?;
    // An empty log prints nothing.
    if text.is_empty() { Ok(()) } else { output::lines(&text) }
}

fn request(client: &Client, command: &BuildCommand) -> Result<Reply, CliError> {
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
                (_, Some(tag), _) => GitRef { kind: RefKind::Tag, name: tag.clone() },
                (_, _, Some(commit)) => GitRef { kind: RefKind::Commit, name: commit.clone() },
                (branch, _, _) => {
                    GitRef { kind: RefKind::Branch, name: branch.clone().unwrap_or_else(|| "main".into()) }
                }
            };
            let mut body = json!({"url": git, "reference": reference, "clearCredentials": clear_credentials});
            if let Some(path) = path {
                body["path"] = path.as_str().into();
            }
            if let Some(builder) = builder {
                body["builder"] = builder.as_str().into();
            }
            if let (Some(username), Some(var)) = (username, password_env) {
                let password = std::env::var(var)
                    .map_err(|_| CliError::Usage(format!("the environment variable {var} is not set")))?;
                body["credentials"] = json!({"kind": "PASSWORD", "username": username, "password": password});
            }
            if let Some(file) = ssh_key {
                let key = std::fs::read_to_string(file)
                    .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
                body["credentials"] = json!({"kind": "SSH_KEY", "privateKey": key});
            }
            client.put(&format!("/apps/{app}/containers/{name}/source"), &body)
        }
        BuildCommand::Start { name, app, no_deploy, .. } => {
            let body = BuildRequest { reference: None, deploy: Some(!no_deploy) };
            client.post(&format!("/apps/{app}/containers/{name}/builds"), &body)
        }
        BuildCommand::List { name, app } => client.get(&format!("/apps/{app}/containers/{name}/builds"), &[]),
        BuildCommand::Cancel { name, build, app } => {
            client.post_empty(&format!("/apps/{app}/containers/{name}/builds/{build}/cancel"))
        }
        BuildCommand::Log { name, build, app, .. } => {
            client.get(&format!("/apps/{app}/containers/{name}/builds/{build}/log"), &[("limit", "5000".into())])
        }
    }
}

/// What a command prints, from the server's answer (not for `--follow`).
fn render(command: &BuildCommand, reply: &Reply) -> Result<String, CliError> {
    Ok(match command {
        BuildCommand::Source { .. } => source_fields(&reply.parse()?)?,
        BuildCommand::Start { name, app, .. } => {
            let Build { id, .. } = reply.parse()?;
            format!("Build {id} queued. Follow it with: wasmjob build log {name} {id} --app {app} --follow")
        }
        BuildCommand::List { .. } => list(&reply.parse::<Vec<Build>>()?),
        BuildCommand::Cancel { build, .. } => {
            let canceled: Build = reply.parse()?;
            let message = output::opt_text(canceled.message.as_deref());
            format!("Build {build}: {} ({message}).", output::name(&canceled.status))
        }
        BuildCommand::Log { .. } => log_text(&reply.parse()?),
    })
}

/// A source's fields, its reference and credentials on one line each.
fn source_fields(source: &GitSource) -> Result<String, CliError> {
    let mut shown = serde_json::to_value(source).map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(shown) = shown.as_object_mut() {
        let reference =
            format!("{} {}", source.reference.kind.as_str().to_lowercase(), output::one_line(&source.reference.name));
        shown.insert("reference".into(), Value::String(reference));
        let credentials = match &source.credentials {
            Some(c) => format!("{} for {}", output::one_line(&c.kind), output::one_line(&c.username)),
            None => "none".into(),
        };
        shown.insert("credentials".into(), Value::String(credentials));
    }
    output::fields(&shown, &["url", "reference", "path", "builder", "credentials", "updatedBy", "updatedAt"])
}

fn list(builds: &[Build]) -> String {
    let mut table = Table::new(&["ID", "STATUS", "REF", "COMMIT", "CREATED", "MESSAGE"]);
    for build in builds {
        table.row(vec![
            build.id.to_string(),
            output::name(&build.status),
            output::one_line(&build.reference.name),
            output::opt_text(build.commit.as_deref()).chars().take(12).collect(),
            output::iso_time(build.created_at),
            output::opt_text(build.message.as_deref()),
        ]);
    }
    table.render()
}

/// A page's lines, one per line.
fn log_text(page: &BuildLogPage) -> String {
    page.lines.iter().map(|l| output::one_line(&l.line)).collect::<Vec<_>>().join("\n")
}

fn print_lines(page: &BuildLogPage) -> Result<(), CliError> {
    let text = log_text(page);
    if text.is_empty() { Ok(()) } else { output::lines(&text) }
}

/// Prints a build's log as it grows; an error when the build fails.
fn follow_log(client: &Client, app: &str, name: &str, build: &str) -> Result<(), CliError> {
    let base = format!("/apps/{app}/containers/{name}/builds/{build}");
    let mut after = 0;
    loop {
        let reply = client.get(&format!("{base}/log"), &[("after", after.to_string()), ("waitMs", "10000".into())])?;
        let page: BuildLogPage = reply.parse()?;
        print_lines(&page)?;
        after = page.next;
        if page.lines.is_empty() && page.status.is_final() {
            let done: Build = client.get(&base, &[])?.parse()?;
            return match done.status {
                BuildStatus::Succeeded => {
                    output::lines(&format!("Built version {}.", output::opt_text(done.label.as_deref())))
                }
                _ => Err(CliError::Failed(format!("the build failed: {}", output::opt_text(done.message.as_deref())))),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::{TestServer, field_rows};
    use std::time::{Duration, Instant};

    fn source(app: &str, name: &str, git: String, ssh_key: Option<PathBuf>) -> BuildCommand {
        BuildCommand::Source {
            name: name.into(),
            app: app.into(),
            git,
            branch: None,
            tag: None,
            commit: None,
            path: None,
            builder: None,
            username: None,
            password_env: None,
            ssh_key,
            clear_credentials: false,
        }
    }

    #[test]
    fn every_command_reads_the_servers_answer() {
        let server = TestServer::start_with(|config| {
            config.builds.enabled = true;
            config.builds.allow_private_hosts = vec!["127.0.0.1".into()];
        });
        let client = server.admin();
        let app = crate::client::jobs::tests::app(&client, "builds");
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id_ed25519");
        std::fs::write(&key, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n")
            .unwrap();
        // Nothing listens there: builds fail at the clone.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let set = source(&app, "hello", format!("ssh://git@127.0.0.1:{port}/org/hello.git"), Some(key));
        let reply = request(&client, &set).unwrap();
        let set_source: GitSource = reply.parse().unwrap();
        let rows = field_rows(&render(&set, &reply).unwrap());
        let expected = [
            ("url", set_source.url.clone()),
            ("reference", "branch main".into()),
            ("path", String::new()),
            ("builder", "auto".into()),
            ("credentials", "SSH_KEY for git".into()),
            ("updatedBy", "admin".into()),
            ("updatedAt", output::iso_time(set_source.updated_at)),
        ];
        assert_eq!(rows, expected.map(|(k, v)| (k.to_string(), v)), "{rows:?}");

        let start = BuildCommand::Start { name: "hello".into(), app: app.clone(), no_deploy: false, follow: false };
        let started = request(&client, &start).unwrap();
        let build: Build = started.parse().unwrap();
        let id = build.id.to_string();
        let queued = render(&start, &started).unwrap();
        assert_eq!(
            queued,
            format!("Build {id} queued. Follow it with: wasmjob build log hello {id} --app {app} --follow")
        );
        let base = format!("/apps/{app}/containers/hello/builds/{id}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let failed = loop {
            let now: Build = client.get(&base, &[]).and_then(|r| r.parse()).unwrap();
            if now.status.is_final() {
                break now;
            }
            assert!(Instant::now() < deadline, "the build did not end: {now:?}");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(failed.status, BuildStatus::Failed);

        let list = BuildCommand::List { name: "hello".into(), app: app.clone() };
        let listed = render(&list, &request(&client, &list).unwrap()).unwrap();
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 2, "{listed}");
        let created = output::iso_time(failed.created_at);
        let message = output::opt_text(failed.message.as_deref());
        let row: Vec<&str> = lines[1].split("  ").filter(|c| !c.is_empty()).map(str::trim).collect();
        assert_eq!(row[..5], [id.as_str(), "FAILED", "main", "-", &created], "{listed}");
        assert!(message.starts_with(row[5].trim_end_matches('…')), "{listed}");

        let log = BuildCommand::Log { name: "hello".into(), build: id.clone(), app: app.clone(), follow: false };
        let reply = request(&client, &log).unwrap();
        let page: BuildLogPage = reply.parse().unwrap();
        assert!(!page.lines.is_empty() && page.status == BuildStatus::Failed);
        let text = render(&log, &reply).unwrap();
        assert_eq!(text.lines().count(), page.lines.len(), "{text}");
        assert_eq!(text.lines().last(), Some(output::one_line(&page.lines.last().unwrap().line).as_str()));

        // An ended build cannot be cancelled: the server's reason comes through.
        let cancel = BuildCommand::Cancel { name: "hello".into(), build: id.clone(), app: app.clone() };
        let refused = request(&client, &cancel).unwrap_err().to_string();
        assert!(refused.contains(&format!("build {id} has ended already (FAILED)")), "{refused}");
    }

    #[test]
    fn a_cancelled_build_says_how_it_ended() {
        let server = TestServer::start_with(|config| {
            config.builds.enabled = true;
            config.builds.allow_private_hosts = vec!["127.0.0.1".into()];
        });
        let client = server.admin();
        let app = crate::client::jobs::tests::app(&client, "cancels");
        // It takes connections and never answers: the clone waits.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let set = source(&app, "slow", format!("https://127.0.0.1:{port}/org/slow.git"), None);
        let shown = render(&set, &request(&client, &set).unwrap()).unwrap();
        assert!(field_rows(&shown).contains(&("credentials".to_string(), "none".to_string())), "{shown}");
        let start = BuildCommand::Start { name: "slow".into(), app: app.clone(), no_deploy: true, follow: false };
        let build: Build = request(&client, &start).unwrap().parse().unwrap();
        let cancel = BuildCommand::Cancel { name: "slow".into(), build: build.id.to_string(), app };
        let reply = request(&client, &cancel).unwrap();
        let cancelled: Build = reply.parse().unwrap();
        let message = output::opt_text(cancelled.message.as_deref());
        let status = output::name(&cancelled.status);
        assert_eq!(render(&cancel, &reply).unwrap(), format!("Build {}: {status} ({message}).", build.id));
        drop(silent);
    }
}
