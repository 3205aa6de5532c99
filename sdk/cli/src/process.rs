//! What the long-running commands (`server`, `worker`, `standalone`)
//! share: a multi-threaded async runtime, and the mapping of their end to
//! an exit code (0 on a clean stop, 1 on a failure, logged).

use std::future::Future;
use std::process::ExitCode;

/// Runs `work` on a new multi-threaded runtime until it ends.
pub fn run_until_done(work: impl Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(work);
    // Blocking tasks of instances that ignored a stop must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
