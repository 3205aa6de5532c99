//! FILE_CLEANUP (broadcast; off unless the worker enables it): deletes the
//! files under each `dirPath` whose name matches `filePattern` (a regular
//! expression over the whole name) and that were last modified more than
//! `retentionTime` hours ago. Only under the directories the worker allows
//! (`cleanup_roots`; none by default), never `/`: each `dirPath` is
//! resolved (`..` and symbolic links) and must lie under one of them, or
//! the job deletes nothing. Symbolic links are neither followed nor
//! deleted, and each file's directory is resolved again before the file
//! goes. The result says what went.

use super::config::OfficialConfig;
use super::{Ended, Official, Outcome, Run, Task};
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use wasmjob_runtime::{LogLevel, LogSource};

/// Removed files named in the log at most.
const NAMED: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Rule {
    dir_path: PathBuf,
    file_pattern: String,
    /// Hours.
    retention_time: f64,
}

const EXAMPLE: &str = r#"[{"dirPath":"/var/log/app","filePattern":".*\\.log","retentionTime":72}]"#;

/// Decodes and checks the rules, compiling their patterns.
fn parse(params: &str) -> Result<Vec<(Rule, Regex)>, String> {
    let rules: Vec<Rule> = super::params::json(params, EXAMPLE)?;
    if rules.is_empty() {
        return Err(format!("no rules: give at least one, e.g. {EXAMPLE}"));
    }
    rules
        .into_iter()
        .map(|rule| {
            if !rule.dir_path.is_absolute() {
                return Err(format!("dirPath `{}` is not an absolute path", rule.dir_path.display()));
            }
            if is_filesystem_root(&rule.dir_path) {
                return Err(format!(
                    "dirPath `{}` is the filesystem's root: it is never cleaned",
                    rule.dir_path.display()
                ));
            }
            if !rule.retention_time.is_finite() || rule.retention_time < 0.0 {
                return Err(format!(
                    "retentionTime of `{}` must be a number of hours, 0 or more",
                    rule.dir_path.display()
                ));
            }
            let pattern = Regex::new(&format!("^(?:{})$", rule.file_pattern))
                .map_err(|e| format!("filePattern `{}` is not a regular expression: {e}", rule.file_pattern))?;
            Ok((rule, pattern))
        })
        .collect()
}

/// Checks parameters without running anything.
pub(crate) fn check(params: &str) -> Result<(), String> {
    parse(params).map(|_| ())
}

/// Whether `path` is `/` once `..` and symbolic links are resolved (as
/// far as it exists).
fn is_filesystem_root(path: &Path) -> bool {
    let resolved = path.canonicalize().unwrap_or_else(|_| lexical(path));
    resolved.parent().is_none()
}

/// `path` with `.` and `..` taken away without looking at the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The FILE_CLEANUP processor.
#[derive(Debug)]
pub(crate) struct FileCleanup {
    /// The directories jobs may clean under, as configured.
    roots: Vec<PathBuf>,
}

#[derive(Debug, Default)]
struct Tally {
    files: u64,
    bytes: u64,
    errors: u64,
}

impl FileCleanup {
    /// The processor with the configuration's allowed directories; `/` and
    /// relative paths are refused.
    pub(crate) fn new(config: &OfficialConfig) -> crate::Result<Self> {
        for root in &config.cleanup_roots {
            if !root.is_absolute() {
                return Err(crate::ConfigError(format!(
                    "the file cleanup root `{}` is not an absolute path",
                    root.display()
                )));
            }
            if is_filesystem_root(root) {
                return Err(crate::ConfigError(format!(
                    "the file cleanup root `{}` is the filesystem's root: name the directories jobs may clean",
                    root.display()
                )));
            }
        }
        Ok(Self { roots: config.cleanup_roots.clone() })
    }

    /// The allowed directories that exist, resolved.
    fn resolved_roots(&self) -> Vec<PathBuf> {
        self.roots.iter().filter_map(|root| root.canonicalize().ok()).filter(|r| r.parent().is_some()).collect()
    }

    /// `dir` resolved, if it lies under one of `roots`; else why not.
    fn confine(&self, dir: &Path, roots: &[PathBuf]) -> Result<(PathBuf, PathBuf), String> {
        let real = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
        if real.parent().is_none() {
            return Err(format!("dirPath `{}` is the filesystem's root: it is never cleaned", dir.display()));
        }
        match roots.iter().find(|root| real.starts_with(root)) {
            Some(root) => Ok((real, root.clone())),
            None => {
                let allowed: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
                Err(format!(
                    "dirPath `{}` (resolved: {}) is not under a directory this worker allows cleaning ({}); \
                     nothing was removed",
                    dir.display(),
                    real.display(),
                    allowed.join(", ")
                ))
            }
        }
    }

    fn clean(&self, task: &Task<'_>) -> Outcome {
        let rules = parse(task.params)?;
        if self.roots.is_empty() {
            return Err("this worker allows file cleanup under no directory: start it with --cleanup-root DIR \
                        (the worker configuration's cleanup_roots) naming the directories jobs may clean"
                .into());
        }
        let roots = self.resolved_roots();
        // Every rule is checked before anything is removed.
        let mut sweeps = Vec::new();
        for (rule, pattern) in &rules {
            if !rule.dir_path.is_dir() {
                let note = format!("{} is not a directory here: nothing to clean", rule.dir_path.display());
                task.log(LogLevel::Warn, LogSource::Host, &note);
                continue;
            }
            let (real, root) = self.confine(&rule.dir_path, &roots)?;
            let cutoff = SystemTime::now() - Duration::from_secs_f64(rule.retention_time * 3600.0);
            sweeps.push((real, root, pattern, cutoff));
        }
        let mut tally = Tally::default();
        for (dir, root, pattern, cutoff) in sweeps {
            let sweep = Sweep { root: &root, pattern, cutoff, task };
            sweep.dir(&dir, &mut tally);
        }
        let msg =
            format!("removed {} files ({} bytes); {} could not be removed", tally.files, tally.bytes, tally.errors);
        Ok(Ended::new(tally.errors == 0, msg))
    }
}

/// One rule's walk through its directory.
struct Sweep<'a> {
    /// The allowed directory (resolved) the walk stays under.
    root: &'a Path,
    pattern: &'a Regex,
    cutoff: SystemTime,
    task: &'a Task<'a>,
}

impl Sweep<'_> {
    /// Whether `dir` still resolves to itself under the root. A directory
    /// swapped for a symbolic link during the walk resolves elsewhere: it
    /// is counted as an error, logged and left alone.
    fn in_place(&self, dir: &Path, tally: &mut Tally) -> bool {
        if dir.canonicalize().is_ok_and(|real| real == dir && real.starts_with(self.root)) {
            return true;
        }
        tally.errors += 1;
        self.task.log(LogLevel::Warn, LogSource::Host, &format!("{} moved during the cleanup: skipped", dir.display()));
        false
    }

    fn dir(&self, dir: &Path, tally: &mut Tally) {
        if !self.in_place(dir, tally) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                tally.errors += 1;
                self.task.log(LogLevel::Warn, LogSource::Host, &format!("cannot read {}: {e}", dir.display()));
                return;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
            if meta.is_dir() {
                self.dir(&path, tally);
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let name = entry.file_name();
            let old = meta.modified().is_ok_and(|m| m < self.cutoff);
            if !old || !self.pattern.is_match(&name.to_string_lossy()) {
                continue;
            }
            if !self.in_place(dir, tally) {
                return;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tally.files += 1;
                    tally.bytes += meta.len();
                    if tally.files as usize <= NAMED {
                        self.task.log(LogLevel::Info, LogSource::Host, &format!("removed {}", path.display()));
                    }
                }
                Err(e) => {
                    tally.errors += 1;
                    self.task.log(LogLevel::Warn, LogSource::Host, &format!("cannot remove {}: {e}", path.display()));
                }
            }
        }
    }
}

impl Official for FileCleanup {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(async move { self.clean(task) })
    }
}
