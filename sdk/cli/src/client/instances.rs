//! `wasmjob instance`: list, get, stop, cancel and retry instances, and read or follow their logs.

use super::output::{self, Table, cell};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::process::ExitCode;

/// Statuses after which an instance writes no more log lines.
const FINAL: &[&str] = &["FAILED", "SUCCEED", "CANCELED", "STOPPED"];
/// Lines per log read (the server's maximum).
const LOG_PAGE: usize = 5000;
/// How long one follow read waits for new lines, in milliseconds.
const FOLLOW_WAIT_MS: u32 = 10_000;

/// Arguments of `instance`.
#[derive(Args, Debug)]
pub struct InstanceArgs {
    #[command(flatten)]
    opts: ClientOpts,
    #[command(subcommand)]
    command: InstanceCommand,
}

#[derive(Subcommand, Debug)]
enum InstanceCommand {
    /// List an app's instances, newest first.
    List {
        /// The app's id.
        #[arg(long, value_parser = parse_id)]
        app: String,
        /// Only instances of this job.
        #[arg(long, value_parser = parse_id)]
        job: Option<String>,
        /// Only instances in this status (RUNNING, FAILED, ...).
        #[arg(long)]
        status: Option<String>,
        /// Page number, from 0.
        #[arg(long)]
        page: Option<u32>,
        /// Page size, 1 to 500 (default 20).
        #[arg(long)]
        size: Option<u32>,
    },
    /// Show an instance.
    Get {
        /// The instance's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Stop an instance that is waiting or running.
    Stop {
        /// The instance's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Cancel an instance that has not been dispatched yet.
    Cancel {
        /// The instance's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Run a failed, stopped or canceled instance again.
    Retry {
        /// The instance's id.
        #[arg(value_parser = parse_id)]
        id: String,
    },
    /// Print an instance's log (with --json: one page of lines per line).
    Logs {
        /// The instance's id.
        #[arg(value_parser = parse_id)]
        id: String,
        /// Keep printing new lines until the instance has ended.
        #[arg(long, short)]
        follow: bool,
    },
}

const INSTANCE_FIELDS: &[&str] = &[
    "id",
    "jobId",
    "appId",
    "status",
    "triggerType",
    "instanceParams",
    "runningTimes",
    "expectedTriggerTime",
    "actualTriggerTime",
    "finishedTime",
    "coordinator",
    "result",
];

/// `wasmjob instance`.
pub fn run(args: InstanceArgs) -> ExitCode {
    super::finish(Client::logged_in(&args.opts).and_then(|client| execute(&client, args.opts.json, args.command)))
}

fn execute(client: &Client, json: bool, command: InstanceCommand) -> Result<(), CliError> {
    let reply = match &command {
        InstanceCommand::List { app, job, status, page, size } => {
            let mut query = Vec::new();
            query.extend(job.clone().map(|v| ("jobId", v)));
            query.extend(status.clone().map(|v| ("status", v)));
            query.extend(page.map(|v| ("page", v.to_string())));
            query.extend(size.map(|v| ("size", v.to_string())));
            client.get(&format!("/apps/{app}/instances"), &query)?
        }
        InstanceCommand::Get { id } => client.get(&format!("/instances/{id}"), &[])?,
        InstanceCommand::Stop { id } => client.post(&format!("/instances/{id}/stop"), None)?,
        InstanceCommand::Cancel { id } => client.post(&format!("/instances/{id}/cancel"), None)?,
        InstanceCommand::Retry { id } => client.post(&format!("/instances/{id}/retry"), None)?,
        InstanceCommand::Logs { id, follow } => return logs(client, json, id, *follow),
    };
    if json {
        return output::raw(&reply);
    }
    let instance = &reply.json;
    match command {
        InstanceCommand::List { .. } => list(&reply),
        InstanceCommand::Get { .. } => detail(instance),
        InstanceCommand::Stop { .. } | InstanceCommand::Cancel { .. } | InstanceCommand::Retry { .. } => {
            output::lines(&format!("Instance {} is {}.", cell(instance, "id"), cell(instance, "status")))
        }
        InstanceCommand::Logs { .. } => Ok(()),
    }
}

/// An instance's fields, its task counts on one line, and the workers
/// that took part as a table.
fn detail(instance: &Value) -> Result<(), CliError> {
    let mut shown = instance.clone();
    let workers = shown.as_object_mut().and_then(|m| m.remove("workers"));
    if let Some(tasks) = shown.get("tasks").filter(|t| t.is_object()) {
        let count = |key: &str| cell(tasks, key);
        let line = format!(
            "{} total, {} waiting, {} running, {} succeeded, {} failed",
            count("total"),
            count("waiting"),
            count("running"),
            count("succeeded"),
            count("failed")
        );
        shown["tasks"] = Value::String(line);
    }
    output::fields(&shown, INSTANCE_FIELDS)?;
    let workers = workers.as_ref().and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if workers.is_empty() {
        return Ok(());
    }
    let mut table = Table::new(&["WORKER", "ROLE", "STATE", "RUNNING", "SUCCEEDED", "FAILED"]);
    for w in workers {
        let role = if w.get("coordinator") == Some(&Value::Bool(true)) { "coordinator" } else { "participant" };
        let row = vec![cell(w, "address"), role.into(), cell(w, "state"), cell(w, "running"), cell(w, "succeeded")];
        table.row(row.into_iter().chain([cell(w, "failed")]).collect());
    }
    output::lines("")?;
    table.print()
}

fn list(reply: &Reply) -> Result<(), CliError> {
    let items = reply.json.get("items").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut table = Table::new(&["ID", "JOB", "STATUS", "TRIGGER", "RUNS", "DUE", "FINISHED", "RESULT"]);
    for i in items {
        table.row(vec![
            cell(i, "id"),
            cell(i, "jobId"),
            cell(i, "status"),
            cell(i, "triggerType"),
            cell(i, "runningTimes"),
            cell(i, "expectedTriggerTime"),
            cell(i, "finishedTime"),
            cell(i, "result"),
        ]);
    }
    table.print()?;
    output::lines(&output::footer(&reply.json, items.len(), "instance"))
}

/// Prints a page of log lines; returns how many there were and the
/// position to read on from.
fn print_page(json: bool, reply: &Reply, after: i64, print_empty: bool) -> Result<(usize, i64), CliError> {
    let lines = reply.json.get("lines").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let next = reply.json.get("next").and_then(Value::as_i64).unwrap_or(after);
    if json {
        if print_empty || !lines.is_empty() {
            output::raw(reply)?;
        }
    } else if !lines.is_empty() {
        output::lines(&lines.iter().map(log_line).collect::<Vec<_>>().join("\n"))?;
    }
    Ok((lines.len(), next))
}

/// `<time> <LEVEL> [task] message`; server lines name their source.
fn log_line(line: &Value) -> String {
    let task = match line.get("taskId").and_then(Value::as_str) {
        Some(task) if !task.is_empty() => task.to_string(),
        _ => cell(line, "source"),
    };
    let message = line.get("message").and_then(Value::as_str).unwrap_or_default();
    format!("{} {:<5} [{task}] {message}", cell(line, "time"), cell(line, "level"))
}

fn read_logs(client: &Client, id: &str, after: i64, wait_ms: u32) -> Result<Reply, CliError> {
    let mut query = vec![("after", after.to_string()), ("limit", LOG_PAGE.to_string())];
    if wait_ms > 0 {
        query.push(("waitMs", wait_ms.to_string()));
    }
    client.get(&format!("/instances/{id}/logs"), &query)
}

fn logs(client: &Client, json: bool, id: &str, follow: bool) -> Result<(), CliError> {
    let mut after = 0;
    if !follow {
        let mut first = true;
        loop {
            let reply = read_logs(client, id, after, 0)?;
            let (count, next) = print_page(json, &reply, after, first)?;
            first = false;
            after = next;
            if count < LOG_PAGE {
                return Ok(());
            }
        }
    }
    // The status is read before the log: once the instance has ended, one
    // more read gets every line written before the end.
    let mut caught_up = true;
    loop {
        let ended = caught_up && {
            let status = client.get(&format!("/instances/{id}/status"), &[])?;
            status.json.get("status").and_then(Value::as_str).is_some_and(|s| FINAL.contains(&s))
        };
        let reply = read_logs(client, id, after, if ended { 0 } else { FOLLOW_WAIT_MS })?;
        let (count, next) = print_page(json, &reply, after, false)?;
        after = next;
        if ended && count < LOG_PAGE {
            return Ok(());
        }
        caught_up = count < LOG_PAGE;
    }
}

#[cfg(test)]
mod tests {
    use super::log_line;
    use serde_json::json;

    #[test]
    fn log_lines_read_like_a_log() {
        let server = json!({"seq": 1, "time": 0, "level": "INFO", "taskId": "", "source": "server", "message": "hi"});
        assert_eq!(log_line(&server), "1970-01-01T00:00:00.000Z INFO  [server] hi");
        let task = json!({"seq": 2, "time": 1, "level": "ERROR", "taskId": "0.3", "source": "guest", "message": "x"});
        assert_eq!(log_line(&task), "1970-01-01T00:00:00.001Z ERROR [0.3] x");
    }
}
