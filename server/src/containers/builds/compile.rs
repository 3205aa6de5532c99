//! Running cargo for a build, in the build's jail (`sandbox`): first
//! `cargo fetch` (the network, cargo alone, outside the repository so
//! none of its configuration applies), then `cargo build --release
//! --target wasm32-wasip2 --offline` or `cargo component build --release
//! --offline` in the crate (the repository's code runs, without the
//! network). Each runs in a process group of its own with a clean
//! environment, every output line sent to the build log as it comes, and
//! the whole group killed when the time limit passes or the build is
//! abandoned.

use super::model::Builder;
use super::sandbox::{Jail, Layout, Phase};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use wasmjob_runtime::ProcessGroup;

/// Longest log line kept, in bytes (a longer one is split).
const MAX_LINE: usize = 4096;

/// A line of the compiler's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OutputLine {
    /// `stdout` or `stderr`.
    pub(super) stream: &'static str,
    /// The text.
    pub(super) line: String,
}

/// What to compile, and how.
#[derive(Debug)]
pub(super) struct Compilation<'a> {
    /// The crate's directory (inside `layout.src`).
    pub(super) crate_dir: &'a Path,
    /// The build's directories.
    pub(super) layout: &'a Layout,
    /// Where cargo runs.
    pub(super) jail: &'a Jail,
    /// How.
    pub(super) builder: Builder,
    /// The cargo program.
    pub(super) cargo: &'a str,
}

/// The builder `auto` resolves to for a crate: cargo-component when its
/// manifest has a `[package.metadata.component]` table.
pub(super) fn resolve_builder(builder: Builder, crate_dir: &Path) -> Builder {
    if builder != Builder::Auto {
        return builder;
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap_or_default();
    if manifest.lines().any(|l| l.trim() == "[package.metadata.component]") {
        Builder::CargoComponent
    } else {
        Builder::Cargo
    }
}

/// Downloads the crate's dependencies into cargo's home, within `timeout`.
pub(super) async fn fetch(
    job: &Compilation<'_>,
    timeout: Duration,
    log: &mpsc::Sender<OutputLine>,
) -> Result<(), String> {
    if !job.crate_dir.join("Cargo.toml").is_file() {
        return Err("there is no Cargo.toml in the crate's directory".into());
    }
    let manifest = job.jail.inside(job.layout, &job.crate_dir.join("Cargo.toml"));
    let command = job.jail.command(
        Phase::Fetch,
        job.layout,
        &job.layout.home,
        job.cargo,
        &["fetch", "--manifest-path", &manifest],
    );
    run(command, job.cargo, timeout, log, None).await.map_err(|e| e.replace("the compiler", "cargo fetch"))
}

/// Runs the compiler within `timeout`; the component's path, or why
/// there is none.
pub(super) async fn compile(
    job: &Compilation<'_>,
    timeout: Duration,
    log: &mpsc::Sender<OutputLine>,
) -> Result<PathBuf, String> {
    let builder = resolve_builder(job.builder, job.crate_dir);
    let args: &[&str] = match builder {
        Builder::CargoComponent => &["component", "build", "--release", "--offline"],
        _ => &[
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--offline",
            "--message-format=json-render-diagnostics",
        ],
    };
    let command = job.jail.command(Phase::Compile, job.layout, job.crate_dir, job.cargo, args);
    let started = std::time::SystemTime::now();
    let artifacts = std::sync::Mutex::new(Vec::new());
    run(command, job.cargo, timeout, log, Some(&artifacts)).await?;
    let found = artifacts.into_inner().unwrap_or_else(|p| p.into_inner());
    match builder {
        Builder::CargoComponent => newest_wasm(&job.layout.target.join("wasm32-wasip1/release"), started),
        _ => found
            .last()
            .map(|wasm| job.jail.outside(job.layout, wasm))
            .ok_or_else(|| "the crate built no .wasm file: is it a `cdylib`?".into()),
    }
}

/// Runs `command` to its end, its output to the log (cargo's JSON
/// messages on stdout read for `.wasm` artifacts when `artifacts` is set).
async fn run(
    mut command: Command,
    program: &str,
    timeout: Duration,
    log: &mpsc::Sender<OutputLine>,
    artifacts: Option<&std::sync::Mutex<Vec<PathBuf>>>,
) -> Result<(), String> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let _group = child.id().map(ProcessGroup);
    let out = pump(child.stdout.take(), "stdout", log, artifacts);
    let err = pump(child.stderr.take(), "stderr", log, None);
    let run = async {
        let (status, (), ()) = tokio::join!(child.wait(), out, err);
        status
    };
    let status = match tokio::time::timeout(timeout, run).await {
        Ok(status) => status.map_err(|e| format!("cannot wait for the compiler: {e}"))?,
        Err(_) => return Err("the build took longer than its limit".into()),
    };
    if !status.success() {
        return Err(match status.code() {
            Some(code) => format!("the compiler failed (exit code {code}): see the build log"),
            None => "the compiler was killed".into(),
        });
    }
    Ok(())
}

/// The newest `.wasm` in `dir` written since `since`.
fn newest_wasm(dir: &Path, since: std::time::SystemTime) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(dir).map_err(|_| format!("the build left no {}", dir.display()))?;
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .filter(|(modified, _)| *modified >= since)
        .max()
        .map(|(_, path)| path)
        .ok_or_else(|| "the build wrote no .wasm file: is the crate a `cdylib`?".into())
}

/// Sends a pipe's lines to the log. On cargo's stdout (`artifacts` set)
/// JSON messages are read for the `.wasm` files they name, not logged.
async fn pump(
    pipe: Option<impl AsyncRead + Unpin>,
    stream: &'static str,
    log: &mpsc::Sender<OutputLine>,
    artifacts: Option<&std::sync::Mutex<Vec<PathBuf>>>,
) {
    let Some(pipe) = pipe else { return };
    let mut reader = BufReader::new(pipe);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        // JSON messages can be long: only the log's lines are bounded.
        let limit = if artifacts.is_some() { 1 << 20 } else { MAX_LINE as u64 };
        match (&mut reader).take(limit).read_until(b'\n', &mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&buffer);
        let line = text.trim_end_matches(['\n', '\r']);
        if let Some(artifacts) = artifacts
            && let Ok(message) = serde_json::from_str::<serde_json::Value>(line)
        {
            if let Some(wasm) = wasm_artifact(&message) {
                artifacts.lock().unwrap_or_else(|p| p.into_inner()).push(wasm);
            }
            continue;
        }
        let mut line = line.to_string();
        if line.len() > MAX_LINE {
            let mut end = MAX_LINE;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            line.truncate(end);
        }
        // A closed log (the build was abandoned) ends the pumping too.
        if log.send(OutputLine { stream, line }).await.is_err() {
            return;
        }
    }
}

/// The `.wasm` file a cargo `compiler-artifact` message names, if any.
fn wasm_artifact(message: &serde_json::Value) -> Option<PathBuf> {
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    message
        .get("filenames")?
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .find(|f| f.ends_with(".wasm"))
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_picks_cargo_component_only_for_its_metadata() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        assert_eq!(resolve_builder(Builder::Auto, dir.path()), Builder::Cargo);
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"a\"\n\n[package.metadata.component]\n")
            .unwrap();
        assert_eq!(resolve_builder(Builder::Auto, dir.path()), Builder::CargoComponent);
        assert_eq!(resolve_builder(Builder::Cargo, dir.path()), Builder::Cargo);
    }

    #[test]
    fn cargo_messages_name_the_wasm_artifact() {
        let message = serde_json::json!({"reason": "compiler-artifact",
            "filenames": ["/t/wasm32-wasip2/release/deps/x.d", "/t/wasm32-wasip2/release/x.wasm"]});
        assert_eq!(wasm_artifact(&message), Some(PathBuf::from("/t/wasm32-wasip2/release/x.wasm")));
        assert_eq!(wasm_artifact(&serde_json::json!({"reason": "build-finished"})), None);
    }
}
