//! `wasmjob job`: list, get, create, update, run, enable, disable, delete, copy, export and import jobs.

use super::output::{self, Table, cell};
use super::{CliError, Client, ClientOpts, Reply, parse_id, read_json_file};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

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
    let reply = match &command {
        JobCommand::List { app, name, enabled, tag, page, size, sort } => {
            let mut query = list_query(name.clone(), *enabled, tag.clone());
            query.extend(page.map(|v| ("page", v.to_string())));
            query.extend(size.map(|v| ("size", v.to_string())));
            query.extend(sort.clone().map(|v| ("sort", v)));
            client.get(&format!("/apps/{app}/jobs"), &query)?
        }
        JobCommand::Get { id } => client.get(&format!("/jobs/{id}"), &[])?,
        JobCommand::Create { app, file } => client.post(&format!("/apps/{app}/jobs"), Some(&read_json_file(file)?))?,
        JobCommand::Update { id, file } => client.put(&format!("/jobs/{id}"), &read_json_file(file)?)?,
        JobCommand::Run { id, params, delay_ms } => {
            client.post(&format!("/jobs/{id}/run"), Some(&json!({"instanceParams": params, "delayMs": delay_ms})))?
        }
        JobCommand::Enable { id } => client.post(&format!("/jobs/{id}/enable"), None)?,
        JobCommand::Disable { id } => client.post(&format!("/jobs/{id}/disable"), None)?,
        JobCommand::Delete { id } => client.delete(&format!("/jobs/{id}"))?,
        JobCommand::Copy { id, name } => {
            let body = name.as_ref().map_or_else(|| json!({}), |n| json!({"name": n}));
            client.post(&format!("/jobs/{id}/copy"), Some(&body))?
        }
        JobCommand::Export { id } => client.get(&format!("/jobs/{id}/export"), &[])?,
        JobCommand::Import { app, file } => {
            let jobs = import_body(read_json_file(file)?, file)?;
            client.post(&format!("/apps/{app}/jobs/import"), Some(&jobs))?
        }
    };
    if json {
        return output::raw(&reply);
    }
    let job = &reply.json;
    match command {
        JobCommand::List { .. } => list(&reply),
        JobCommand::Get { .. } => output::fields(job, JOB_FIELDS),
        JobCommand::Create { .. } => {
            output::lines(&format!("Created job {} ({}).", cell(job, "id"), cell(job, "name")))
        }
        JobCommand::Update { .. } => {
            output::lines(&format!("Updated job {} ({}).", cell(job, "id"), cell(job, "name")))
        }
        JobCommand::Run { id, .. } => output::lines(&format!(
            "Started instance {} of job {id}: {}, due {}.",
            cell(job, "id"),
            cell(job, "status"),
            cell(job, "expectedTriggerTime")
        )),
        JobCommand::Enable { .. } | JobCommand::Disable { .. } => {
            let state = if job["enabled"] == Value::Bool(true) { "enabled" } else { "disabled" };
            output::lines(&format!("Job {} ({}) is {state}.", cell(job, "id"), cell(job, "name")))
        }
        JobCommand::Delete { id } => output::lines(&format!("Deleted job {id}.")),
        JobCommand::Copy { id, .. } => output::lines(&format!(
            "Copied job {id} to job {} ({}), disabled until enabled.",
            cell(job, "id"),
            cell(job, "name")
        )),
        JobCommand::Export { .. } => {
            let pretty = serde_json::to_string_pretty(job).map_err(|e| CliError::Failed(e.to_string()))?;
            output::lines(&pretty)
        }
        JobCommand::Import { .. } => {
            let count = job.as_array().map_or(0, Vec::len);
            output::lines(&format!("Imported {count} job{}:", if count == 1 { "" } else { "s" }))?;
            table(job.as_array().into_iter().flatten()).print()
        }
    }
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

fn trigger(job: &Value) -> String {
    let kind = cell(job, "timeExpressionType");
    match job.get("timeExpression").and_then(Value::as_str) {
        Some(expr) if !expr.is_empty() => format!("{kind} {expr}"),
        _ => kind,
    }
}

fn table<'a>(jobs: impl Iterator<Item = &'a Value>) -> Table {
    let mut table = Table::new(&["ID", "NAME", "ENABLED", "TRIGGER", "EXECUTE", "PROCESSOR", "TAG", "UPDATED"]);
    for job in jobs {
        let processor = match (cell(job, "processorType"), job.get("processorInfo").and_then(Value::as_str)) {
            (kind, Some(info)) if !info.is_empty() => format!("{kind} {info}"),
            (kind, _) => kind,
        };
        table.row(vec![
            cell(job, "id"),
            cell(job, "name"),
            cell(job, "enabled"),
            trigger(job),
            cell(job, "executeType"),
            processor,
            cell(job, "tag"),
            cell(job, "updatedAt"),
        ]);
    }
    table
}

fn list(reply: &Reply) -> Result<(), CliError> {
    let items = reply.json.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    table(items.iter()).print()?;
    output::lines(&output::footer(&reply.json, items.len(), "job"))
}

#[cfg(test)]
mod tests {
    use super::import_body;
    use serde_json::json;
    use std::path::Path;

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
