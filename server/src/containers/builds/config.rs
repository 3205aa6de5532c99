//! How the server builds components from git: off unless enabled (a build
//! runs the repository's build scripts on the server's machine), with a
//! time limit, a number of builds at once, and the key that seals
//! credentials.

use serde::{Deserialize, Serialize};

/// The `[builds]` section of the server's configuration.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct BuildConfig {
    /// Whether containers may be built from git on this server. A build
    /// runs code from the repository (build scripts, procedural macros) as
    /// the server's user: enable it only where the apps' users are
    /// trusted that far. `wasmjob standalone` enables it.
    pub enabled: bool,
    /// Whether `file://` URLs and local paths may be built (for tests and
    /// single-user machines: they read the server's own disk).
    pub allow_local_repositories: bool,
    /// A build (clone and compile) is killed after this many seconds.
    pub timeout_secs: u64,
    /// Builds running at once; more wait their turn.
    pub concurrency: usize,
    /// The cargo program.
    pub cargo: String,
    /// Lines of a build's log that are kept; the rest are counted.
    pub max_log_lines: usize,
    /// Base64 of 32 bytes that seal git credentials; every server of a
    /// cluster needs the same. Absent: `<data_dir>/secret.key`, created
    /// on first use.
    pub secret_key: Option<String>,
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            allow_local_repositories: false,
            timeout_secs: 900,
            concurrency: 1,
            cargo: "cargo".into(),
            max_log_lines: 20_000,
            secret_key: None,
        }
    }
}

/// Never print the key.
impl std::fmt::Debug for BuildConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildConfig")
            .field("enabled", &self.enabled)
            .field("allow_local_repositories", &self.allow_local_repositories)
            .field("timeout_secs", &self.timeout_secs)
            .field("concurrency", &self.concurrency)
            .field("cargo", &self.cargo)
            .field("max_log_lines", &self.max_log_lines)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}
