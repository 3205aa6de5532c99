//! The state every handler shares.

use crate::config::ServerConfig;
use crate::db::Database;
use crate::ids::IdGenerator;
use crate::scheduler::Scheduler;
use crate::workers::WorkerRegistry;
use std::sync::Arc;

/// Shared by all requests (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Generates resource ids.
    pub ids: Arc<IdGenerator>,
    /// The configuration in force.
    pub config: Arc<ServerConfig>,
    /// Component artifacts (content-addressed) and the inspector of uploads.
    pub artifacts: Arc<crate::containers::ArtifactStore>,
    /// The workers connected to this server.
    pub workers: Arc<WorkerRegistry>,
    /// The scheduler's handle (its loops run once `scheduler::spawn` ran).
    pub scheduler: Arc<Scheduler>,
    /// Builds from git: their configuration, key and permits.
    pub builds: Arc<crate::containers::Builds>,
}

impl AppState {
    /// The state of a server with a fresh worker registry and scheduler.
    pub fn new(
        db: Database,
        ids: Arc<IdGenerator>,
        config: Arc<ServerConfig>,
        artifacts: Arc<crate::containers::ArtifactStore>,
    ) -> Self {
        let server_id = (rand::random::<u64>() >> 1) as i64;
        Self {
            db,
            ids,
            builds: Arc::new(crate::containers::Builds::new(config.builds.clone(), &config.data_dir)),
            config,
            artifacts,
            workers: Arc::new(WorkerRegistry::new(server_id)),
            scheduler: Arc::new(Scheduler::default()),
        }
    }
}
