//! Builds from git: a container may have a git source (URL, branch, tag or
//! commit, the crate's directory, credentials sealed with the server's
//! key). A build clones it with git2 into a directory of its own, fetches
//! its dependencies and compiles it in child processes (`compile`) inside
//! a sandbox (`sandbox`: no network while the repository's code runs, no
//! view of the server's files, an unprivileged user, resource limits)
//! with a time limit, streams every line of output to its log, and
//! publishes the component exactly as an upload is published: validated
//! by the same inspector, labelled with the commit id. A failed build
//! stores nothing and changes nothing that is deployed.
//!
//! - `model`: the API's types; `store`: their SQL; `routes`: the API.
//! - `git`: the clone; `hosts`: the hosts a source may name; `compile`: the cargo processes; `sandbox`: their
//!   jail; `secrets`: sealing
//!   credentials; `runner`: one build from start to end; `cancel`: the
//!   signals that stop running builds.

mod cancel;
mod compile;
mod config;
mod git;
mod hosts;
mod input;
pub mod model;
mod routes;
mod runner;
mod sandbox;
mod secrets;
mod store;

pub use config::BuildConfig;
pub use secrets::{Sealer, SecretError};

pub(crate) use routes::router;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// What builds share on a server: the configuration, the key that seals
/// credentials, and the permits that bound how many run at once.
#[derive(Debug)]
pub struct Builds {
    config: BuildConfig,
    data_dir: PathBuf,
    sealer: OnceLock<Result<Sealer, String>>,
    permits: Arc<Semaphore>,
    running: cancel::Running,
    jail: sandbox::Jail,
}

impl Builds {
    /// Builds as `config` says, with their files under `data_dir/builds`.
    pub fn new(config: BuildConfig, data_dir: &Path) -> Self {
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        let jail = sandbox::Jail::from_config(&config);
        if config.enabled && config.unsandboxed {
            tracing::warn!(
                "BUILDS RUN WITHOUT A SANDBOX (`[builds] unsandboxed = true`): a repository's build scripts run as \
                 the server's user, can read its data directory (keys, database) and reach the network"
            );
        }
        Self {
            config,
            data_dir: data_dir.to_path_buf(),
            sealer: OnceLock::new(),
            permits,
            running: cancel::Running::default(),
            jail,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BuildConfig {
        &self.config
    }

    /// The sealer of credentials (its key is read, or made, on first use).
    pub fn sealer(&self) -> Result<&Sealer, String> {
        self.sealer
            .get_or_init(|| Sealer::load(self.config.secret_key.as_deref(), &self.data_dir).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where a container's cargo target directory is kept between builds.
    fn target_dir(&self, container: crate::ids::Id) -> PathBuf {
        self.data_dir.join("builds").join("target").join(container.to_string())
    }

    /// Cargo's home for builds.
    fn cargo_home(&self) -> PathBuf {
        self.config.cargo_home.clone().unwrap_or_else(|| self.data_dir.join("builds").join("cargo-home"))
    }

    /// How builds are confined.
    fn jail(&self) -> &sandbox::Jail {
        &self.jail
    }

    /// Where builds make their own directories.
    fn work_dir(&self) -> PathBuf {
        self.data_dir.join("builds").join("work")
    }
}

/// Fails the builds a stopped server left queued or running: no build runs
/// longer than the time limit, so one still open a minute past it has no
/// server any more.
pub async fn fail_abandoned_builds(state: &crate::state::AppState) -> Result<u64, sqlx::Error> {
    let limit = state.builds.config().timeout_secs as i64 * 1000;
    let failed = store::fail_abandoned(&state.db, crate::ids::now_ms() as i64 - limit - 60_000).await?;
    if failed > 0 {
        tracing::warn!(failed, "failed builds abandoned by a stopped server");
    }
    Ok(failed)
}
