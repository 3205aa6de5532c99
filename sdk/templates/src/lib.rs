//! Project templates for wasmjob processors (PowerJob's "container
//! template"): [`render`] makes a guest project of one execution kind, in
//! Rust or Python, that builds as is on a machine with only crates.io or
//! PyPI; [`tar_gz`] packs it for a download.
//!
//! A project never points back into this repository. A Rust project
//! carries a copy of the guest SDK (`wasmjob-sdk/`, the sources of
//! `sdk/src` as they were when this crate was built) and of the processor
//! contract (`wit/`), and builds with `cargo build --release --target
//! wasm32-wasip2` against `wit-bindgen` from crates.io. A Python project
//! carries the contract and a `build.sh` that runs componentize-py from
//! PyPI. Both are embedded at compile time (see `build.rs`), so they are
//! always the current ones.
//!
//! ```
//! use wasmjob_templates::{ExecuteType, Lang, render, tar_gz};
//!
//! let files = render("report-exporter", ExecuteType::MapReduce, Lang::Rust).unwrap();
//! assert!(files.iter().any(|f| f.path == "src/lib.rs"));
//! let archive = tar_gz("report-exporter", &files).unwrap();
//! assert_eq!(&archive[..2], &[0x1f, 0x8b]);
//! ```

mod archive;
mod embedded;
mod name;
mod python;
mod rust;

pub use archive::tar_gz;
pub use name::{ProjectName, check_name};

use std::fmt;
use std::str::FromStr;
pub use wasmjob_vocab::ExecuteType;
use wasmjob_vocab::Word;

/// The language of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Rust with the wasmjob guest SDK (the default).
    #[default]
    Rust,
    /// Python with componentize-py.
    Python,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::Rust, Lang::Python];

    /// `rust` or `python`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = TemplateError;

    /// Accepts `rust` or `python`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.as_str() == wanted).ok_or_else(|| TemplateError::UnknownLang(s.to_string()))
    }
}

/// One file of a rendered project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// Where it goes, relative to the project's directory, with `/`
    /// separators (`src/lib.rs`).
    pub path: String,
    /// Its text.
    pub contents: String,
    /// Whether it is a script to mark executable (`build.sh`).
    pub executable: bool,
}

impl TemplateFile {
    fn new(path: impl Into<String>, contents: impl Into<String>) -> Self {
        Self { path: path.into(), contents: contents.into(), executable: false }
    }
}

/// Why a project cannot be rendered or packed.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The project name is not acceptable; the message says why and what
    /// would be.
    #[error("{0}")]
    InvalidName(String),
    /// Not one of the languages.
    #[error("`{0}` is not a template language: use rust or python")]
    UnknownLang(String),
    /// The archive could not be written.
    #[error("cannot write the archive: {0}")]
    Archive(#[from] std::io::Error),
}

/// Renders the project `name` of `kind` in `lang`: every file, with paths
/// relative to the project's directory. The name is checked with
/// [`check_name`].
pub fn render(name: &str, kind: ExecuteType, lang: Lang) -> Result<Vec<TemplateFile>, TemplateError> {
    let name = check_name(name)?;
    let files = match lang {
        Lang::Rust => rust::render(&name, kind),
        Lang::Python => python::render(&name, kind),
    };
    tracing::debug!(name = %name.name, %kind, %lang, files = files.len(), "rendered a project template");
    Ok(files)
}

/// Where a project's build writes its component, relative to the
/// project's directory: `target/wasm32-wasip2/release/<crate>.wasm` for
/// Rust, `<package>.wasm` for Python.
pub fn wasm_path(name: &str, lang: Lang) -> Result<String, TemplateError> {
    let name = check_name(name)?;
    Ok(match lang {
        Lang::Rust => rust::wasm_path(&name),
        Lang::Python => python::wasm_path(&name),
    })
}

/// The command that builds a project, run in its directory.
pub fn build_command(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "cargo build --release --target wasm32-wasip2",
        Lang::Python => "./build.sh",
    }
}

/// The commands that build, try and upload a project, run in its
/// directory, as its README gives them (`<APP_ID>` is for the user to
/// fill in).
pub fn next_steps(name: &str, kind: ExecuteType, lang: Lang) -> Result<Vec<String>, TemplateError> {
    let checked = check_name(name)?;
    let wasm = wasm_path(name, lang)?;
    let mut steps = Vec::new();
    if lang == Lang::Rust {
        steps.push("rustup target add wasm32-wasip2   # once".to_string());
    }
    steps.push(build_command(lang).to_string());
    steps.push(format!("wasmjob run-local {wasm} --kind {} {}", kind.flag(), common::run_args(kind)));
    steps.push(format!("wasmjob container push {wasm} --app <APP_ID> --name {}", checked.name));
    Ok(steps)
}

/// Example job params for the kind's template, as `run-local --params`
/// and a job's `jobParams` take them.
pub fn example_params(kind: ExecuteType) -> &'static str {
    match kind {
        ExecuteType::Standalone => r#"{"name":"wasmjob"}"#,
        ExecuteType::Broadcast => r#"{"minWorkers":2}"#,
        ExecuteType::Map | ExecuteType::MapReduce => r#"{"end":1000,"batchSize":100}"#,
    }
}

/// What a template has in common whatever its language.
pub(crate) mod common {
    use super::{ExecuteType, ProjectName, TemplateFile, example_params};
    use wasmjob_vocab::Word;

    /// The `wit/` files of the contract.
    pub(crate) fn wit_files() -> Vec<TemplateFile> {
        crate::embedded::WIT_FILES.iter().map(|(path, text)| TemplateFile::new(format!("wit/{path}"), *text)).collect()
    }

    /// `run-local` arguments after `--kind` for the README.
    pub(crate) fn run_args(kind: ExecuteType) -> String {
        let workers = match kind {
            ExecuteType::Standalone => "",
            ExecuteType::Broadcast => " --workers 3",
            ExecuteType::Map | ExecuteType::MapReduce => " --workers 4",
        };
        format!("--params '{}'{workers}", example_params(kind))
    }

    /// What `run-local` answers to [`run_args`], in words for the README.
    pub(crate) fn expected(kind: ExecuteType) -> &'static str {
        match kind {
            ExecuteType::Standalone => r#"`"msg":"hello, wasmjob"`"#,
            ExecuteType::Broadcast => r#"`"msg":"3 of 3 workers present"`"#,
            ExecuteType::Map => r#"`"msg":"all 11 tasks succeeded"`"#,
            ExecuteType::MapReduce => r#"`"msg":"{\"primes\":168,\"batches\":10,\"failed\":0}"`"#,
        }
    }

    /// A job definition that runs the uploaded container, for the README.
    pub(crate) fn job_json(name: &ProjectName, kind: ExecuteType) -> String {
        let params = example_params(kind).replace('"', "\\\"");
        format!(
            "{{\n  \"name\": \"{name}\",\n  \"timeExpressionType\": \"API\",\n  \"executeType\": \"{}\",\n  \
             \"processorType\": \"WASM\",\n  \"processorInfo\": \"{name}\",\n  \"jobParams\": \"{params}\"\n}}",
            kind.name(),
            name = name.name,
        )
    }

    /// Replaces every `{{key}}` of `template`; a key left unreplaced is a
    /// bug in the template, caught by the tests.
    pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
        let mut text = template.to_string();
        for (key, value) in values {
            text = text.replace(&format!("{{{{{key}}}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests;
