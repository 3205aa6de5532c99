//! The API client commands (`login`, `app`, `job`, `instance`, `container`): shared flags, errors and exit codes.
//!
//! Exit codes: 0 on success, 1 when the server refused or could not be
//! reached, 2 for usage errors (bad flags or files, not logged in).

pub mod apps;
pub mod builds;
mod config;
pub mod containers;
mod http;
pub mod instances;
pub mod jobs;
pub mod login;
mod output;
#[cfg(test)]
mod testing;

use clap::Args;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub use http::{Client, Reply};

const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Flags shared by the `app`, `job` and `instance` commands.
#[derive(Args, Debug, Clone)]
pub struct ClientOpts {
    /// Print the server's JSON response as it came.
    #[arg(long, global = true)]
    pub json: bool,
    /// The server's URL; must be the one `wasmjob login` stored (the token is never sent elsewhere).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
}

/// Why a client command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad flags or input files: exit 2.
    Usage(String),
    /// No usable login is stored: exit 2.
    NotLoggedIn(String),
    /// The server answered with an error: exit 1.
    Api {
        /// The server's sentence.
        message: String,
        /// `(field, message)` pairs.
        fields: Vec<(String, String)>,
        /// What to do about it, when the client knows.
        hint: Option<String>,
    },
    /// The server could not be reached: exit 1.
    Connect {
        /// The URL tried.
        server: String,
        /// Why it failed.
        detail: String,
    },
    /// Anything else: exit 1.
    Failed(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Usage(m) | CliError::NotLoggedIn(m) | CliError::Failed(m) => f.write_str(m),
            CliError::Api { message, fields, .. } => {
                f.write_str(message)?;
                for (field, problem) in fields {
                    write!(f, "; {field}: {problem}")?;
                }
                Ok(())
            }
            CliError::Connect { server, detail } => write!(f, "cannot reach {server}: {detail}"),
        }
    }
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::NotLoggedIn(_) => EXIT_USAGE,
            CliError::Api { .. } | CliError::Connect { .. } | CliError::Failed(_) => EXIT_FAILED,
        }
    }

    fn report(&self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            CliError::Usage(message) | CliError::NotLoggedIn(message) | CliError::Failed(message) => {
                writeln!(out, "error: {message}")
            }
            CliError::Api { message, fields, hint } => {
                writeln!(out, "error: {message}")?;
                for (field, problem) in fields {
                    writeln!(out, "  {field}: {}", problem.trim_end().replace('\n', "\n    "))?;
                }
                if let Some(hint) = hint {
                    writeln!(out, "hint: {hint}")?;
                }
                Ok(())
            }
            CliError::Connect { server, detail } => {
                writeln!(out, "error: cannot reach the server at {server}: {detail}")
            }
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::Failed(format!("cannot write the output: {error}"))
    }
}

/// The exit code of a client command; errors go to stderr.
pub fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = error.report(&mut stderr);
            ExitCode::from(error.exit_code())
        }
    }
}

/// Checks an id argument (a decimal number) before it goes into a URL.
pub fn parse_id(s: &str) -> Result<String, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= 0 && !s.starts_with('+') => Ok(n.to_string()),
        _ => Err(format!("`{s}` is not an id (ids are decimal numbers)")),
    }
}

/// A JSON document from a file, or from stdin for `-`.
pub fn read_json_file(path: &Path) -> Result<serde_json::Value, CliError> {
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| CliError::Usage(format!("cannot read stdin: {e}")))?;
        ("stdin".to_string(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
        (path.display().to_string(), text)
    };
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{name} is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn ids_are_decimal_numbers() {
        assert_eq!(parse_id("7406093445840896").unwrap(), "7406093445840896");
        assert!(parse_id("12a").is_err());
        assert!(parse_id("../apps").is_err());
        assert!(parse_id("-1").is_err());
        assert!(parse_id("+1").is_err());
    }
}
