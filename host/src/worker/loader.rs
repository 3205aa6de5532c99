//! The processor a dispatch names. A component: already loaded
//! (microseconds), else from the artifact cache on disk, else downloaded
//! from the server — then compiled (or read from the compiled-code cache)
//! by the [`Runtime`](wasmjob_runtime::Runtime). An official processor: the one this
//! worker enables, if it does.

use super::Shared;
use super::artifacts::{FetchError, download, is_digest, verify};
use super::auth::AuthError;
use super::logs::InstanceLog;
use std::sync::Arc;
use std::time::Duration;
use wasmjob_runtime::LogLevel;
use wasmjob_runtime::Processor;
use wasmjob_runtime::TaskProcessor;
use wasmjob_wire::{Dispatch, ProcessorSpec};

/// Download attempts for one artifact (network failures and 5xx answers).
const FETCH_ATTEMPTS: u32 = 3;

/// Where a processor's component came from, for the instance's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Loaded before, or read from the artifact cache.
    Cache,
    /// Fetched from the server now.
    Download,
}

impl Origin {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Download => "download",
        }
    }
}

/// What runs the tasks of `dispatch`, checked against its execution kind;
/// the error is the instance's result. Notes where it came from in `log`.
pub(crate) async fn task_processor(
    shared: &Arc<Shared>,
    dispatch: &Dispatch,
    log: &InstanceLog,
) -> Result<Arc<dyn TaskProcessor>, String> {
    let kind = dispatch.execute_type;
    match &dispatch.processor {
        ProcessorSpec::Wasm { container, version, digest, size } => {
            let (processor, origin) = processor(shared, digest, *size).await?;
            processor.check_kind(kind).map_err(|e| e.to_string())?;
            let short = digest.get(..12).unwrap_or(digest);
            log.host(LogLevel::Info, &format!("loaded {container}@{version} ({short}) from {}", origin.name()));
            Ok(processor)
        }
        ProcessorSpec::Official { processor_type, .. } => {
            if kind.may_emit_subtasks() {
                return Err(format!("{processor_type} processors run as STANDALONE or BROADCAST, not {kind}"));
            }
            shared
                .official
                .get(*processor_type)
                .ok_or_else(|| format!("worker {} does not enable processor {processor_type}", shared.config.address))
        }
    }
}

/// The processor for the component `digest` of `size` bytes; the error is
/// the instance's result.
pub(crate) async fn processor(
    shared: &Arc<Shared>,
    digest: &str,
    size: u64,
) -> Result<(Arc<Processor>, Origin), String> {
    if !is_digest(digest) {
        return Err(format!("the dispatch names an invalid artifact digest `{digest}`"));
    }
    shared.prefetch.touch(digest);
    if let Some(loaded) = shared.loaded(digest) {
        return Ok((loaded, Origin::Cache));
    }
    let (bytes, origin) = match cached(shared, digest).await {
        Some(bytes) => {
            verify(digest, size, &bytes)?;
            (bytes, Origin::Cache)
        }
        None => (fetch(shared, digest, size).await?, Origin::Download),
    };
    let processor = shared.runtime.load_blocking(bytes).await.map_err(|e| e.to_string())?;
    shared.remember(digest, &processor);
    super::prefetch::loaded(shared, digest);
    Ok((processor, origin))
}

async fn cached(shared: &Arc<Shared>, digest: &str) -> Option<Vec<u8>> {
    let shared = shared.clone();
    let digest = digest.to_string();
    tokio::task::spawn_blocking(move || shared.artifacts.read(&digest)).await.ok().flatten()
}

/// Downloads, verifies and caches an artifact, logging in again once if
/// the token is refused and retrying network failures.
async fn fetch(shared: &Arc<Shared>, digest: &str, size: u64) -> Result<Vec<u8>, String> {
    let url = format!("{}{}{digest}", shared.server, wasmjob_wire::ARTIFACT_PATH);
    let mut relogged = false;
    let mut attempt = 0;
    let bytes = loop {
        let token = shared.auth.token().await.map_err(|e| match e {
            AuthError::Refused(why) | AuthError::Unavailable(why) => format!("cannot fetch artifact {digest}: {why}"),
        })?;
        match download(&shared.http, &url, &token, digest, size).await {
            Ok(bytes) => break bytes,
            Err(FetchError::Unauthorized) if !relogged && shared.auth.refused(&token).await => relogged = true,
            Err(FetchError::Unauthorized) => {
                return Err(format!("cannot fetch artifact {digest}: the server refused the worker's token"));
            }
            Err(FetchError::Invalid(why)) => return Err(why),
            Err(FetchError::Failed(why)) => {
                attempt += 1;
                if attempt >= FETCH_ATTEMPTS {
                    return Err(why);
                }
                tracing::warn!(digest, attempt, "{why}; retrying");
                tokio::time::sleep(Duration::from_millis(200) * 2u32.pow(attempt)).await;
            }
        }
    };
    let store = shared.clone();
    let (name, data) = (digest.to_string(), bytes);
    let (data, written) = tokio::task::spawn_blocking(move || {
        let written = store.artifacts.write(&name, &data);
        (data, written)
    })
    .await
    .map_err(|e| format!("cannot cache artifact {digest}: {e}"))?;
    if let Err(e) = written {
        tracing::warn!(digest, error = %e, "cannot cache an artifact on disk; it will be fetched again");
    }
    Ok(data)
}
