//! How the server builds components from git: off unless enabled, in a
//! sandbox (see `sandbox`) unless an administrator explicitly says
//! otherwise, with a time limit, resource limits, a number of builds at
//! once, who may set a source, and the key that seals credentials.

use serde::{Deserialize, Serialize};

/// The `[builds]` section of the server's configuration.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct BuildConfig {
    /// Whether containers may be built from git on this server. A build
    /// runs code from the repository (build scripts, procedural macros);
    /// it does so in a sandbox (see `unsandboxed`).
    pub enabled: bool,
    /// Whether apps (their tokens) may set or change a container's git
    /// source. Off: only administrators may; apps may still start builds
    /// of a source an administrator set.
    pub apps_may_set_sources: bool,
    /// Whether `file://` URLs and local paths may be built (for tests and
    /// single-user machines: they read the server's own disk).
    pub allow_local_repositories: bool,
    /// Hosts (names or addresses, exactly as in the URL) that a source may
    /// name although they are, or resolve to, loopback, private or
    /// link-local addresses. Empty: none.
    pub allow_private_hosts: Vec<String>,
    /// Runs builds without a sandbox, as the server's own user, with its
    /// view of the disk and the network. Only for machines where every
    /// app's users are trusted with the server; logged loudly.
    pub unsandboxed: bool,
    /// The bubblewrap program that sandboxes builds.
    pub bubblewrap: String,
    /// The user and group a sandboxed build runs as when the server runs
    /// as root (otherwise it runs as the server's user inside a user
    /// namespace).
    pub uid: u32,
    /// See `uid`.
    pub gid: u32,
    /// CPU seconds each process of a build may use.
    pub cpu_secs: u64,
    /// Address space of each process of a build, in MiB.
    pub memory_mib: u64,
    /// Processes the build's user may have at once (only when builds run
    /// as their own `uid`, that is, when the server runs as root).
    pub max_processes: u64,
    /// Largest file a build may write, in MiB.
    pub max_file_mib: u64,
    /// Cargo's home for builds (its registry and git caches): written
    /// while dependencies are fetched, read-only while the repository's
    /// code runs. Absent: `<data_dir>/builds/cargo-home`.
    pub cargo_home: Option<std::path::PathBuf>,
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
            apps_may_set_sources: false,
            allow_local_repositories: false,
            allow_private_hosts: Vec::new(),
            unsandboxed: false,
            bubblewrap: "bwrap".into(),
            uid: 65534,
            gid: 65534,
            cpu_secs: 900,
            memory_mib: 4096,
            max_processes: 512,
            max_file_mib: 1024,
            cargo_home: None,
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
            .field("apps_may_set_sources", &self.apps_may_set_sources)
            .field("allow_local_repositories", &self.allow_local_repositories)
            .field("allow_private_hosts", &self.allow_private_hosts)
            .field("unsandboxed", &self.unsandboxed)
            .field("bubblewrap", &self.bubblewrap)
            .field("uid", &self.uid)
            .field("gid", &self.gid)
            .field("cpu_secs", &self.cpu_secs)
            .field("memory_mib", &self.memory_mib)
            .field("max_processes", &self.max_processes)
            .field("max_file_mib", &self.max_file_mib)
            .field("cargo_home", &self.cargo_home)
            .field("timeout_secs", &self.timeout_secs)
            .field("concurrency", &self.concurrency)
            .field("cargo", &self.cargo)
            .field("max_log_lines", &self.max_log_lines)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}
