//! SHELL and PYTHON: a script from the parameters (its text, or an
//! http(s) URL to fetch it from), run as a child process in a process
//! group and a temporary directory of its own, with a clean environment.
//! Its stdout and stderr go to the online log line by line as it runs;
//! exit code 0 is success; the result carries the tail of its output. A
//! stop, a time limit or the end of the script ends the whole process
//! group: nothing the script started outlives its task.

use super::config::OfficialConfig;
use super::{Ended, Official, Outcome, Run, Task};
use serde::Deserialize;
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::Command;
use wasmjob_runtime::ProcessGroup;
use wasmjob_runtime::{LogLevel, LogSource};

/// Lines of output kept for the result.
const TAIL_LINES: usize = 20;
/// Bytes of output kept for the result.
const TAIL_BYTES: usize = 4096;
/// Longest log line, in bytes: a longer one is split, so a script that
/// never writes a newline cannot grow the worker's memory.
const MAX_LINE: usize = 8192;
/// Lines one script may send to the online log; what follows is counted
/// and reported in one last line, so a runaway script cannot flood the
/// server's log store.
const MAX_LOG_LINES: usize = 1_000_000;

/// Which interpreter runs the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Shell,
    Python,
}

/// A SHELL or PYTHON processor.
#[derive(Debug)]
pub(crate) struct Script {
    language: Language,
    interpreter: String,
    max_bytes: usize,
    http: reqwest::Client,
}

/// The JSON form of the parameters (the plain form is the script, or one
/// line with its URL).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    script: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Where a script is.
#[derive(Debug)]
enum Source {
    Text(String),
    Url(String),
}

/// Reads the parameters: a JSON object with `script` or `url`, one line
/// with an http(s) URL, or else the script's text itself.
fn locate(params: &str) -> Result<Source, String> {
    let trimmed = params.trim();
    let (script, url) = if trimmed.starts_with('{') {
        let p: Params = super::params::json(params, r#"{"script":"echo hi"} or {"url":"https://host/job.sh"}"#)?;
        (p.script, p.url)
    } else if !trimmed.contains('\n') && (trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        (None, Some(trimmed.to_string()))
    } else {
        (Some(params.to_string()), None)
    };
    match (script, url) {
        (Some(script), None) if !script.trim().is_empty() => Ok(Source::Text(script)),
        (None, Some(url)) if url.starts_with("http://") || url.starts_with("https://") => Ok(Source::Url(url)),
        (None, Some(url)) => Err(format!("cannot fetch the script from `{url}`: only http and https URLs are fetched")),
        _ => Err("give the script's text, or its http(s) URL, as the job's parameters".into()),
    }
}

/// Checks parameters without running anything.
pub(crate) fn check(params: &str) -> Result<(), String> {
    locate(params).map(|_| ())
}

impl Script {
    pub(crate) fn shell(config: &OfficialConfig) -> Self {
        Self::new(Language::Shell, &config.shell, config)
    }

    pub(crate) fn python(config: &OfficialConfig) -> Self {
        Self::new(Language::Python, &config.python, config)
    }

    fn new(language: Language, interpreter: &str, config: &OfficialConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            .connect_timeout(config.fetch_timeout.min(Duration::from_secs(10)))
            .build()
            .unwrap_or_default();
        Self { language, interpreter: interpreter.to_string(), max_bytes: config.max_script_bytes, http }
    }

    /// The script's text: given, or fetched.
    async fn source(&self, params: &str) -> Result<String, String> {
        match locate(params)? {
            Source::Text(script) => Ok(script),
            Source::Url(url) => self.fetch(&url).await,
        }
    }

    async fn fetch(&self, url: &str) -> Result<String, String> {
        let failed = |why: String| format!("cannot fetch the script from {url}: {why}");
        let mut response = self.http.get(url).send().await.map_err(|e| failed(wasmjob_runtime::error_chain(&e)))?;
        if !response.status().is_success() {
            return Err(failed(format!("the server answered {}", response.status())));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failed(wasmjob_runtime::error_chain(&e)))? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(failed(format!("the script is larger than {} bytes", self.max_bytes)));
            }
            bytes.extend_from_slice(&chunk);
        }
        String::from_utf8(bytes).map_err(|_| failed("the script is not UTF-8 text".into()))
    }

    async fn execute(&self, task: &Task<'_>) -> Outcome {
        let source = self.source(task.params).await?;
        let dir = tempfile::Builder::new()
            .prefix("wasmjob-script-")
            .tempdir()
            .map_err(|e| format!("cannot create the script's directory: {e}"))?;
        let file = dir.path().join(if self.language == Language::Python { "job.py" } else { "job.sh" });
        std::fs::write(&file, source).map_err(|e| format!("cannot write the script: {e}"))?;
        let mut command = Command::new(&self.interpreter);
        command
            .arg(&file)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()))
            .env("HOME", dir.path())
            .env("TMPDIR", dir.path())
            .env("LANG", "C.UTF-8")
            .env("WASMJOB_JOB_ID", task.spec.job_id.to_string())
            .env("WASMJOB_INSTANCE_ID", task.spec.instance_id.to_string())
            .env("WASMJOB_TASK_ID", &task.spec.task_id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| format!("cannot start `{}`: {e}", self.interpreter))?;
        // The child leads its own group: the guard ends the whole group
        // however the task ends (done, stopped, timed out, abandoned).
        let _group = child.id().map(ProcessGroup);
        let tail = Arc::new(Mutex::new(Tail::default()));
        let out = pump(child.stdout.take(), task, LogSource::Stdout, tail.clone());
        let err = pump(child.stderr.take(), task, LogSource::Stderr, tail.clone());
        let waited = async {
            let status = child.wait().await;
            // Background processes the script left behind would hold its
            // output open: end them, then read what is left.
            if let Some(group) = &_group {
                group.kill();
            }
            status
        };
        let (status, (), ()) = tokio::join!(waited, out, err);
        let status = status.map_err(|e| format!("cannot wait for the script: {e}"))?;
        let (tail, dropped) = {
            let tail = tail.lock().unwrap_or_else(|p| p.into_inner());
            (tail.text(), tail.dropped)
        };
        if dropped > 0 {
            task.log(
                LogLevel::Warn,
                LogSource::Host,
                &format!("{dropped} more lines of output were not logged: a script may log {MAX_LOG_LINES} lines"),
            );
        }
        let ended = match status.code() {
            Some(0) => Ended::new(true, if tail.is_empty() { "exit code 0".to_string() } else { tail }),
            Some(code) => Ended::new(false, with_tail(format!("exit code {code}"), &tail)),
            None => {
                use std::os::unix::process::ExitStatusExt;
                let signal = status.signal().unwrap_or_default();
                Ended::new(false, with_tail(format!("killed by signal {signal}"), &tail))
            }
        };
        Ok(ended)
    }
}

impl Official for Script {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(self.execute(task))
    }
}

fn with_tail(head: String, tail: &str) -> String {
    if tail.is_empty() { head } else { format!("{head}; output: {tail}") }
}

/// The last lines of output, for the result, and how many lines went to
/// the log.
#[derive(Debug, Default)]
struct Tail {
    lines: VecDeque<String>,
    bytes: usize,
    logged: usize,
    dropped: usize,
}

impl Tail {
    /// Counts a line against the log's cap: true if it may be logged.
    fn admit(&mut self) -> bool {
        if self.logged < MAX_LOG_LINES {
            self.logged += 1;
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    fn push(&mut self, line: &str) {
        self.bytes += line.len();
        self.lines.push_back(line.to_string());
        while self.lines.len() > TAIL_LINES || (self.bytes > TAIL_BYTES && self.lines.len() > 1) {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.len();
            }
        }
    }

    fn text(&self) -> String {
        let text = self.lines.iter().map(String::as_str).collect::<Vec<_>>().join("\n");
        wasmjob_runtime::truncate(&text, TAIL_BYTES).into_owned()
    }
}

/// Sends a pipe's lines to the log as they come, keeping the tail.
async fn pump(pipe: Option<impl AsyncRead + Unpin>, task: &Task<'_>, source: LogSource, tail: Arc<Mutex<Tail>>) {
    let Some(pipe) = pipe else { return };
    let mut reader = BufReader::new(pipe);
    let mut buffer = Vec::new();
    let level = if source == LogSource::Stderr { LogLevel::Warn } else { LogLevel::Info };
    loop {
        buffer.clear();
        match (&mut reader).take(MAX_LINE as u64).read_until(b'\n', &mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&buffer);
        let line = text.trim_end_matches(['\n', '\r']);
        let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
        if tail.admit() {
            task.log(level, source, line);
        }
        tail.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_takes_a_bounded_number_of_lines_and_counts_the_rest() {
        let mut tail = Tail { logged: MAX_LOG_LINES - 1, ..Tail::default() };
        assert!(tail.admit());
        assert!(!tail.admit());
        assert!(!tail.admit());
        assert_eq!((tail.logged, tail.dropped), (MAX_LOG_LINES, 2));
    }

    #[test]
    fn the_tail_keeps_the_last_lines_within_its_size() {
        let mut tail = Tail::default();
        for n in 0..100 {
            tail.push(&format!("line {n}"));
        }
        assert_eq!(tail.text().lines().next(), Some("line 80"));
        assert!(tail.text().ends_with("line 99"));
        tail.push(&"x".repeat(10_000));
        assert!(tail.text().len() <= TAIL_BYTES + 64, "{}", tail.text().len());
    }
}
