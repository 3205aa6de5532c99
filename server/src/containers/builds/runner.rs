//! One build from start to end: wait for a permit, clone, compile,
//! publish, record the outcome. Its log is written by a task of its own
//! in batches, and is complete before the build's final status is stored,
//! so a reader that sees the build ended and no more lines has it all.

use super::cancel::CancelSignal;
use super::compile::{Compilation, OutputLine, compile, fetch};
use super::git;
use super::model::{BuildStatus, Builder, Credentials, GitRef};
use super::sandbox::{Jail, Layout};
use super::store;
use crate::containers::routes::{MAX_COMPONENT_BYTES, Publication, publish_as};
use crate::db::Database;
use crate::error::ApiError;
use crate::ids::{Id, now_ms};
use crate::state::AppState;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;

/// Log lines written in one transaction, at most.
const LINES_PER_BATCH: usize = 200;
/// How long a line may wait to be written.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Everything one build needs, read when it was asked for.
#[derive(Debug)]
pub(super) struct BuildPlan {
    pub(super) build: Id,
    pub(super) app: Id,
    pub(super) container_id: Id,
    pub(super) container: String,
    pub(super) url: String,
    pub(super) reference: GitRef,
    pub(super) path: String,
    pub(super) builder: Builder,
    pub(super) credentials: Option<Credentials>,
    /// Whether the new version becomes the deployed one.
    pub(super) deploy: bool,
    pub(super) created_by: String,
}

/// Runs the build in the background.
pub(super) fn spawn(state: AppState, plan: BuildPlan) {
    tokio::spawn(run(state, plan));
}

/// What a build made.
struct Made {
    version: Id,
    label: String,
    reused: bool,
}

async fn run(state: AppState, plan: BuildPlan) {
    let (log, lines) = mpsc::channel::<OutputLine>(1024);
    let writer = tokio::spawn(write_log(state.db.clone(), plan.build, lines, state.builds.config().max_log_lines));
    let signal = state.builds.running.add(plan.build);
    let outcome = execute(&state, &plan, &log, &signal).await;
    state.builds.running.remove(plan.build);
    let (status, version, message) = match &outcome {
        Ok(made) => {
            let message = if made.reused {
                format!("the container already holds these bytes as version `{}`", made.label)
            } else {
                format!("stored version `{}`", made.label)
            };
            (BuildStatus::Succeeded, Some((made.version, made.label.as_str())), message)
        }
        Err(why) => (BuildStatus::Failed, None, why.clone()),
    };
    note(
        &log,
        &format!("{}: {message}", if status == BuildStatus::Succeeded { "build succeeded" } else { "build failed" }),
    )
    .await;
    drop(log);
    let _ = writer.await;
    if let Err(e) = store::finish_build(&state.db, plan.build, status, version, &message).await {
        tracing::error!(build = %plan.build, error = %e, "cannot record a build's end");
    }
    tracing::info!(build = %plan.build, container = %plan.container, status = status.as_str(), "build ended");
}

async fn note(log: &mpsc::Sender<OutputLine>, line: &str) {
    let _ = log.send(OutputLine { stream: "build", line: line.to_string() }).await;
}

/// Why a cancelled build ended.
pub(super) const CANCELLED: &str = "the build was cancelled";

async fn execute(
    state: &AppState,
    plan: &BuildPlan,
    log: &mpsc::Sender<OutputLine>,
    signal: &CancelSignal,
) -> Result<Made, String> {
    let builds = state.builds.clone();
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!(build = %plan.build, error = %e, "build");
        "the server failed to run the build (see its log)".to_string()
    };
    let _permit = tokio::select! {
        permit = builds.permits.clone().acquire_owned() => permit.map_err(|e| internal(&e))?,
        () = signal.raised() => return Err(CANCELLED.into()),
    };
    store::start_build(&state.db, plan.build).await.map_err(|e| internal(&e))?;
    // Cancelled before it started (through another server, or before
    // its signal existed).
    if store::status(&state.db, plan.build).await.map_err(|e| internal(&e))? != Some(BuildStatus::Running) {
        return Err(CANCELLED.into());
    }
    let timeout = Duration::from_secs(builds.config().timeout_secs);
    let deadline = tokio::time::Instant::now() + timeout;
    let shown = git::display_url(&plan.url);
    note(log, &format!("cloning {shown} ({} {})", plan.reference.kind.as_str().to_lowercase(), plan.reference.name))
        .await;
    super::hosts::check_resolved(&plan.url, &builds.config().allow_private_hosts).await?;
    std::fs::create_dir_all(builds.work_dir()).map_err(|e| internal(&e))?;
    let work = tempfile::Builder::new().prefix("build-").tempdir_in(builds.work_dir()).map_err(|e| internal(&e))?;
    let (src, home) = (work.path().join("src"), work.path().join("home"));
    std::fs::create_dir_all(&home).map_err(|e| internal(&e))?;

    let cancel = signal.flag().clone();
    let alarm = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline).await;
            cancel.store(true, Ordering::Relaxed);
        })
    };
    let cloned = {
        let (url, reference, credentials, src, cancel) =
            (plan.url.clone(), plan.reference.clone(), plan.credentials.clone(), src.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || git::clone(&url, &reference, credentials.as_ref(), &src, &cancel)).await
    };
    alarm.abort();
    let checkout = match cloned.map_err(|e| internal(&e))? {
        Err(_) if signal.is_raised() && tokio::time::Instant::now() < deadline => return Err(CANCELLED.into()),
        Err(_) if cancel.load(Ordering::Relaxed) => {
            return Err(format!("the build took longer than its limit of {} s", timeout.as_secs()));
        }
        other => other?,
    };
    note(log, &format!("checked out {} \"{}\"", checkout.commit, checkout.summary)).await;
    store::set_commit(&state.db, plan.build, &checkout.commit).await.map_err(|e| internal(&e))?;

    let crate_dir = src.join(&plan.path);
    // The path is checked to stay inside the clone; a symbolic link in
    // the repository must not lead out of it either.
    let inside = std::fs::canonicalize(&crate_dir)
        .ok()
        .zip(std::fs::canonicalize(&src).ok())
        .is_some_and(|(dir, root)| dir.starts_with(root));
    if !inside {
        return Err(format!("the repository has no directory `{}`", plan.path));
    }
    let layout = Layout {
        src: src.clone(),
        target: builds.target_dir(plan.container_id),
        home,
        cargo_home: builds.cargo_home(),
    };
    let jail = builds.jail();
    jail.prepare(&layout).map_err(|e| internal(&e))?;
    jail.probe(&layout).await?;
    if let Jail::Unsandboxed = jail {
        note(log, "warning: this server runs builds WITHOUT a sandbox (`[builds] unsandboxed = true`)").await;
    }
    let builder = super::compile::resolve_builder(plan.builder, &crate_dir);
    let job = Compilation { crate_dir: &crate_dir, layout: &layout, jail, builder, cargo: &builds.config().cargo };
    let over = || format!("the build took longer than its limit of {} s", timeout.as_secs());
    note(log, "fetching dependencies (cargo fetch, outside the repository's configuration)").await;
    let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
    tokio::select! {
        fetched = fetch(&job, remaining, log) => fetched.map_err(|e| if tokio::time::Instant::now() >= deadline { over() } else { e })?,
        // Dropping the command kills its process group.
        () = signal.raised() => return Err(CANCELLED.into()),
    };
    let confinement = match jail {
        Jail::Sandboxed(_) => "in the sandbox, without network",
        Jail::Unsandboxed => "without a sandbox",
    };
    note(log, &format!("compiling with {} ({confinement})", builder.as_str())).await;
    let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
    let wasm = tokio::select! {
        built = compile(&job, remaining, log) => built.map_err(|e| if tokio::time::Instant::now() >= deadline { over() } else { e })?,
        // Dropping the compilation kills the compiler's process group.
        () = signal.raised() => return Err(CANCELLED.into()),
    };
    let bytes = std::fs::read(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(format!("the component is larger than {} MiB", MAX_COMPONENT_BYTES >> 20));
    }
    note(log, &format!("built {} ({} bytes); validating it as an upload", file_name(&wasm), bytes.len())).await;
    // A cancel through another server reaches this one through the database.
    if store::status(&state.db, plan.build).await.map_err(|e| internal(&e))? != Some(BuildStatus::Running) {
        return Err(CANCELLED.into());
    }
    let publication = Publication {
        app: plan.app,
        container: &plan.container,
        label: Some(checkout.commit.clone()),
        source: serde_json::json!({
            "type": "GIT",
            "url": shown,
            "reference": plan.reference,
            "path": plan.path,
            "commit": checkout.commit,
            "build": plan.build.to_string(),
        }),
        created_by: plan.created_by.clone(),
    };
    match publish_as(state, publication, bytes.into(), plan.deploy).await {
        Ok((status, version)) => {
            Ok(Made { version: version.id, label: version.label, reused: status == axum::http::StatusCode::OK })
        }
        Err(ApiError::Validation(problems)) => Err(format!(
            "the built component was refused: {}",
            problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; ")
        )),
        Err(ApiError::Conflict { message, .. }) => Err(message),
        Err(other) => Err(internal(&other)),
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Writes a build's lines in batches until the channel closes; past
/// `max_lines`, counts instead.
async fn write_log(db: Database, build: Id, mut lines: mpsc::Receiver<OutputLine>, max_lines: usize) {
    let mut batch: Vec<(i64, OutputLine)> = Vec::new();
    let (mut kept, mut dropped) = (0usize, 0usize);
    let mut open = true;
    while open {
        let flush_at = tokio::time::Instant::now() + FLUSH_EVERY;
        while batch.len() < LINES_PER_BATCH {
            match tokio::time::timeout_at(flush_at, lines.recv()).await {
                Ok(Some(line)) if kept < max_lines || line.stream == "build" => {
                    kept += 1;
                    batch.push((now_ms() as i64, line));
                }
                Ok(Some(_)) => dropped += 1,
                Ok(None) => {
                    open = false;
                    break;
                }
                Err(_) => break,
            }
        }
        if !open && dropped > 0 {
            let line = format!("{dropped} more lines of output were not kept (a build keeps {max_lines})");
            batch.push((now_ms() as i64, OutputLine { stream: "build", line }));
        }
        if batch.is_empty() {
            continue;
        }
        let rows: Vec<(i64, &str, &str)> = batch.iter().map(|(at, l)| (*at, l.stream, l.line.as_str())).collect();
        if let Err(e) = store::append_log(&db, build, &rows).await {
            tracing::warn!(%build, error = %e, "cannot store build log lines");
        }
        batch.clear();
    }
}
