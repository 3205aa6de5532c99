//! `wasmjob instance`: list, get, stop, cancel and retry instances, and read or follow their logs.

use super::output::{self, Table};
use super::{CliError, Client, ClientOpts, Reply, parse_id};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::process::ExitCode;
use wasmjob_server::instances::StatusReply;
use wasmjob_server::instances::logs::{LogLine, LogPage};
use wasmjob_server::instances::model::{Instance, InstancePage};

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
        InstanceCommand::Stop { id } => client.post_empty(&format!("/instances/{id}/stop"))?,
        InstanceCommand::Cancel { id } => client.post_empty(&format!("/instances/{id}/cancel"))?,
        InstanceCommand::Retry { id } => client.post_empty(&format!("/instances/{id}/retry"))?,
        InstanceCommand::Logs { id, follow } => return logs(client, json, id, *follow),
    };
    if json {
        return output::raw(&reply);
    }
    output::lines(&render(&command, &reply)?)
}

/// What a command other than `logs` prints, from the server's answer.
fn render(command: &InstanceCommand, reply: &Reply) -> Result<String, CliError> {
    match command {
        InstanceCommand::List { .. } => Ok(list(&reply.parse()?)),
        InstanceCommand::Get { .. } => detail(&reply.parse()?),
        InstanceCommand::Stop { .. } | InstanceCommand::Cancel { .. } | InstanceCommand::Retry { .. } => {
            let instance: Instance = reply.parse()?;
            Ok(format!("Instance {} is {}.", instance.id, output::name(&instance.status)))
        }
        InstanceCommand::Logs { .. } => Ok(String::new()),
    }
}

/// An instance's fields, its task counts on one line, and the workers
/// that took part as a table.
fn detail(instance: &Instance) -> Result<String, CliError> {
    let mut shown = serde_json::to_value(instance).map_err(|e| CliError::Failed(e.to_string()))?;
    if let Some(shown) = shown.as_object_mut() {
        shown.remove("workers");
        if let Some(tasks) = &instance.progress.tasks {
            let line = format!(
                "{} total, {} waiting, {} running, {} succeeded, {} failed",
                tasks.total, tasks.waiting, tasks.running, tasks.succeeded, tasks.failed
            );
            shown.insert("tasks".into(), Value::String(line));
        }
    }
    let fields = output::fields(&shown, INSTANCE_FIELDS)?;
    let workers = &instance.progress.workers;
    if workers.is_empty() {
        return Ok(fields);
    }
    let mut table = Table::new(&["WORKER", "ROLE", "STATE", "RUNNING", "SUCCEEDED", "FAILED"]);
    for w in workers {
        let role = if w.coordinator { "coordinator" } else { "participant" };
        table.row(vec![
            output::one_line(&w.address),
            role.into(),
            output::one_line(&w.state),
            w.running.to_string(),
            w.succeeded.to_string(),
            w.failed.to_string(),
        ]);
    }
    Ok(format!("{fields}\n\n{}", table.render()))
}

fn list(page: &InstancePage) -> String {
    let mut table = Table::new(&["ID", "JOB", "STATUS", "TRIGGER", "RUNS", "DUE", "FINISHED", "RESULT"]);
    for i in &page.items {
        table.row(vec![
            i.id.to_string(),
            i.job_id.to_string(),
            output::name(&i.status),
            output::name(&i.trigger_type),
            i.running_times.to_string(),
            output::iso_time(i.expected_trigger_time),
            output::opt_time(i.finished_time),
            output::one_line(&i.result),
        ]);
    }
    let footer = output::footer(page.total, page.page, page.size, page.items.len(), "instance");
    format!("{}\n{footer}", table.render())
}

/// Prints a page of log lines; returns how many there were and the
/// position to read on from.
fn print_page(json: bool, reply: &Reply, print_empty: bool) -> Result<(usize, i64), CliError> {
    let page: LogPage = reply.parse()?;
    if json {
        if print_empty || !page.lines.is_empty() {
            output::raw(reply)?;
        }
    } else if !page.lines.is_empty() {
        output::lines(&page.lines.iter().map(log_line).collect::<Vec<_>>().join("\n"))?;
    }
    Ok((page.lines.len(), page.next))
}

/// `<time> <LEVEL> [task] message`; server lines name their source.
fn log_line(line: &LogLine) -> String {
    let task = if line.task_id.is_empty() { output::one_line(&line.source) } else { line.task_id.clone() };
    format!("{} {:<5} [{task}] {}", output::iso_time(line.time), output::one_line(&line.level), line.message)
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
            let (count, next) = print_page(json, &reply, first)?;
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
            let reply = client.get(&format!("/instances/{id}/status"), &[])?;
            let StatusReply { status } = reply.parse()?;
            status.is_final()
        };
        let reply = read_logs(client, id, after, if ended { 0 } else { FOLLOW_WAIT_MS })?;
        let (count, next) = print_page(json, &reply, false)?;
        after = next;
        if ended && count < LOG_PAGE {
            return Ok(());
        }
        caught_up = count < LOG_PAGE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::jobs::tests::{CRON_JOB, app};
    use crate::client::testing::{TestServer, assert_fields_exist, field_rows};
    use serde_json::json;
    use wasmjob_wire::{TaskTally, WorkerShare};

    #[test]
    fn every_command_reads_the_servers_answer() {
        let server = TestServer::start();
        let client = server.admin();
        let app = app(&client, "instances");
        let mut spec: Value = serde_json::from_str(CRON_JOB).unwrap();
        spec["enabled"] = json!(false);
        let job: wasmjob_server::jobs::model::Job =
            client.post(&format!("/apps/{app}/jobs"), &spec).and_then(|r| r.parse()).unwrap();
        let run = json!({"instanceParams": "{}", "delayMs": 600_000});
        let instance: Instance = client.post(&format!("/jobs/{}/run", job.id), &run).and_then(|r| r.parse()).unwrap();
        let id = instance.id.to_string();

        let list = InstanceCommand::List { app: app.clone(), job: None, status: None, page: None, size: None };
        let listed = render(&list, &request_of(&client, &list)).unwrap();
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines.len(), 3, "{listed}");
        let row: Vec<&str> = lines[1].split("  ").filter(|c| !c.is_empty()).map(str::trim).collect();
        let due = output::iso_time(instance.expected_trigger_time);
        let runs = instance.running_times.to_string();
        let expected = [id.as_str(), &job.id.to_string(), "WAITING_DISPATCH", "API", &runs, &due, "-"];
        assert_eq!(row, expected, "{listed}");
        assert_eq!(lines[2], "1 of 1 instance, page 0 (size 20)");

        let get = InstanceCommand::Get { id: id.clone() };
        let reply = request_of(&client, &get);
        assert_fields_exist(&reply, INSTANCE_FIELDS);
        let rows = field_rows(&render(&get, &reply).unwrap());
        let names: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[..INSTANCE_FIELDS.len()], *INSTANCE_FIELDS);
        assert_eq!(rows[3], ("status".to_string(), "WAITING_DISPATCH".to_string()));
        assert_eq!(rows[7], ("expectedTriggerTime".to_string(), due.clone()));

        let page: LogPage = read_logs(&client, &id, 0, 0).unwrap().parse().unwrap();
        let text: Vec<String> = page.lines.iter().map(log_line).collect();
        assert!(text[0].contains(" INFO  [server] run requested through the API, due in 600000 ms"), "{text:?}");
        assert!(text[0].starts_with(&output::iso_time(page.lines[0].time)), "{text:?}");

        for (command, status) in [
            (InstanceCommand::Stop { id: id.clone() }, "STOPPED"),
            (InstanceCommand::Retry { id: id.clone() }, "WAITING_DISPATCH"),
            (InstanceCommand::Cancel { id: id.clone() }, "CANCELED"),
        ] {
            let said = render(&command, &request_of(&client, &command)).unwrap();
            assert_eq!(said, format!("Instance {id} is {status}."));
        }
    }

    /// The answer to `command` (not `logs`).
    fn request_of(client: &Client, command: &InstanceCommand) -> Reply {
        match command {
            InstanceCommand::List { app, .. } => client.get(&format!("/apps/{app}/instances"), &[]),
            InstanceCommand::Get { id } => client.get(&format!("/instances/{id}"), &[]),
            InstanceCommand::Stop { id } => client.post_empty(&format!("/instances/{id}/stop")),
            InstanceCommand::Cancel { id } => client.post_empty(&format!("/instances/{id}/cancel")),
            InstanceCommand::Retry { id } => client.post_empty(&format!("/instances/{id}/retry")),
            InstanceCommand::Logs { .. } => unreachable!("logs are read page by page"),
        }
        .unwrap()
    }

    #[test]
    fn distributed_instances_show_their_tasks_and_workers() {
        let server = TestServer::start();
        let client = server.admin();
        let app = app(&client, "progress");
        let spec = json!({"name": "m", "timeExpressionType": "API", "executeType": "MAP", "processorType": "WASM", "processorInfo": "x"});
        let job: wasmjob_server::jobs::model::Job =
            client.post(&format!("/apps/{app}/jobs"), &spec).and_then(|r| r.parse()).unwrap();
        let run = json!({"delayMs": 600_000});
        let mut instance: Instance =
            client.post(&format!("/jobs/{}/run", job.id), &run).and_then(|r| r.parse()).unwrap();
        // What a coordinator reports while the instance runs.
        instance.progress.tasks = Some(TaskTally { total: 5, waiting: 1, running: 2, succeeded: 1, failed: 1 });
        let share = |address: &str, coordinator| WorkerShare {
            address: address.into(),
            coordinator,
            state: "ACTIVE".into(),
            running: 1,
            succeeded: 2,
            failed: 0,
        };
        instance.progress.workers = vec![share("10.0.0.1:27777", true), share("10.0.0.2:27777", false)];
        let text = detail(&instance).unwrap();
        let (fields, workers) = text.split_once("\n\n").unwrap();
        let tasks = field_rows(fields).into_iter().find(|(k, _)| k == "tasks").unwrap().1;
        assert_eq!(tasks, "5 total, 1 waiting, 2 running, 1 succeeded, 1 failed");
        assert!(!fields.contains("workers"), "{fields}");
        let rows: Vec<&str> = workers.lines().collect();
        assert_eq!(rows[0], "WORKER          ROLE         STATE   RUNNING  SUCCEEDED  FAILED");
        assert_eq!(rows[1], "10.0.0.1:27777  coordinator  ACTIVE  1        2          0");
        assert_eq!(rows[2], "10.0.0.2:27777  participant  ACTIVE  1        2          0");
    }

    #[test]
    fn log_lines_read_like_a_log() {
        let line = |seq, time, level: &str, task_id: &str, source: &str, message: &str| LogLine {
            seq,
            time,
            level: level.into(),
            task_id: task_id.into(),
            source: source.into(),
            message: message.into(),
        };
        assert_eq!(log_line(&line(1, 0, "INFO", "", "server", "hi")), "1970-01-01T00:00:00.000Z INFO  [server] hi");
        assert_eq!(log_line(&line(2, 1, "ERROR", "0.3", "guest", "x")), "1970-01-01T00:00:00.001Z ERROR [0.3] x");
    }
}
