//! `wasmjob job`: list, get, create, update, run, enable, disable, delete, copy, export and import jobs.

use super::output::{self, Table};
use super::{CliError, Client, ClientOpts, Reply, parse_id, read_json_file};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use wasmjob_server::instances::RunJob;
use wasmjob_server::instances::model::Instance;
use wasmjob_server::jobs::CopyJob;
use wasmjob_server::jobs::model::{Job, JobPage, JobSpec};

/// Arguments of `job`.
#[derive(Args, Debug)]
pub struct JobArgs {
    #[command(flatten)]
    opts: ClientOpts,
    #[command(subcommand)]
    command: JobCommand,
}

#[derive(Subcommand, Debug)]
enum JobCommand {
    /// List an app's jobs.
    List {
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// Only jobs whose name contains this (case-insensitive).
        #[arg(long)]
        name: Option<String>,
        /// Only enabled (true) or disabled (false) jobs.
        #[arg(long)]
        enabled: Option<bool>,
        /// Only jobs with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Page number, from 0.
        #[arg(long)]
        page: Option<u32>,
        /// Page size, 1 to 500 (default 20).
        #[arg(long)]
        size: Option<u32>,
        /// createdAt, name or updatedAt; a leading - reverses.
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
    },
    /// Show a job.
    Get {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Create a job from a JSON definition (as `job export` prints it).
    Create {
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// The definition; `-` reads stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// Replace a job's definition.
    Update {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
        /// The new definition; `-` reads stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// Run a job now or after a delay.
    Run {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
        /// Parameters of this run.
        #[arg(long, default_value = "")]
        params: String,
        /// Run this many milliseconds from now.
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
    /// Enable a job's schedule.
    Enable {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Disable a job's schedule.
    Disable {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Delete a job (its instances' history stays).
    Delete {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Copy a job into a new, disabled one.
    Copy {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
        /// The copy's name (default: the original's with " (copy)").
        #[arg(long)]
        name: Option<String>,
    },
    /// Print a job's definition as JSON, ready for `job create` or `job import`.
    Export {
        /// The job's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Import definitions as new jobs (all or none).
    Import {
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// One definition, an array of them or {"jobs": [...]}; `-` reads stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

const JOB_FIELDS: &[&str] = &[
    "id",
    "appId",
    "name",
    "description",
    "enabled",
    "timeExpressionType",
    "timeExpression",
    "timeZone",
    "executeType",
    "processorType",
    "processorInfo",
    "jobParams",
    "tag",
    "createdAt",
    "updatedAt",
];

/// `wasmjob job`.
pub fn run(args: JobArgs) -> ExitCode {
    super::finish(Client::logged_in(&args.opts).and_then(|client| execute(&client, args.opts.json, args.command)))
}

fn list_query(name: Option<String>, enabled: Option<bool>, tag: Option<String>) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    query.extend(name.map(|v| ("name", v)));
    query.extend(enabled.map(|v| ("enabled", v.to_string())));
    query.extend(tag.map(|v| ("tag", v)));
    query
}

fn execute(client: &Client, json: bool, command: JobCommand) -> Result<(), CliError> {
    let reply = request(client, &command)?;
    if json {
        return output::raw(&reply);
    }
    output::lines(&render(&command, &reply)?)
}

fn request(client: &Client, command: &JobCommand) -> Result<Reply, CliError> {
    match command {
        JobCommand::List { app, name, enabled, tag, page, size, sort } => {
            let mut query = list_query(name.clone(), *enabled, tag.clone());
            query.extend(page.map(|v| ("page", v.to_string())));
            query.extend(size.map(|v| ("size", v.to_string())));
            query.extend(sort.clone().map(|v| ("sort", v)));
            client.get(&format!("/apps/{app}/jobs"), &query)
        }
        JobCommand::Get { id } => client.get(&format!("/jobs/{id}"), &[]),
        JobCommand::Create { app, file } => client.post(&format!("/apps/{app}/jobs"), &read_json_file(file)?),
        JobCommand::Update { id, file } => client.put(&format!("/jobs/{id}"), &read_json_file(file)?),
        JobCommand::Run { id, params, delay_ms } => {
            client.post(&format!("/jobs/{id}/run"), &RunJob { instance_params: params.clone(), delay_ms: *delay_ms })
        }
        JobCommand::Enable { id } => client.post_empty(&format!("/jobs/{id}/enable")),
        JobCommand::Disable { id } => client.post_empty(&format!("/jobs/{id}/disable")),
        JobCommand::Delete { id } => client.delete(&format!("/jobs/{id}")),
        JobCommand::Copy { id, name } => client.post(&format!("/jobs/{id}/copy"), &CopyJob { name: name.clone() }),
        JobCommand::Export { id } => client.get(&format!("/jobs/{id}/export"), &[]),
        JobCommand::Import { app, file } => {
            let jobs = import_body(read_json_file(file)?, file)?;
            client.post(&format!("/apps/{app}/jobs/import"), &jobs)
        }
    }
}

/// What a command prints, from the server's answer.
fn render(command: &JobCommand, reply: &Reply) -> Result<String, CliError> {
    let named = |what: &str| -> Result<String, CliError> {
        let job: Job = reply.parse()?;
        Ok(format!("{what} job {} ({}).", job.id, output::one_line(&job.spec.name)))
    };
    Ok(match command {
        JobCommand::List { .. } => list(&reply.parse()?),
        JobCommand::Get { .. } => output::fields(&reply.parse::<Job>()?, JOB_FIELDS)?,
        JobCommand::Create { .. } => named("Created")?,
        JobCommand::Update { .. } => named("Updated")?,
        JobCommand::Run { id, .. } => {
            let instance: Instance = reply.parse()?;
            format!(
                "Started instance {} of job {id}: {}, due {}.",
                instance.id,
                output::name(&instance.status),
                output::iso_time(instance.expected_trigger_time)
            )
        }
        JobCommand::Enable { .. } | JobCommand::Disable { .. } => {
            let job: Job = reply.parse()?;
            let state = if job.spec.enabled { "enabled" } else { "disabled" };
            format!("Job {} ({}) is {state}.", job.id, output::one_line(&job.spec.name))
        }
        JobCommand::Delete { id } => format!("Deleted job {id}."),
        JobCommand::Copy { id, .. } => {
            let job: Job = reply.parse()?;
            format!("Copied job {id} to job {} ({}), disabled until enabled.", job.id, output::one_line(&job.spec.name))
        }
        JobCommand::Export { .. } => {
            // Through a `Value`: its keys are sorted, as they always were printed.
            let spec = serde_json::to_value(reply.parse::<JobSpec>()?).map_err(|e| CliError::Failed(e.to_string()))?;
            serde_json::to_string_pretty(&spec).map_err(|e| CliError::Failed(e.to_string()))?
        }
        JobCommand::Import { .. } => {
            let jobs: Vec<Job> = reply.parse()?;
            let count = jobs.len();
            format!("Imported {count} job{}:\n{}", if count == 1 { "" } else { "s" }, table(&jobs).render())
        }
    })
}

/// `{"jobs": [...]}` from one definition, an array of them, or that form already.
fn import_body(file: Value, path: &std::path::Path) -> Result<Value, CliError> {
    match file {
        Value::Array(jobs) => Ok(json!({"jobs": jobs})),
        Value::Object(map) if map.get("jobs").is_some_and(Value::is_array) => Ok(Value::Object(map)),
        Value::Object(map) => Ok(json!({"jobs": [Value::Object(map)]})),
        _ => Err(CliError::Usage(format!(
            "{} must hold a job definition, an array of them or {{\"jobs\": [...]}}",
            path.display()
        ))),
    }
}

fn trigger(spec: &JobSpec) -> String {
    let kind = output::name(&spec.time_expression_type);
    if spec.time_expression.is_empty() { kind } else { format!("{kind} {}", spec.time_expression) }
}

fn table(jobs: &[Job]) -> Table {
    let mut table = Table::new(&["ID", "NAME", "ENABLED", "TRIGGER", "EXECUTE", "PROCESSOR", "TAG", "UPDATED"]);
    for Job { id, spec, updated_at, .. } in jobs {
        let kind = output::name(&spec.processor_type);
        let processor = if spec.processor_info.is_empty() { kind } else { format!("{kind} {}", spec.processor_info) };
        table.row(vec![
            id.to_string(),
            output::one_line(&spec.name),
            spec.enabled.to_string(),
            trigger(spec),
            output::name(&spec.execute_type),
            processor,
            output::one_line(&spec.tag),
            output::iso_time(*updated_at),
        ]);
    }
    table
}

fn list(page: &JobPage) -> String {
    let footer = output::footer(page.total, page.page, page.size, page.items.len(), "job");
    format!("{}\n{footer}", table(&page.items).render())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::client::testing::{TestServer, assert_fields_exist};
    use std::path::Path;

    /// The CRON job the server's API tests use, every field set.
    pub(crate) const CRON_JOB: &str = include_str!("../../../../server/tests/fixtures/cron-job.json");

    /// An app of `client`'s server; its id.
    pub(crate) fn app(client: &Client, name: &str) -> String {
        let created: wasmjob_server::apps::AppWithSecret =
            client.post("/apps", &json!({"name": name})).and_then(|r| r.parse()).unwrap();
        created.app.id.to_string()
    }

    #[test]
    fn every_command_reads_the_servers_answer() {
        let server = TestServer::start();
        let client = server.admin();
        let app = app(&client, "jobs");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("job.json");
        std::fs::write(&file, CRON_JOB).unwrap();

        let create = JobCommand::Create { app: app.clone(), file: file.clone() };
        let created = request(&client, &create).unwrap();
        let job: Job = created.parse().unwrap();
        let id = job.id.to_string();
        assert_eq!(render(&create, &created).unwrap(), format!("Created job {id} (nightly)."));

        let list = JobCommand::List {
            app: app.clone(),
            name: None,
            enabled: None,
            tag: None,
            page: None,
            size: None,
            sort: None,
        };
        let listed = render(&list, &request(&client, &list).unwrap()).unwrap();
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 3, "{listed}");
        let row: Vec<&str> = lines[1].split("  ").filter(|c| !c.is_empty()).map(str::trim).collect();
        let updated = output::iso_time(job.updated_at);
        let expected =
            [id.as_str(), "nightly", "true", "CRON 0 0 2 * * ?", "MAP_REDUCE", "WASM exporter@v3", "reports", &updated];
        assert_eq!(row, expected, "{listed}");
        assert_eq!(lines[2], "1 of 1 job, page 0 (size 20)");

        let get = JobCommand::Get { id: id.clone() };
        let reply = request(&client, &get).unwrap();
        assert_fields_exist(&reply, JOB_FIELDS);
        let shown = render(&get, &reply).unwrap();
        let rows = crate::client::testing::field_rows(&shown);
        assert_eq!(rows.len(), crate::client::testing::keys(&reply).len(), "every field: {shown}");
        let names: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[..JOB_FIELDS.len()], *JOB_FIELDS, "{shown}");
        let value = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(value("id"), id);
        assert_eq!(value("timeExpressionType"), "CRON");
        assert_eq!(value("createdAt"), output::iso_time(job.created_at));
        assert_eq!(value("lifecycle"), r#"{"end":1893456000000,"start":1767225600000}"#);
        assert_eq!(value("instanceRetryBackoff"), "2.0");

        let update = JobCommand::Update { id: id.clone(), file };
        assert_eq!(
            render(&update, &request(&client, &update).unwrap()).unwrap(),
            format!("Updated job {id} (nightly).")
        );
        let disable = JobCommand::Disable { id: id.clone() };
        assert_eq!(
            render(&disable, &request(&client, &disable).unwrap()).unwrap(),
            format!("Job {id} (nightly) is disabled.")
        );
        let enable = JobCommand::Enable { id: id.clone() };
        assert_eq!(
            render(&enable, &request(&client, &enable).unwrap()).unwrap(),
            format!("Job {id} (nightly) is enabled.")
        );

        let copy = JobCommand::Copy { id: id.clone(), name: None };
        let copied = request(&client, &copy).unwrap();
        let copy_id = copied.parse::<Job>().unwrap().id;
        let expected = format!("Copied job {id} to job {copy_id} (nightly (copy)), disabled until enabled.");
        assert_eq!(render(&copy, &copied).unwrap(), expected);

        // Export prints the definition with its keys sorted, as it always did.
        let export = JobCommand::Export { id: id.clone() };
        let exported = request(&client, &export).unwrap();
        let as_sent: Value = serde_json::from_str(&exported.text).unwrap();
        assert_eq!(render(&export, &exported).unwrap(), serde_json::to_string_pretty(&as_sent).unwrap());
        assert_eq!(as_sent, serde_json::from_str::<Value>(CRON_JOB).unwrap());

        let dir_file = dir.path().join("export.json");
        std::fs::write(&dir_file, &exported.text).unwrap();
        let import = JobCommand::Import { app: app.clone(), file: dir_file };
        let imported = render(&import, &request(&client, &import).unwrap()).unwrap();
        assert!(imported.starts_with("Imported 1 job:\nID ") && imported.contains("CRON 0 0 2 * * ?"), "{imported}");

        let run = JobCommand::Run { id: id.clone(), params: "p".into(), delay_ms: 600_000 };
        let started = request(&client, &run).unwrap();
        let instance: Instance = started.parse().unwrap();
        let due = output::iso_time(instance.expected_trigger_time);
        let expected = format!("Started instance {} of job {id}: WAITING_DISPATCH, due {due}.", instance.id);
        assert_eq!(render(&run, &started).unwrap(), expected);

        let delete = JobCommand::Delete { id: id.clone() };
        assert_eq!(render(&delete, &request(&client, &delete).unwrap()).unwrap(), format!("Deleted job {id}."));
    }

    #[test]
    fn imports_take_every_file_shape() {
        let spec = json!({"name": "a"});
        let wrapped = json!({"jobs": [spec.clone()]});
        let path = Path::new("f.json");
        assert_eq!(import_body(spec.clone(), path).unwrap(), wrapped);
        assert_eq!(import_body(json!([spec]), path).unwrap(), wrapped);
        assert_eq!(import_body(wrapped.clone(), path).unwrap(), wrapped);
        assert!(import_body(json!("x"), path).is_err());
    }
}
