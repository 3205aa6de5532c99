//! The compiled-code cache: precompiled components on local disk, keyed by
//! the component's sha256 and the engine's compatibility fingerprint.
//!
//! Loading precompiled code skips validation, so the host only ever loads
//! files it wrote itself: the directory is created private (0700) and
//! refused when another user owns it or may write it or a directory above
//! it; files are written private (0600) under a temporary name and renamed
//! into place; a file that is not a regular file of ours that only we may
//! write is never loaded but recompiled and replaced, and so is any file
//! that fails to deserialize.

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
    /// Opens (creating) the cache in `dir`; refuses a directory another
    /// user could have put code in.
    pub(crate) fn open(dir: &Path, engine: &Engine) -> Result<Self> {
        let fail = |source| Error::Cache { path: dir.to_path_buf(), source };
        crate::private::create_dir(dir).map_err(fail)?;
        crate::private::check_dir(dir).map_err(|why| {
            fail(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("the compiled-code cache is not private: {why}; give a directory of your own"),
            ))
        })?;
        Ok(Self { dir: dir.to_path_buf(), fingerprint: engine_fingerprint(engine) })
    }

    fn path_for(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}-{}.cwasm", self.fingerprint))
    }

    /// Returns the compiled component for `bytes` (whose sha256 is
    /// `digest`), compiling and caching it on a miss.
    pub(crate) fn load(&self, engine: &Engine, digest: &str, bytes: &[u8]) -> Result<(Component, LoadSource)> {
        let path = self.path_for(digest);
        match crate::private::check_file(&path) {
            Ok(()) => {
                // SAFETY: the directory is ours and only we may write it
                // (checked when the cache opened), and the file is a regular
                // file of ours only we may write: it was written by `store`
                // below, from code this engine configuration compiled; a
                // truncated file fails the header checks of
                // `deserialize_file` and is recompiled.
                #[allow(unsafe_code)]
                match unsafe { Component::deserialize_file(engine, &path) } {
                    Ok(component) => return Ok((component, LoadSource::Cache)),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "discarding unreadable compiled component")
                    }
                }
            }
            // Nothing there: a miss.
            Err(_) if std::fs::symlink_metadata(&path).is_err() => {}
            Err(why) => {
                tracing::warn!(%why, "not loading a compiled component this process did not write; recompiling")
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
        crate::private::write_new_file(&tmp, compiled).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })?;
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::testing::{mode, with_umask};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    const COMPONENT: &str = "(component (core module (func (export \"f\"))))";

    fn component() -> Vec<u8> {
        wat::parse_str(COMPONENT).unwrap()
    }

    #[test]
    fn the_cache_and_its_files_are_private_whatever_the_umask() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("compiled");
        let engine = Engine::default();
        let bytes = component();
        let digest = content_digest(&bytes);
        let cache = with_umask(0o000, || {
            let cache = ArtifactCache::open(&dir, &engine).unwrap();
            assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Compiled);
            cache
        });
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&cache.path_for(&digest)), 0o600);
        assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Cache, "our own file is loaded");
    }

    #[test]
    fn a_cache_directory_others_may_write_or_own_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let shared = base.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let planted = shared.join("compiled");
        std::fs::create_dir(&planted).unwrap();
        if nix::unistd::geteuid().is_root() {
            // Another user made the directory first, as in a shared /tmp.
            std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
            let e = ArtifactCache::open(&planted, &engine).unwrap_err().to_string();
            assert!(e.contains("not private") && e.contains("belongs to user 65534"), "{e}");
            std::os::unix::fs::chown(&planted, Some(0), Some(0)).unwrap();
        }
        // A directory of ours in one that others may write (and that is not
        // sticky): they could move ours away and put theirs in its place.
        let open = base.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = ArtifactCache::open(&open.join("compiled"), &engine).unwrap_err().to_string();
        assert!(e.contains("which others may write"), "{e}");
        // In a sticky shared directory, a directory of our own is fine.
        assert!(ArtifactCache::open(&planted, &engine).is_ok());
    }

    #[test]
    fn a_planted_compiled_file_is_not_loaded_but_recompiled_and_replaced() {
        let base = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let cache = ArtifactCache::open(&base.path().join("compiled"), &engine).unwrap();
        let bytes = component();
        let digest = content_digest(&bytes);
        let path = cache.path_for(&digest);
        // A loadable file under the right name, but one we may not trust.
        let compiled = Component::new(&engine, &bytes).unwrap().serialize().unwrap();
        std::fs::write(&path, &compiled).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Compiled, "world-writable");
        assert_eq!(mode(&path), 0o600, "replaced by our own");
        if nix::unistd::geteuid().is_root() {
            std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
            assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Compiled, "another user's");
            assert_eq!(std::fs::metadata(&path).unwrap().uid(), 0, "replaced by our own");
        }
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(base.path().join("elsewhere"), &path).unwrap();
        std::fs::write(base.path().join("elsewhere"), &compiled).unwrap();
        assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Compiled, "a symbolic link");
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert_eq!(cache.load(&engine, &digest, &bytes).unwrap().1, LoadSource::Cache);
    }
}
