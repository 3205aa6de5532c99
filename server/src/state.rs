//! The state every handler shares.

use crate::config::ServerConfig;
use crate::db::Database;
use crate::ids::IdGenerator;
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
}
