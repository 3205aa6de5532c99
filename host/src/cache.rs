//! The compiled-code cache: precompiled components on local disk, keyed by
//! the component's sha256 and the engine's compatibility fingerprint.
//!
//! Loading precompiled code skips validation, so the host only ever loads
//! files it wrote itself: the directory is created private (0700), files
//! are written under a temporary name and renamed into place, and any file
//! that fails to deserialize is recompiled and replaced.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The sha256 of a component's bytes, as lowercase hex.
pub fn content_digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A directory of precompiled components for one engine configuration.
#[derive(Debug)]
pub(crate) struct ArtifactCache {
    dir: PathBuf,
    fingerprint: String,
}

/// Where a component came from when it was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadSource {
    /// Compiled now (and written to the cache).
    Compiled,
    /// Read back from the compiled-code cache.
    Cache,
}

impl ArtifactCache {
    pub(crate) fn open(dir: &Path, engine: &Engine) -> Result<Self> {
        create_private_dir(dir)?;
        Ok(Self { dir: dir.to_path_buf(), fingerprint: engine_fingerprint(engine) })
    }

    fn path_for(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}-{}.cwasm", self.fingerprint))
    }

    /// Returns the compiled component for `bytes` (whose sha256 is
    /// `digest`), compiling and caching it on a miss.
    pub(crate) fn load(&self, engine: &Engine, digest: &str, bytes: &[u8]) -> Result<(Component, LoadSource)> {
        let path = self.path_for(digest);
        if path.exists() {
            // SAFETY: files in this private directory are only ever written
            // by `store` below, from code this engine configuration compiled;
            // a truncated or foreign file fails the header checks of
            // `deserialize_file` and is recompiled.
            #[allow(unsafe_code)]
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, LoadSource::Cache)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "discarding unreadable compiled component")
                }
            }
        }
        let component = Component::new(engine, bytes).map_err(|e| Error::Invalid(crate::error::chain(&e)))?;
        match component.serialize() {
            Ok(compiled) => self.store(&path, &compiled)?,
            Err(e) => {
                tracing::warn!(error = %e, "cannot serialize a compiled component; it stays uncached")
            }
        }
        Ok((component, LoadSource::Compiled))
    }

    /// Removes the compiled code of `digest` (for every engine
    /// fingerprint); returns how many files went. Blocking.
    pub(crate) fn remove(&self, digest: &str) -> usize {
        let prefix = format!("{digest}-");
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return 0 };
        entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.starts_with(&prefix) && name.ends_with(".cwasm")
            })
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
    }

    fn store(&self, path: &Path, compiled: &[u8]) -> Result<()> {
        let tmp = self.dir.join(format!(".tmp-{}-{}", std::process::id(), unique_suffix()));
        let io = |source| Error::Cache { path: path.to_path_buf(), source };
        std::fs::write(&tmp, compiled).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let io = |source| Error::Cache { path: dir.to_path_buf(), source };
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

/// A short, stable digest of everything that makes compiled code
/// compatible with `engine` (wasmtime version, target, settings).
fn engine_fingerprint(engine: &Engine) -> String {
    struct Sha(Sha256);
    impl Hasher for Sha {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = Sha(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex::encode(&hasher.0.finalize()[..8])
}
