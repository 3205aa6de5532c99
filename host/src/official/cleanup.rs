//! FILE_CLEANUP (broadcast; off unless the worker enables it): deletes the
//! files under each `dirPath` whose name matches `filePattern` (a regular
//! expression over the whole name) and that were last modified more than
//! `retentionTime` hours ago. Symbolic links are neither followed nor
//! deleted. The result says what went.

use super::{Ended, Official, Outcome, Run, Task};
use crate::logs::{LogLevel, LogSource};
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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

/// The FILE_CLEANUP processor.
#[derive(Debug)]
pub(crate) struct FileCleanup;

#[derive(Debug, Default)]
struct Tally {
    files: u64,
    bytes: u64,
    errors: u64,
}

impl FileCleanup {
    fn clean(task: &Task<'_>) -> Outcome {
        let rules = parse(task.params)?;
        let mut tally = Tally::default();
        for (rule, pattern) in &rules {
            let cutoff = SystemTime::now() - Duration::from_secs_f64(rule.retention_time * 3600.0);
            if !rule.dir_path.is_dir() {
                let note = format!("{} is not a directory here: nothing to clean", rule.dir_path.display());
                task.log(LogLevel::Warn, LogSource::Host, &note);
                continue;
            }
            sweep(&rule.dir_path, pattern, cutoff, task, &mut tally);
        }
        let msg =
            format!("removed {} files ({} bytes); {} could not be removed", tally.files, tally.bytes, tally.errors);
        Ok(Ended::new(tally.errors == 0, msg))
    }
}

fn sweep(dir: &Path, pattern: &Regex, cutoff: SystemTime, task: &Task<'_>, tally: &mut Tally) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            tally.errors += 1;
            task.log(LogLevel::Warn, LogSource::Host, &format!("cannot read {}: {e}", dir.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            sweep(&path, pattern, cutoff, task, tally);
            continue;
        }
        if !meta.is_file() {
            continue;
        }
        let name = entry.file_name();
        let old = meta.modified().is_ok_and(|m| m < cutoff);
        if !old || !pattern.is_match(&name.to_string_lossy()) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tally.files += 1;
                tally.bytes += meta.len();
                if tally.files as usize <= NAMED {
                    task.log(LogLevel::Info, LogSource::Host, &format!("removed {}", path.display()));
                }
            }
            Err(e) => {
                tally.errors += 1;
                task.log(LogLevel::Warn, LogSource::Host, &format!("cannot remove {}: {e}", path.display()));
            }
        }
    }
}

impl Official for FileCleanup {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(async move { Self::clean(task) })
    }
}
