//! `wasmjob new NAME --kind K [--lang rust|python] [--dir PATH]`: writes a
//! guest project from `wasmjob-templates` that builds as is, then prints
//! the commands that build, try and upload it.
//!
//! Exit codes: 0 when the project was written, 1 when it could not be
//! (the directory is not empty, a write failed), 2 for usage errors.

use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasmjob_templates::{Lang, TemplateFile};
use wasmjob_vocab::{ExecuteType, Word};

/// Arguments of `new`.
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The project's name, also its container's: 1 to 128 letters, digits,
    /// `.`, `_` or `-`, starting with a letter.
    #[arg(value_parser = parse_name)]
    name: String,
    /// Execution kind: standalone, broadcast, map or map-reduce.
    #[arg(long)]
    kind: ExecuteType,
    /// Language: rust (the guest SDK, built with cargo) or python
    /// (componentize-py).
    #[arg(long, default_value = "rust", value_parser = parse_lang)]
    lang: Lang,
    /// Where to write the project (default: ./NAME); it must not exist or
    /// be empty.
    #[arg(long)]
    dir: Option<PathBuf>,
}

fn parse_name(s: &str) -> Result<String, String> {
    wasmjob_templates::check_name(s).map(|name| name.name).map_err(|e| e.to_string())
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse().map_err(|e: wasmjob_templates::TemplateError| e.to_string())
}

/// `wasmjob new`.
pub fn run(args: NewArgs) -> ExitCode {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    match create(&args, &dir) {
        Ok(steps) => {
            let mut text =
                format!("created {} ({} processor in {})\n\nnext steps:\n", dir.display(), args.kind.flag(), args.lang);
            text.push_str(&format!("  cd {}\n", shell_word(&dir)));
            for step in steps {
                text.push_str(&format!("  {step}\n"));
            }
            text.push_str("\nsee README.md there for the job definition and the API\n");
            // A closed stdout is no reason to fail: the project is written.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {message}");
            ExitCode::from(1)
        }
    }
}

/// Renders and writes the project; returns the next steps.
fn create(args: &NewArgs, dir: &Path) -> Result<Vec<String>, String> {
    let files = wasmjob_templates::render(&args.name, args.kind, args.lang).map_err(|e| e.to_string())?;
    let steps = wasmjob_templates::next_steps(&args.name, args.kind, args.lang).map_err(|e| e.to_string())?;
    refuse_to_overwrite(dir)?;
    for file in &files {
        write(dir, file).map_err(|e| format!("cannot write {}: {e}", dir.join(&file.path).display()))?;
    }
    tracing::debug!(dir = %dir.display(), files = files.len(), "wrote a project");
    Ok(steps)
}

/// Fails unless `dir` is missing or an empty directory.
fn refuse_to_overwrite(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(format!("{} exists and is not empty: choose another --dir or remove it", dir.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(format!("{} exists and is not a directory", dir.display())),
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
    }
}

/// Writes one file, never over an existing one; scripts get mode 0755.
fn write(dir: &Path, file: &TemplateFile) -> std::io::Result<()> {
    let path = dir.join(&file.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if file.executable { 0o755 } else { 0o644 });
    }
    options.open(&path)?.write_all(file.contents.as_bytes())
}

/// The directory as a shell word: quoted when it holds anything but
/// plainly safe characters.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ',' | ':' | '@');
    if !text.is_empty() && text.chars().all(plain) { text } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(name: &str, kind: ExecuteType, lang: Lang, dir: &Path) -> NewArgs {
        NewArgs { name: name.into(), kind, lang, dir: Some(dir.to_path_buf()) }
    }

    #[test]
    fn writes_a_project_and_refuses_to_overwrite_it() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("demo");
        let steps = create(&args("demo", ExecuteType::MapReduce, Lang::Python, &dir), &dir).unwrap();
        assert!(steps.iter().any(|s| s == "./build.sh"), "{steps:?}");
        assert!(dir.join("app.py").is_file() && dir.join("wit/processor.wit").is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode("build.sh"), 0o755);
            assert_eq!(mode("app.py") & 0o111, 0);
        }
        let again = create(&args("demo", ExecuteType::Standalone, Lang::Rust, &dir), &dir).unwrap_err();
        assert!(again.contains("exists and is not empty"), "{again}");
        assert!(!dir.join("Cargo.toml").exists(), "nothing written into the existing project");
    }

    #[test]
    fn an_empty_directory_is_used_and_a_file_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        create(&args("demo", ExecuteType::Standalone, Lang::Rust, temp.path()), temp.path()).unwrap();
        assert!(temp.path().join("src/lib.rs").is_file());
        let file = temp.path().join("Cargo.toml");
        let refused = create(&args("demo", ExecuteType::Standalone, Lang::Rust, &file), &file).unwrap_err();
        assert!(refused.contains("is not a directory"), "{refused}");
    }

    #[test]
    fn arguments_are_checked_by_clap() {
        assert!(parse_name("1job").unwrap_err().contains("must start with a letter"));
        #[derive(clap::Parser)]
        struct New {
            #[command(flatten)]
            args: NewArgs,
        }
        let parse = |kind: &str| <New as clap::Parser>::try_parse_from(["new", "demo", "--kind", kind]);
        assert_eq!(parse("MAP_REDUCE").unwrap().args.kind, ExecuteType::MapReduce);
        assert_eq!(parse("map-reduce").unwrap().args.kind, ExecuteType::MapReduce);
        let refused = parse("basic").err().unwrap().to_string();
        assert!(refused.contains("standalone, broadcast, map or map-reduce"), "{refused}");
        assert!(parse_lang("go").is_err());
        assert_eq!(shell_word(Path::new("a/b-c")), "a/b-c");
        assert_eq!(shell_word(Path::new("my dir")), "'my dir'");
    }
}
