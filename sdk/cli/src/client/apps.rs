//! `wasmjob app`: list, get, create, update, delete apps and rotate their secrets.

use super::output::{self, Table};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use std::process::ExitCode;
use wasmjob_server::apps::{App, AppWithSecret, CreateApp, UpdateApp};

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
    let reply = request(client, &command)?;
    if json {
        return output::raw(&reply);
    }
    output::lines(&render(&command, &reply)?)
}

fn request(client: &Client, command: &AppCommand) -> Result<Reply, CliError> {
    match command {
        AppCommand::List => client.get("/apps", &[]),
        AppCommand::Get { id } => client.get(&format!("/apps/{id}"), &[]),
        AppCommand::Create { name, description } => {
            let app = CreateApp { name: name.clone(), description: description.clone(), namespace_id: None };
            client.post("/apps", &app)
        }
        AppCommand::Update { id, description } => {
            client.put(&format!("/apps/{id}"), &UpdateApp { description: description.clone(), namespace_id: None })
        }
        AppCommand::Delete { id } => client.delete(&format!("/apps/{id}")),
        AppCommand::RotateSecret { id } => client.post_empty(&format!("/apps/{id}/secret")),
    }
}

/// What a command prints, from the server's answer.
fn render(command: &AppCommand, reply: &Reply) -> Result<String, CliError> {
    match command {
        AppCommand::List => Ok(list(&reply.parse::<Vec<App>>()?)),
        AppCommand::Get { .. } | AppCommand::Update { .. } => output::fields(&reply.parse::<App>()?, APP_FIELDS),
        AppCommand::Create { .. } => Ok(with_secret(&reply.parse()?, "Created")),
        AppCommand::RotateSecret { .. } => Ok(with_secret(&reply.parse()?, "New secret for")),
        AppCommand::Delete { id } => Ok(format!("Deleted app {id}.")),
    }
}

fn list(apps: &[App]) -> String {
    let mut table = Table::new(&["ID", "NAME", "DESCRIPTION", "CREATED"]);
    for app in apps {
        table.row(vec![
            app.id.to_string(),
            output::one_line(&app.name),
            output::one_line(&app.description),
            output::iso_time(app.created_at),
        ]);
    }
    table.render()
}

fn with_secret(created: &AppWithSecret, what: &str) -> String {
    format!(
        "{what} app {} (id {}).\nsecret: {}\nStore the secret now: it is not shown again.",
        output::one_line(&created.app.name),
        created.app.id,
        output::one_line(&created.secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::{TestServer, assert_fields_exist};

    #[test]
    fn every_command_reads_the_servers_answer() {
        let server = TestServer::start();
        let client = server.admin();
        let create = AppCommand::Create { name: "reports".into(), description: "report\njobs".into() };
        let created = request(&client, &create).unwrap();
        let AppWithSecret { app, secret } = created.parse().unwrap();
        let id = app.id.to_string();
        assert_eq!(
            render(&create, &created).unwrap(),
            format!("Created app reports (id {id}).\nsecret: {secret}\nStore the secret now: it is not shown again.")
        );

        let listed = render(&AppCommand::List, &request(&client, &AppCommand::List).unwrap()).unwrap();
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 2, "{listed}");
        assert!(lines[0].starts_with("ID") && lines[0].ends_with("CREATED"), "{listed}");
        let created_at = output::iso_time(app.created_at);
        assert!(lines[1].starts_with(&id) && lines[1].contains("report jobs") && lines[1].ends_with(&created_at));

        let get = AppCommand::Get { id: id.clone() };
        let reply = request(&client, &get).unwrap();
        assert_fields_exist(&reply, APP_FIELDS);
        let shown = render(&get, &reply).unwrap();
        let names: Vec<&str> = shown.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
        assert_eq!(names, ["id", "name", "description", "createdAt", "updatedAt", "namespaceId"], "{shown}");
        assert!(shown.lines().next().unwrap().ends_with(&id) && shown.contains(&created_at), "{shown}");

        let update = AppCommand::Update { id: id.clone(), description: "changed".into() };
        let updated = render(&update, &request(&client, &update).unwrap()).unwrap();
        assert!(updated.contains("description  changed"), "{updated}");

        let rotate = AppCommand::RotateSecret { id: id.clone() };
        let rotated = request(&client, &rotate).unwrap();
        let fresh: AppWithSecret = rotated.parse().unwrap();
        assert_ne!(fresh.secret, secret);
        assert!(render(&rotate, &rotated).unwrap().starts_with(&format!("New secret for app reports (id {id}).")));

        let delete = AppCommand::Delete { id: id.clone() };
        assert_eq!(render(&delete, &request(&client, &delete).unwrap()).unwrap(), format!("Deleted app {id}."));
    }

    #[test]
    fn another_shape_is_an_error_naming_the_field() {
        let server = TestServer::start();
        let client = server.admin();
        // `/auth/me` where an app is expected: as a server of another version could answer.
        let reply = client.get("/auth/me", &[]).unwrap();
        let error = render(&AppCommand::Get { id: "1".into() }, &reply).unwrap_err();
        assert_eq!(error.exit_code(), 1);
        let error = error.to_string();
        assert!(
            error.contains(&format!("the server at {} answered GET /auth/me with something", server.url())),
            "{error}"
        );
        assert!(error.contains("this CLI does not understand (version mismatch?): "), "{error}");
        assert!(error.contains("missing field `description`"), "{error}");
        let error = render(&AppCommand::List, &reply).unwrap_err().to_string();
        assert!(error.contains("invalid type: map, expected a sequence"), "{error}");
    }
}
