//! Which official processors a worker runs, and their settings.

use super::sql_kinds::SqlKind;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use wasmjob_vocab::{ProcessorType, Word};

/// The capability of workers that run SQL on a connection URL the job
/// gives.
pub const SQL_DYNAMIC: &str = "SQL_DYNAMIC";

/// An official processor kind, or a power one may enable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OfficialKind {
    /// Shell scripts (off unless enabled).
    Shell,
    /// Python scripts (off unless enabled).
    Python,
    /// HTTP requests.
    Http,
    /// SQL on the worker's named datasources.
    Sql,
    /// SQL on a connection URL the job gives (off unless enabled).
    SqlDynamic,
    /// Deleting old files (broadcast; off unless enabled).
    FileCleanup,
    /// Receiving a pushed configuration (broadcast).
    Config,
    /// Appending to the workflow context.
    InjectWorkflowContext,
}

impl OfficialKind {
    /// Every kind.
    pub const ALL: [OfficialKind; 8] = [
        Self::Shell,
        Self::Python,
        Self::Http,
        Self::Sql,
        Self::SqlDynamic,
        Self::FileCleanup,
        Self::Config,
        Self::InjectWorkflowContext,
    ];

    /// Kinds a worker runs unless told otherwise: none that runs code or
    /// deletes files.
    pub const DEFAULT: [OfficialKind; 4] = [Self::Http, Self::Sql, Self::Config, Self::InjectWorkflowContext];

    /// The job's `processorType` this kind runs (`SQL_DYNAMIC` runs SQL).
    pub fn processor_type(self) -> ProcessorType {
        match self {
            Self::Shell => ProcessorType::Shell,
            Self::Python => ProcessorType::Python,
            Self::Http => ProcessorType::Http,
            Self::Sql | Self::SqlDynamic => ProcessorType::Sql,
            Self::FileCleanup => ProcessorType::FileCleanup,
            Self::Config => ProcessorType::Config,
            Self::InjectWorkflowContext => ProcessorType::InjectWorkflowContext,
        }
    }

    /// The capability a worker advertises for this kind: its processor
    /// type's name, or `SQL_DYNAMIC`, by which the server routes SQL jobs
    /// that bring their own connection URL.
    pub fn capability(self) -> &'static str {
        match self {
            Self::SqlDynamic => SQL_DYNAMIC,
            kind => kind.processor_type().name(),
        }
    }

    /// The name `--enable` takes.
    pub fn flag(self) -> &'static str {
        match self {
            Self::Shell => "shell",
            Self::Python => "python",
            Self::Http => "http",
            Self::Sql => "sql",
            Self::SqlDynamic => "sql-dynamic",
            Self::FileCleanup => "file-cleanup",
            Self::Config => "config",
            Self::InjectWorkflowContext => "inject-workflow-context",
        }
    }
}

impl fmt::Display for OfficialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag())
    }
}

impl FromStr for OfficialKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|k| k.flag() == wanted).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.flag()).collect();
            format!("unknown processor kind `{s}`: expected one of {}", names.join(", "))
        })
    }
}

/// A named SQL datasource. Its URL holds credentials: it is never logged
/// or printed.
#[derive(Clone)]
pub struct Datasource {
    /// The name jobs use (`datasource` in their params).
    pub name: String,
    /// `sqlite:...`, `postgres://...` or `mysql://...`.
    pub url: String,
}

impl fmt::Debug for Datasource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Datasource").field("name", &self.name).field("url", &"<redacted>").finish()
    }
}

/// The official processors a worker runs, and how.
#[derive(Debug, Clone)]
pub struct OfficialConfig {
    /// Kinds on top of [`OfficialKind::DEFAULT`].
    pub enable: Vec<OfficialKind>,
    /// Default kinds to leave off.
    pub disable: Vec<OfficialKind>,
    /// The interpreter PYTHON jobs run with.
    pub python: String,
    /// The shell SHELL jobs run with.
    pub shell: String,
    /// Largest script fetched from a URL, in bytes.
    pub max_script_bytes: usize,
    /// How long fetching a script may take.
    pub fetch_timeout: Duration,
    /// Named SQL datasources.
    pub datasources: Vec<Datasource>,
    /// Kinds of SQL statements refused (read by a parser of the
    /// database's dialect); by default [`SqlKind::DEFAULT_REFUSED`]. Empty:
    /// statements are not checked at all.
    pub sql_refuse: Vec<SqlKind>,
    /// Only queries run, each job's in a read-only transaction (SQLite:
    /// `PRAGMA query_only`).
    pub sql_read_only: bool,
    /// Rows of a result `showResult` puts in the log at most.
    pub sql_max_rows: usize,
    /// Where CONFIG jobs' configuration is also written, if anywhere.
    pub config_file: Option<PathBuf>,
    /// The directories FILE_CLEANUP jobs may delete files under (absolute;
    /// never `/`). None by default: a FILE_CLEANUP job is refused until
    /// the worker names some.
    pub cleanup_roots: Vec<PathBuf>,
}

impl Default for OfficialConfig {
    fn default() -> Self {
        Self {
            enable: Vec::new(),
            disable: Vec::new(),
            python: "python3".into(),
            shell: "/bin/sh".into(),
            max_script_bytes: 1 << 20,
            fetch_timeout: Duration::from_secs(30),
            datasources: Vec::new(),
            sql_refuse: SqlKind::DEFAULT_REFUSED.to_vec(),
            sql_read_only: false,
            sql_max_rows: 100,
            config_file: None,
            cleanup_roots: Vec::new(),
        }
    }
}

impl OfficialConfig {
    /// The kinds the worker runs, in a stable order.
    pub fn enabled(&self) -> Vec<OfficialKind> {
        let mut kinds: Vec<OfficialKind> =
            OfficialKind::DEFAULT.into_iter().chain(self.enable.iter().copied()).collect();
        kinds.retain(|k| !self.disable.contains(k));
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powerful_kinds_are_off_unless_enabled() {
        let config = OfficialConfig::default();
        let enabled = config.enabled();
        assert!(enabled.contains(&OfficialKind::Http) && enabled.contains(&OfficialKind::Sql));
        for off in [OfficialKind::Shell, OfficialKind::Python, OfficialKind::SqlDynamic, OfficialKind::FileCleanup] {
            assert!(!enabled.contains(&off), "{off} is off by default");
        }
        let config = OfficialConfig {
            enable: vec!["shell".parse().unwrap(), "SQL_DYNAMIC".parse().unwrap()],
            disable: vec![OfficialKind::Http],
            ..OfficialConfig::default()
        };
        let enabled = config.enabled();
        assert!(enabled.contains(&OfficialKind::Shell) && enabled.contains(&OfficialKind::SqlDynamic));
        assert!(!enabled.contains(&OfficialKind::Http));
        assert!("bash".parse::<OfficialKind>().unwrap_err().contains("expected one of shell, python"));
    }

    #[test]
    fn datasource_urls_never_print() {
        let source = Datasource { name: "reports".into(), url: "postgres://u:s3cret@db/r".into() };
        let text = format!("{source:?}");
        assert!(text.contains("reports") && !text.contains("s3cret"), "{text}");
    }
}
