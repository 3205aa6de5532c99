//! The runtime: one engine and linker per process, the compiled-code
//! cache, and the processors loaded so far (one per component digest).

use crate::cache::{ArtifactCache, content_digest};
use crate::config::RuntimeConfig;
use crate::engine::{EpochTicker, build_engine};
use crate::error::{Error, Result};
use crate::inspect;
use crate::processor::{CompiledComponent, Processor};
use crate::state::TaskState;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

/// A loaded processor, or the lock a first loader holds while compiling.
type LoadSlot = Arc<Mutex<Option<Arc<Processor>>>>;

/// Loads processor components and runs their tasks.
pub struct Runtime {
    engine: Engine,
    linker: Linker<TaskState>,
    cache: ArtifactCache,
    config: RuntimeConfig,
    loaded: Mutex<HashMap<String, LoadSlot>>,
    _ticker: EpochTicker,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine, links WASI (with nothing granted) and the
    /// `wasmjob:processor` host interface, and opens the cache.
    pub fn new(config: RuntimeConfig) -> Result<Self> {
        let engine = build_engine(&config)?;
        let mut linker = Linker::new(&engine);
        let link = |e: wasmtime::Error| Error::Engine(crate::error::chain(&e));
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link)?;
        crate::bindings::v0_1::map_reduce::MapReduce::add_to_linker::<_, HasSelf<TaskState>>(&mut linker, |s| s)
            .map_err(link)?;
        let cache = ArtifactCache::open(&config.cache_dir, &engine)?;
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick)?;
        Ok(Self { engine, linker, cache, config, loaded: Mutex::default(), _ticker: ticker })
    }

    /// The configuration the runtime was built with.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Validates, compiles (or reads back from the cache) and
    /// pre-instantiates a component. Blocking and CPU-heavy on a cache
    /// miss: from async code use [`Runtime::load_blocking`].
    pub fn load(&self, bytes: &[u8]) -> Result<Arc<Processor>> {
        inspect::check_header(bytes)?;
        let digest = content_digest(bytes);
        // One slot per digest: concurrent loads of the same new component
        // wait for one compile instead of compiling it once each.
        let slot = self.loaded.lock().unwrap_or_else(|p| p.into_inner()).entry(digest.clone()).or_default().clone();
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(loaded) = slot.as_ref() {
            return Ok(loaded.clone());
        }
        let result = self.compile(&digest, bytes);
        match &result {
            Ok(processor) => *slot = Some(processor.clone()),
            Err(_) => {
                drop(slot);
                self.forget_if_empty(&digest);
            }
        }
        result
    }

    fn compile(&self, digest: &str, bytes: &[u8]) -> Result<Arc<Processor>> {
        let (component, source) = self.cache.load(&self.engine, digest, bytes)?;
        let memory_cap = self.config.pooling.as_ref().map(|p| p.max_memory_mb << 20);
        let compiled = CompiledComponent { component, digest: digest.to_string(), size: bytes.len(), source };
        let processor = Arc::new(Processor::new(&self.engine, &self.linker, compiled, memory_cap)?);
        tracing::debug!(digest = %digest, worlds = ?processor.info().worlds, ?source, "loaded processor");
        Ok(processor)
    }

    /// What a component is, checked exactly as [`Runtime::load`] checks it
    /// (a processor world satisfied, nothing imported that the host does
    /// not provide), without keeping anything: the compiled code is
    /// neither cached on disk nor kept loaded, and is dropped on return.
    /// Wasmtime types a component only by compiling it, so this is as
    /// CPU-heavy as a load on a cache miss; blocking: from async code use
    /// [`Runtime::inspect_blocking`].
    pub fn inspect(&self, bytes: &[u8]) -> Result<crate::ComponentInfo> {
        inspect::check_header(bytes)?;
        let component = wasmtime::component::Component::new(&self.engine, bytes)
            .map_err(|e| Error::Invalid(crate::error::chain(&e)))?;
        let compiled = CompiledComponent {
            component,
            digest: content_digest(bytes),
            size: bytes.len(),
            source: crate::LoadSource::Compiled,
        };
        let processor = Processor::new(&self.engine, &self.linker, compiled, None)?;
        Ok(processor.info().clone())
    }

    /// [`Runtime::inspect`] on tokio's blocking pool.
    pub async fn inspect_blocking(self: &Arc<Self>, bytes: Vec<u8>) -> Result<crate::ComponentInfo> {
        let runtime = self.clone();
        tokio::task::spawn_blocking(move || runtime.inspect(&bytes))
            .await
            .map_err(|e| Error::Engine(format!("the inspection task failed: {e}")))?
    }

    /// Drops the slot of a digest that failed to load, so invalid uploads
    /// leave nothing behind.
    fn forget_if_empty(&self, digest: &str) {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        let empty = loaded.get(digest).is_some_and(|slot| slot.try_lock().is_ok_and(|s| s.is_none()));
        if empty {
            loaded.remove(digest);
        }
    }

    /// Forgets the component `digest`: the next load compiles it again,
    /// and its compiled code leaves the cache. Processors handed out
    /// before keep working (they hold their compiled code). Blocking.
    pub fn unload(&self, digest: &str) {
        self.loaded.lock().unwrap_or_else(|p| p.into_inner()).remove(digest);
        let removed = self.cache.remove(digest);
        tracing::debug!(digest, removed, "unloaded a component");
    }

    /// [`Runtime::load`] on a file.
    pub fn load_file(&self, path: &Path) -> Result<Arc<Processor>> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        self.load(&bytes)
    }

    /// [`Runtime::load`] on tokio's blocking pool, so compiling an
    /// untrusted upload never stalls the async runtime's threads.
    pub async fn load_blocking(self: &Arc<Self>, bytes: Vec<u8>) -> Result<Arc<Processor>> {
        let runtime = self.clone();
        tokio::task::spawn_blocking(move || runtime.load(&bytes))
            .await
            .map_err(|e| Error::Engine(format!("the compile task failed: {e}")))?
    }
}
