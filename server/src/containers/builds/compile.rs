//! Compiling a checked-out crate into a component, as a child process:
//! `cargo build --release --target wasm32-wasip2` or `cargo component
//! build --release`, in a process group of its own, with a clean
//! environment (the toolchain's locations, a `HOME` in the build's own
//! directory, nothing of the server's), every output line sent to the
//! build log as it comes, and the whole group killed when the time limit
//! passes or the build is abandoned.

use super::model::Builder;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use wasmjob_host::ProcessGroup;

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
    /// The crate's directory.
    pub(super) crate_dir: &'a Path,
    /// The cargo target directory (kept between builds of a container).
    pub(super) target_dir: &'a Path,
    /// A private, empty directory: the build's `HOME` and `TMPDIR`.
    pub(super) home: &'a Path,
    /// How.
    pub(super) builder: Builder,
    /// The cargo program.
    pub(super) cargo: &'a str,
    /// The time limit.
    pub(super) timeout: Duration,
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

/// Runs the compiler; the component's path, or why there is none.
pub(super) async fn compile(job: &Compilation<'_>, log: &mpsc::Sender<OutputLine>) -> Result<PathBuf, String> {
    if !job.crate_dir.join("Cargo.toml").is_file() {
        return Err("there is no Cargo.toml in the crate's directory".into());
    }
    let builder = resolve_builder(job.builder, job.crate_dir);
    let mut command = Command::new(job.cargo);
    match builder {
        Builder::CargoComponent => command.args(["component", "build", "--release"]),
        _ => command.args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--message-format=json-render-diagnostics",
        ]),
    };
    command
        .current_dir(job.crate_dir)
        .env_clear()
        .envs(toolchain_env())
        .env("HOME", job.home)
        .env("TMPDIR", job.home)
        .env("CARGO_TARGET_DIR", job.target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let started = std::time::SystemTime::now();
    let mut child = command.spawn().map_err(|e| format!("cannot start `{}`: {e}", job.cargo))?;
    let _group = child.id().map(ProcessGroup);
    let artifacts = std::sync::Mutex::new(Vec::new());
    let out = pump(child.stdout.take(), "stdout", log, Some(&artifacts));
    let err = pump(child.stderr.take(), "stderr", log, None);
    let run = async {
        let (status, (), ()) = tokio::join!(child.wait(), out, err);
        status
    };
    let status = match tokio::time::timeout(job.timeout, run).await {
        Ok(status) => status.map_err(|e| format!("cannot wait for the compiler: {e}"))?,
        Err(_) => return Err(format!("the build took longer than its limit of {} s", job.timeout.as_secs())),
    };
    if !status.success() {
        return Err(match status.code() {
            Some(code) => format!("the compiler failed (exit code {code}): see the build log"),
            None => "the compiler was killed".into(),
        });
    }
    let found = artifacts.into_inner().unwrap_or_else(|p| p.into_inner());
    match builder {
        Builder::CargoComponent => newest_wasm(&job.target_dir.join("wasm32-wasip1/release"), started),
        _ => found.last().cloned().ok_or_else(|| "the crate built no .wasm file: is it a `cdylib`?".into()),
    }
}

/// The toolchain's locations, kept from the server's environment (a
/// rustup install finds its toolchains through them even with another
/// `HOME`).
fn toolchain_env() -> Vec<(&'static str, std::ffi::OsString)> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut env = vec![("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()))];
    for (name, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        let value = std::env::var_os(name).or_else(|| home.as_ref().map(|h| h.join(default).into_os_string()));
        if let Some(value) = value {
            env.push((name, value));
        }
    }
    if let Some(toolchain) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        env.push(("RUSTUP_TOOLCHAIN", toolchain));
    }
    env
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
