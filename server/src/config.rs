//! Server configuration, in one place: defaults, then a TOML file, then
//! `WASMJOB_*` environment variables, then command-line flags (each layer
//! overrides the one before). See `docs/configuration.md`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server reads at start.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct ServerConfig {
    /// Address the HTTP API and console listen on.
    pub listen: SocketAddr,
    /// Directory for the embedded database and local files.
    pub data_dir: PathBuf,
    /// `sqlite://…`, `postgres://…` or `mysql://…`; default: a SQLite file
    /// `wasmjob.db` in the data directory.
    pub database_url: Option<String>,
    /// Password of the `admin` account created at first start; generated
    /// (and printed once) when absent.
    pub admin_password: Option<String>,
    /// Lifetime of API tokens, in hours.
    pub token_ttl_hours: u64,
    /// IANA time zone of jobs that name none; empty for the machine's.
    pub time_zone: String,
    /// How often workers send a heartbeat, in milliseconds.
    pub heartbeat_interval_ms: u64,
    /// A worker silent this long is lost: its instances fail or are
    /// retried elsewhere.
    pub worker_timeout_ms: u64,
    /// A trigger fired later than this (the server was down) is a misfire,
    /// handled by the job's misfire policy.
    pub misfire_threshold_ms: u64,
    /// Instance log lines are deleted after this many days.
    pub log_retention_days: u64,
    /// Where component artifacts are kept: `[artifact_store]` with `kind`
    /// `local` (default), `s3` or `memory`; see docs/configuration.md.
    pub artifact_store: crate::containers::ArtifactStoreConfig,
    /// Versions kept per container: older ones are pruned after each new
    /// version, except the deployed one and those a job names by label.
    pub container_versions_kept: u64,
    /// Inspections (`POST /apps/{id}/containers/inspect`) each app may ask
    /// for a minute; beyond, the answer is 429 with `Retry-After`.
    pub inspections_per_minute: u32,
    /// Builds from git: `[builds]`, off unless `enabled`.
    pub builds: crate::containers::BuildConfig,
    /// Logins: `[login]`, the throttle of failed attempts and the bound on
    /// logins waiting for a password check.
    pub login: crate::auth::LoginConfig,
    /// The web console's build (a directory with `index.html`), served at
    /// `/`; default: `console-web/dist` under the working directory, then
    /// next to a checkout's `target/{debug,release}`, then
    /// `/usr/share/wasmjob/console`.
    pub console_dir: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 7700)),
            data_dir: PathBuf::from(".wasmjob"),
            database_url: None,
            admin_password: None,
            token_ttl_hours: 24,
            time_zone: String::new(),
            heartbeat_interval_ms: 1000,
            worker_timeout_ms: 30_000,
            misfire_threshold_ms: 5000,
            log_retention_days: 7,
            artifact_store: crate::containers::ArtifactStoreConfig::default(),
            container_versions_kept: 20,
            inspections_per_minute: 30,
            builds: crate::containers::BuildConfig::default(),
            login: crate::auth::LoginConfig::default(),
            console_dir: None,
        }
    }
}

/// Never print secrets: the database URL may carry a password too.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url().split(['@', '?']).next_back())
            .field("admin_password", &self.admin_password.as_ref().map(|_| "<set>"))
            .field("token_ttl_hours", &self.token_ttl_hours)
            .field("time_zone", &self.time_zone)
            .field("heartbeat_interval_ms", &self.heartbeat_interval_ms)
            .field("worker_timeout_ms", &self.worker_timeout_ms)
            .field("misfire_threshold_ms", &self.misfire_threshold_ms)
            .field("log_retention_days", &self.log_retention_days)
            // Its Debug redacts the S3 secret key and session token.
            .field("artifact_store", &self.artifact_store)
            .field("container_versions_kept", &self.container_versions_kept)
            .field("inspections_per_minute", &self.inspections_per_minute)
            // Its Debug redacts the credential key.
            .field("builds", &self.builds)
            .field("login", &self.login)
            .field("console_dir", &self.console_dir)
            .finish()
    }
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl ServerConfig {
    /// Loads defaults ← `file` (when given) ← `WASMJOB_*` variables ←
    /// `overrides` (flags that were set).
    pub fn load(file: Option<&Path>, overrides: &impl Serialize) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(ServerConfig::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!("{} does not exist", file.display())));
            }
            figment = figment.merge(Toml::file(file));
        }
        let config: ServerConfig = figment
            .merge(Env::prefixed("WASMJOB_").only(&ENV_KEYS))
            .merge(crate::containers::ArtifactStoreConfig::env())
            .merge(Env::prefixed("WASMJOB_BUILDS__").map(|key| format!("builds.{key}").into()))
            .merge(Env::prefixed("WASMJOB_LOGIN__").map(|key| format!("login.{key}").into()))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.token_ttl_hours == 0 || self.token_ttl_hours > 24 * 365 {
            return Err(ConfigError("token_ttl_hours must be between 1 and 8760".into()));
        }
        if wasmjob_schedule::parse_time_zone(&self.time_zone).is_err() {
            return Err(ConfigError(format!(
                "time_zone `{}` is not an IANA time zone such as `Asia/Shanghai`",
                self.time_zone
            )));
        }
        if !(100..=60_000).contains(&self.heartbeat_interval_ms) {
            return Err(ConfigError("heartbeat_interval_ms must be between 100 and 60000".into()));
        }
        if self.worker_timeout_ms < 2 * self.heartbeat_interval_ms || self.worker_timeout_ms > 600_000 {
            return Err(ConfigError(
                "worker_timeout_ms must be at least twice heartbeat_interval_ms and at most 600000".into(),
            ));
        }
        if !(1..=365_000).contains(&self.log_retention_days) {
            return Err(ConfigError("log_retention_days must be at least 1".into()));
        }
        self.artifact_store.validate().map_err(|e| ConfigError(e.to_string()))?;
        if !(1..=100_000).contains(&self.container_versions_kept) {
            return Err(ConfigError("container_versions_kept must be between 1 and 100000".into()));
        }
        if !(1..=100_000).contains(&self.inspections_per_minute) {
            return Err(ConfigError("inspections_per_minute must be between 1 and 100000".into()));
        }
        if !(1..=86_400).contains(&self.builds.timeout_secs) || !(1..=64).contains(&self.builds.concurrency) {
            return Err(ConfigError("builds.timeout_secs must be 1 to 86400 and builds.concurrency 1 to 64".into()));
        }
        let b = &self.builds;
        if !(1..=86_400).contains(&b.cpu_secs)
            || !(256..=1 << 20).contains(&b.memory_mib)
            || !(16..=100_000).contains(&b.max_processes)
            || !(1..=1 << 20).contains(&b.max_file_mib)
        {
            return Err(ConfigError(
                "builds.cpu_secs must be 1 to 86400, builds.memory_mib 256 to 1048576, builds.max_processes 16 to \
                 100000 and builds.max_file_mib 1 to 1048576"
                    .into(),
            ));
        }
        if b.bubblewrap.is_empty() || b.uid == 0 || b.gid == 0 {
            return Err(ConfigError(
                "builds.bubblewrap must be set, and builds.uid and builds.gid must not be 0".into(),
            ));
        }
        self.login.validate().map_err(ConfigError)?;
        if let Some(url) = &self.database_url
            && !["sqlite:", "postgres:", "postgresql:", "mysql:", "mariadb:"].iter().any(|p| url.starts_with(p))
        {
            return Err(ConfigError("database_url must start with sqlite:, postgres: or mysql:".into()));
        }
        Ok(())
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.replacen("mariadb:", "mysql:", 1),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("wasmjob.db").display()),
        }
    }
}

/// The keys environment variables may set (`WASMJOB_LISTEN`, …).
const ENV_KEYS: [&str; 13] = [
    "listen",
    "data_dir",
    "database_url",
    "admin_password",
    "token_ttl_hours",
    "time_zone",
    "heartbeat_interval_ms",
    "worker_timeout_ms",
    "misfire_threshold_ms",
    "log_retention_days",
    "container_versions_kept",
    "inspections_per_minute",
    "console_dir",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wasmjob.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:8000\"\ntoken_ttl_hours = 5\n").unwrap();
        let flags = serde_json::json!({ "token_ttl_hours": 7 });
        let config = ServerConfig::load(Some(&file), &flags).unwrap();
        assert_eq!(config.listen.port(), 8000);
        assert_eq!(config.token_ttl_hours, 7);
    }

    #[test]
    fn the_console_dir_comes_from_the_file_or_a_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wasmjob.toml");
        std::fs::write(&file, "console_dir = \"/srv/console\"\n").unwrap();
        let config = ServerConfig::load(Some(&file), &serde_json::json!({})).unwrap();
        assert_eq!(config.console_dir.as_deref(), Some(Path::new("/srv/console")));
        let config = ServerConfig::load(Some(&file), &serde_json::json!({"console_dir": "build"})).unwrap();
        assert_eq!(config.console_dir.as_deref(), Some(Path::new("build")));
        assert_eq!(ServerConfig::default().console_dir, None);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wasmjob.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:8000\"\n").unwrap();
        let err = ServerConfig::load(Some(&file), &serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
        let err = ServerConfig::load(None, &serde_json::json!({"database_url": "oracle://x"})).unwrap_err();
        assert!(err.to_string().contains("database_url"), "{err}");
    }

    #[test]
    fn login_limits_come_from_the_file_or_the_environment_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wasmjob.toml");
        std::fs::write(&file, "[login]\nmax_failures_per_name = 3\nlockout_secs = 10\n").unwrap();
        let config = ServerConfig::load(Some(&file), &serde_json::json!({})).unwrap();
        assert_eq!((config.login.max_failures_per_name, config.login.lockout_secs), (3, 10));
        assert_eq!(config.login.max_failures_per_address, crate::auth::LoginConfig::default().max_failures_per_address);
        std::fs::write(&file, "[login]\nlockout_secs = 0\n").unwrap();
        let err = ServerConfig::load(Some(&file), &serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("login.lockout_secs"), "{err}");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let config = ServerConfig {
            admin_password: Some("hunter2".into()),
            database_url: Some("postgres://u:pw@db/x".into()),
            builds: crate::containers::BuildConfig {
                secret_key: Some("c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE=".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("hunter2") && !text.contains("pw"), "{text}");
        assert!(!text.contains("c2VjcmV0") && text.contains("secret_key: Some(\"<set>\")"), "{text}");
    }
}
