//! Starting the server: database, migrations, first administrator, router,
//! listener.

use crate::api::app;
use crate::auth::ensure_admin;
use crate::config::ServerConfig;
use crate::db::Database;
use crate::ids::IdGenerator;
use crate::state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;

/// A started server, not yet serving.
#[derive(Debug)]
pub struct Started {
    /// The shared state (for tests and embedders).
    pub state: AppState,
    /// The generated admin password, when one was generated: show it once.
    pub generated_admin_password: Option<String>,
    /// The listener, bound.
    pub listener: tokio::net::TcpListener,
}

/// Opens the database, migrates it, ensures the administrator exists and
/// binds the listener.
pub async fn start(config: ServerConfig) -> anyhow::Result<Started> {
    // Private (0700), an existing one too: it holds the database, keys and
    // uploaded components.
    wasmjob_runtime::private::create_dir(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create the data directory {}: {e}", config.data_dir.display()))?;
    let db = Database::connect(&config.database_url()).await?;
    db.migrate().await?;
    let ids = Arc::new(IdGenerator::random());
    let generated_admin_password = ensure_admin(&db, &ids, config.admin_password.as_deref()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(address = %listener.local_addr()?, dialect = ?db.dialect(), "wasmjob server ready");
    let artifacts = Arc::new(crate::containers::ArtifactStore::from_config(&config.artifact_store, &config.data_dir)?);
    tracing::info!(store = %artifacts.describe(), "artifact store");
    let state = AppState::new(db, ids, Arc::new(config), artifacts);
    if state.builds.config().enabled {
        // A bad configured key is an error now, not at the first build.
        state.builds.sealer().map_err(|e| anyhow::anyhow!("builds: {e}"))?;
        crate::containers::builds::fail_abandoned_builds(&state).await?;
        tracing::info!(concurrency = state.builds.config().concurrency, "builds from git enabled");
    }
    Ok(Started { state, generated_admin_password, listener })
}

/// Serves until the process is told to stop (Ctrl-C or SIGTERM).
pub async fn serve(started: Started) -> anyhow::Result<()> {
    crate::scheduler::spawn(started.state.clone());
    let router = app(started.state);
    use axum::serve::ListenerExt;
    // Small frames (dispatches, stops) go out at once.
    let listener = started.listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
