//! One test suite for every artifact backend: the same body — put, get,
//! exists, idempotent put, delete, list, bad digests, an 8 MiB artifact —
//! runs against memory, a local directory and S3. The S3 case talks to a
//! real `s3s-fs` process (see `s3s`), which checks request signatures; the
//! test fails, saying how to install it, when s3s-fs is missing.

mod s3s;

use bytes::Bytes;
use futures_util::TryStreamExt;
use s3s::{ACCESS_KEY, S3sServer, SECRET_KEY};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;
use wasmjob_server::containers::{ArtifactError, ArtifactStore, ArtifactStoreConfig, ArtifactStoreKind, S3StoreConfig};

/// Size of the large artifact: above the 5 MiB S3 multipart threshold
/// that clients often switch at.
const LARGE: usize = 8 * 1024 * 1024;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every stored digest.
async fn listed(store: &ArtifactStore) -> BTreeSet<String> {
    store.list().try_collect().await.unwrap()
}

/// What every backend must do, on an empty store.
async fn store_contract(store: &ArtifactStore) {
    assert_eq!(listed(store).await, BTreeSet::new(), "a new store is empty");

    // Put, get, exists; a second put of the same bytes changes nothing.
    let small = Bytes::from_static(b"component bytes");
    let digest = store.put(small.clone()).await.unwrap();
    assert_eq!(digest, sha256(&small));
    assert_eq!(store.put(small.clone()).await.unwrap(), digest, "idempotent put");
    assert!(store.exists(&digest).await.unwrap());
    assert_eq!(store.get(&digest).await.unwrap(), Some(small.clone()));

    // An absent digest is absent, not an error.
    let absent = "0".repeat(64);
    assert!(!store.exists(&absent).await.unwrap());
    assert_eq!(store.get(&absent).await.unwrap(), None);

    // Not digests: refused before the backend sees them.
    for bad in ["../etc/passwd", "abc", &"AB".repeat(32), &format!("{}/x", "a".repeat(62))] {
        assert!(matches!(store.get(bad).await, Err(ArtifactError::BadDigest(_))), "get {bad}");
        assert!(matches!(store.exists(bad).await, Err(ArtifactError::BadDigest(_))), "exists {bad}");
        assert!(matches!(store.delete(bad).await, Err(ArtifactError::BadDigest(_))), "delete {bad}");
    }

    // A large artifact comes back byte for byte.
    let large: Bytes = (0..LARGE).map(|i| (i * 31 % 251) as u8).collect::<Vec<u8>>().into();
    let large_digest = store.put(large.clone()).await.unwrap();
    assert_eq!(large_digest, sha256(&large));
    let back = store.get(&large_digest).await.unwrap().expect("the large artifact is stored");
    assert!(back == large, "the large artifact changed: {} bytes back of {LARGE}", back.len());

    // Listing names every artifact once.
    let other = store.put(Bytes::from_static(b"another component")).await.unwrap();
    let all: BTreeSet<String> = [digest.clone(), large_digest.clone(), other.clone()].into();
    assert_eq!(listed(store).await, all);

    // Delete is idempotent, and a deleted artifact is gone everywhere.
    store.delete(&digest).await.unwrap();
    store.delete(&digest).await.unwrap();
    store.delete(&absent).await.unwrap();
    assert!(!store.exists(&digest).await.unwrap());
    assert_eq!(store.get(&digest).await.unwrap(), None);
    assert_eq!(listed(store).await, [large_digest.clone(), other.clone()].into());

    // Deleted bytes can be stored again.
    assert_eq!(store.put(small.clone()).await.unwrap(), digest);
    assert_eq!(store.get(&digest).await.unwrap(), Some(small));
    for stored in [&digest, &large_digest, &other] {
        store.delete(stored).await.unwrap();
    }
    assert_eq!(listed(store).await, BTreeSet::new(), "empty again");
}

fn open(config: &ArtifactStoreConfig, data_dir: &Path) -> ArtifactStore {
    ArtifactStore::from_config(config, data_dir).unwrap()
}

fn s3_config(server: &S3sServer, prefix: &str, secret: &str) -> ArtifactStoreConfig {
    ArtifactStoreConfig {
        kind: ArtifactStoreKind::S3,
        s3: S3StoreConfig {
            endpoint: Some(server.endpoint.clone()),
            bucket: server.bucket.clone(),
            access_key_id: Some(ACCESS_KEY.into()),
            secret_access_key: Some(secret.into()),
            prefix: prefix.into(),
            allow_http: true,
            ..S3StoreConfig::default()
        },
    }
}

#[tokio::test]
async fn the_memory_backend_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&ArtifactStoreConfig { kind: ArtifactStoreKind::Memory, ..Default::default() }, dir.path());
    assert_eq!(store.describe(), "in memory");
    store_contract(&store).await;
}

#[tokio::test]
async fn the_local_backend_keeps_the_contract_under_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&ArtifactStoreConfig::default(), dir.path());
    assert!(store.describe().starts_with("local directory "), "{}", store.describe());
    store_contract(&store).await;

    let digest = store.put(Bytes::from_static(b"on disk")).await.unwrap();
    assert!(dir.path().join(format!("artifacts/sha256/{digest}.wasm")).is_file());
}

#[tokio::test]
async fn the_s3_backend_keeps_the_contract_against_a_real_s3_server() {
    let server = S3sServer::start("wasmjob-artifacts");
    let dir = tempfile::tempdir().unwrap();
    let store = open(&s3_config(&server, "/tenants/test/", SECRET_KEY), dir.path());
    let description = store.describe();
    assert_eq!(description, format!("s3://wasmjob-artifacts/tenants/test at {}", server.endpoint));
    store_contract(&store).await;

    // The objects are where s3s-fs keeps them: under the prefix, in the bucket.
    let digest = store.put(Bytes::from_static(b"in the bucket")).await.unwrap();
    let object = server.bucket_dir().join(format!("tenants/test/sha256/{digest}.wasm"));
    assert_eq!(
        std::fs::read(&object).unwrap_or_default(),
        b"in the bucket",
        "{}\n{}",
        object.display(),
        server.log_tail()
    );
    assert!(!dir.path().join("artifacts").exists(), "nothing is written locally");

    // Another prefix of the same bucket is another store.
    let neighbour = open(&s3_config(&server, "tenants/other", SECRET_KEY), dir.path());
    assert_eq!(listed(&neighbour).await, BTreeSet::new());
    assert!(!neighbour.exists(&digest).await.unwrap());
    assert_eq!(listed(&store).await, [digest].into());
}

#[tokio::test]
async fn the_s3_backend_fails_with_a_wrong_secret_without_showing_it() {
    let server = S3sServer::start("wasmjob-artifacts");
    let dir = tempfile::tempdir().unwrap();
    let store = open(&s3_config(&server, "", "not-the-secret"), dir.path());
    let err = store.put(Bytes::from_static(b"refused")).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, ArtifactError::Store(_)), "{text}");
    assert!(text.contains("403 Forbidden"), "refused for its signature: {text}");
    assert!(!text.contains("not-the-secret"), "the error shows the secret: {text}");
    assert!(s3s::files_under(&server.bucket_dir()).is_empty(), "nothing was stored");
}
