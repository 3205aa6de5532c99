//! Component bytes, content-addressed: each artifact lives at
//! `sha256/<digest>.wasm` in an [`ObjectStore`] — a directory under the
//! data directory today; S3 or another backend is one more constructor.

use super::inspect::Inspector;
use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why an artifact could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The store's directory could not be created.
    #[error("cannot create {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The object store failed.
    #[error("artifact store: {0}")]
    Store(#[from] object_store::Error),
    /// A digest that is not 64 lowercase hex digits.
    #[error("`{0}` is not a sha256 digest")]
    BadDigest(String),
}

/// Where component bytes are kept, and the inspector that checks them
/// before they are.
#[derive(Debug)]
pub struct ArtifactStore {
    store: Arc<dyn ObjectStore>,
    inspector: Arc<Inspector>,
}

impl ArtifactStore {
    /// Artifacts in `<data_dir>/artifacts` (created), components compiled
    /// for inspection cached in `<data_dir>/compiled`.
    pub fn local(data_dir: &Path) -> Result<Self, ArtifactError> {
        Self::directory(&data_dir.join("artifacts"), Inspector::new(data_dir.join("compiled")))
    }

    /// Artifacts in the directory `dir` (created).
    pub fn directory(dir: &Path, inspector: Inspector) -> Result<Self, ArtifactError> {
        std::fs::create_dir_all(dir).map_err(|source| ArtifactError::Directory { path: dir.to_path_buf(), source })?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self::new(Arc::new(store), inspector))
    }

    /// Artifacts in memory (for tests); inspection compiles into the
    /// host's default cache directory.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(InMemory::new()), Inspector::new(wasmjob_host::config::default_cache_dir()))
    }

    /// Artifacts in any object store.
    pub fn new(store: Arc<dyn ObjectStore>, inspector: Inspector) -> Self {
        Self { store, inspector: Arc::new(inspector) }
    }

    /// The inspector of uploads.
    pub fn inspector(&self) -> &Arc<Inspector> {
        &self.inspector
    }

    /// Stores `bytes` under their digest, which it returns. Storing the
    /// same bytes again changes nothing.
    pub async fn put(&self, bytes: Bytes) -> Result<String, ArtifactError> {
        let digest = hex::encode(Sha256::digest(&bytes));
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&location(&digest)?, PutPayload::from_bytes(bytes), options).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(digest),
            Err(e) => Err(e.into()),
        }
    }

    /// The bytes of the artifact `digest`, if it is stored.
    pub async fn get(&self, digest: &str) -> Result<Option<Bytes>, ArtifactError> {
        match self.store.get(&location(digest)?).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the artifact `digest` is stored.
    pub async fn exists(&self, digest: &str) -> Result<bool, ArtifactError> {
        match self.store.head(&location(digest)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// Whether `text` is a sha256 digest as artifacts are named: 64 lowercase
/// hex digits.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn location(digest: &str) -> Result<ObjectPath, ArtifactError> {
    if !is_digest(digest) {
        return Err(ArtifactError::BadDigest(digest.to_string()));
    }
    Ok(ObjectPath::from(format!("sha256/{digest}.wasm")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn artifacts_are_addressed_by_their_digest() {
        let store = ArtifactStore::in_memory();
        let digest = store.put(Bytes::from_static(b"component bytes")).await.unwrap();
        assert_eq!(digest, hex::encode(Sha256::digest(b"component bytes")));
        assert_eq!(store.put(Bytes::from_static(b"component bytes")).await.unwrap(), digest, "idempotent");
        assert!(store.exists(&digest).await.unwrap());
        assert_eq!(store.get(&digest).await.unwrap().unwrap(), Bytes::from_static(b"component bytes"));
        let absent = "0".repeat(64);
        assert!(!store.exists(&absent).await.unwrap());
        assert_eq!(store.get(&absent).await.unwrap(), None);
        assert!(matches!(store.get("../etc/passwd").await, Err(ArtifactError::BadDigest(_))));
    }

    #[tokio::test]
    async fn a_local_store_writes_under_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path()).unwrap();
        let digest = store.put(Bytes::from_static(b"x")).await.unwrap();
        assert!(dir.path().join(format!("artifacts/sha256/{digest}.wasm")).is_file());
        assert_eq!(store.put(Bytes::from_static(b"x")).await.unwrap(), digest);
        assert_eq!(store.get(&digest).await.unwrap().unwrap(), Bytes::from_static(b"x"));
    }

    #[test]
    fn digests_are_lowercase_hex() {
        assert!(is_digest(&"ab".repeat(32)));
        assert!(!is_digest(&"AB".repeat(32)));
        assert!(!is_digest("abc"));
        assert!(!is_digest(&"g".repeat(64)));
    }
}
