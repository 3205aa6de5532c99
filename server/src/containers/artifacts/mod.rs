//! Component bytes, content-addressed: each artifact lives at
//! `sha256/<digest>.wasm` in an [`ObjectStore`] — a directory under the
//! data directory by default, any S3-compatible bucket, or memory, chosen
//! by the `[artifact_store]` configuration (`config`) and opened by
//! `backend`. The store puts (idempotently), gets, checks, deletes and
//! lists artifacts; the rest of the server never sees which backend it is.

mod backend;
pub mod config;

use super::inspect::Inspector;
use bytes::Bytes;
use config::ArtifactStoreConfig;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder of the store that artifacts live in.
const FOLDER: &str = "sha256";

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
    /// The `[artifact_store]` settings are unusable.
    #[error("{0}")]
    Config(String),
}

/// Where component bytes are kept, and the inspector that checks them
/// before they are.
#[derive(Debug)]
pub struct ArtifactStore {
    store: Arc<dyn ObjectStore>,
    inspector: Arc<Inspector>,
    description: String,
}

impl ArtifactStore {
    /// The store `config` names; local artifacts go to
    /// `<data_dir>/artifacts` (created); the inspector's runtime opens its
    /// compiled-code cache in `<data_dir>/compiled` (inspection keeps
    /// nothing there) whatever the backend.
    pub fn from_config(config: &ArtifactStoreConfig, data_dir: &Path) -> Result<Self, ArtifactError> {
        let backend = backend::open(config, &data_dir.join("artifacts"))?;
        Ok(Self::with_description(backend, Inspector::new(data_dir.join("compiled"))))
    }

    /// Artifacts in `<data_dir>/artifacts` (created), the inspector's
    /// runtime in `<data_dir>/compiled`.
    pub fn local(data_dir: &Path) -> Result<Self, ArtifactError> {
        Self::directory(&data_dir.join("artifacts"), Inspector::new(data_dir.join("compiled")))
    }

    /// Artifacts in the directory `dir` (created).
    pub fn directory(dir: &Path, inspector: Inspector) -> Result<Self, ArtifactError> {
        Ok(Self::with_description(backend::local(dir)?, inspector))
    }

    /// Artifacts in memory (for tests); the inspector's runtime opens the
    /// host's default cache directory.
    pub fn in_memory() -> Self {
        Self::with_description(backend::memory(), Inspector::new(wasmjob_runtime::config::default_cache_dir()))
    }

    /// Artifacts in any object store.
    pub fn new(store: Arc<dyn ObjectStore>, inspector: Inspector) -> Self {
        let description = store.to_string();
        Self { store, inspector: Arc::new(inspector), description }
    }

    fn with_description(backend: backend::Backend, inspector: Inspector) -> Self {
        Self { store: backend.store, inspector: Arc::new(inspector), description: backend.description }
    }

    /// Where the artifacts are, for logs: `local directory …`, `in memory`
    /// or `s3://bucket/prefix at ENDPOINT`; never a secret.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// The inspector of uploads.
    pub fn inspector(&self) -> &Arc<Inspector> {
        &self.inspector
    }

    /// Stores `bytes` under their digest, which it returns. Storing the
    /// same bytes again changes nothing (and uploads nothing).
    pub async fn put(&self, bytes: Bytes) -> Result<String, ArtifactError> {
        let digest = hex::encode(Sha256::digest(&bytes));
        let location = location(&digest)?;
        if self.exists(&digest).await? {
            return Ok(digest);
        }
        let payload = PutPayload::from_bytes(bytes);
        let create = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&location, payload.clone(), create).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(digest),
            // A backend without conditional writes: the same name always
            // holds the same bytes, so overwriting is as good.
            Err(object_store::Error::NotImplemented { .. }) => {
                self.store.put(&location, payload).await?;
                Ok(digest)
            }
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

    /// Removes the artifact `digest`; removing one that is not stored is
    /// not an error.
    pub async fn delete(&self, digest: &str) -> Result<(), ArtifactError> {
        match self.store.delete(&location(digest)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The digests of every stored artifact, in no particular order,
    /// streamed page by page from the backend's listing. Objects of the
    /// folder that are not artifacts (`sha256/notes.txt`) are skipped.
    pub fn list(&self) -> BoxStream<'static, Result<String, ArtifactError>> {
        self.store
            .list(Some(&ObjectPath::from(FOLDER)))
            .filter_map(|item| async move {
                match item {
                    Ok(meta) => digest_of(&meta.location).map(Ok),
                    Err(e) => Some(Err(e.into())),
                }
            })
            .boxed()
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
    Ok(ObjectPath::from(format!("{FOLDER}/{digest}.wasm")))
}

/// The digest an artifact's location names, if it is one.
fn digest_of(location: &ObjectPath) -> Option<String> {
    let name = location.as_ref().strip_prefix(FOLDER)?.strip_prefix('/')?.strip_suffix(".wasm")?;
    is_digest(name).then(|| name.to_string())
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
    fn only_artifact_locations_name_a_digest() {
        let digest = "ab".repeat(32);
        assert_eq!(digest_of(&location(&digest).unwrap()), Some(digest.clone()));
        assert_eq!(digest_of(&ObjectPath::from("sha256/notes.txt")), None);
        assert_eq!(digest_of(&ObjectPath::from(format!("sha256/{digest}.wasm#1"))), None, "a partial upload");
        assert_eq!(digest_of(&ObjectPath::from(format!("other/{digest}.wasm"))), None);
    }

    #[test]
    fn digests_are_lowercase_hex() {
        assert!(is_digest(&"ab".repeat(32)));
        assert!(!is_digest(&"AB".repeat(32)));
        assert!(!is_digest("abc"));
        assert!(!is_digest(&"g".repeat(64)));
    }
}
