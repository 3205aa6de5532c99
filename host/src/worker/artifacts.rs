//! Components on local disk: `artifacts/<sha256>.wasm` in the worker's
//! data directory (private, 0700). A file is used only when its sha256 is
//! its name; downloads are checked for size and sha256 and written under a
//! temporary name, then renamed into place, so a crash never leaves a
//! half-written component where a whole one is expected.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use wasmjob_runtime::content_digest;
use wasmjob_runtime::error_chain;

/// The on-disk artifact cache.
#[derive(Debug)]
pub(crate) struct ArtifactStore {
    dir: PathBuf,
}

/// Whether `digest` is a sha256 in lowercase hex (and so a safe file name).
pub(crate) fn is_digest(digest: &str) -> bool {
    digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks downloaded bytes against the dispatch's size and digest.
pub(crate) fn verify(digest: &str, size: u64, bytes: &[u8]) -> std::result::Result<(), String> {
    if bytes.len() as u64 != size || content_digest(bytes) != digest {
        return Err(format!("artifact {digest} failed verification"));
    }
    Ok(())
}

impl ArtifactStore {
    /// Opens (creating) the directory, private to the worker's user.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        wasmjob_runtime::private::create_dir(dir)
            .map_err(|source| Error::DataDir { path: dir.to_path_buf(), source })?;
        Ok(Self { dir: dir.to_path_buf() })
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.wasm"))
    }

    /// The cached component, if present and intact; a corrupted file is
    /// removed. Blocking.
    pub(crate) fn read(&self, digest: &str) -> Option<Vec<u8>> {
        if !is_digest(digest) {
            return None;
        }
        let path = self.path(digest);
        let bytes = std::fs::read(&path).ok()?;
        if content_digest(&bytes) == digest {
            return Some(bytes);
        }
        tracing::warn!(path = %path.display(), "removing a cached artifact whose content does not match its name");
        let _ = std::fs::remove_file(&path);
        None
    }

    /// The digests of the cached components. Blocking.
    pub(crate) fn list(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".wasm").map(str::to_string))
            .filter(|name| is_digest(name))
            .collect()
    }

    /// Removes the cached component `digest`, if present. Blocking.
    pub(crate) fn remove(&self, digest: &str) -> bool {
        is_digest(digest) && std::fs::remove_file(self.path(digest)).is_ok()
    }

    /// Caches verified bytes under their digest. Blocking.
    pub(crate) fn write(&self, digest: &str, bytes: &[u8]) -> std::io::Result<()> {
        if !is_digest(digest) || content_digest(bytes) != digest {
            return Err(std::io::Error::other("the bytes do not match the digest"));
        }
        let tmp = self.dir.join(format!(".tmp-{digest}-{}-{}", std::process::id(), unique()));
        wasmjob_runtime::private::write_new_file(&tmp, bytes).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
        std::fs::rename(&tmp, self.path(digest)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Why a download failed; the texts become the instance's result.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// The server refused the token (log in again and retry).
    Unauthorized,
    /// Retrying cannot help: the server has no such artifact, or the bytes
    /// failed verification.
    Invalid(String),
    /// The network or the server failed: worth another try.
    Failed(String),
}

/// `GET {url}` with the bearer token: at most `size` bytes, verified.
pub(crate) async fn download(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    digest: &str,
    size: u64,
) -> std::result::Result<Vec<u8>, FetchError> {
    let failed = |what: String| FetchError::Failed(format!("cannot fetch artifact {digest}: {what}"));
    let mut response = http.get(url).bearer_auth(token).send().await.map_err(|e| failed(error_chain(&e)))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(FetchError::Unauthorized);
    }
    if status.is_client_error() {
        return Err(FetchError::Invalid(format!("cannot fetch artifact {digest}: the server answered {status}")));
    }
    if !status.is_success() {
        return Err(failed(format!("the server answered {status}")));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(64 << 20)).unwrap_or_default());
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(error_chain(&e)))? {
        if (bytes.len() + chunk.len()) as u64 > size {
            return Err(FetchError::Invalid(format!("artifact {digest} failed verification")));
        }
        bytes.extend_from_slice(&chunk);
    }
    verify(digest, size, &bytes).map_err(FetchError::Invalid)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WASM: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn written_artifacts_read_back_verified() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(&dir.path().join("artifacts")).unwrap();
        let digest = content_digest(WASM);
        assert_eq!(store.read(&digest), None);
        store.write(&digest, WASM).unwrap();
        assert_eq!(store.read(&digest).as_deref(), Some(WASM));
        // Writing again replaces the file in one rename and leaves no temporary behind.
        store.write(&digest, WASM).unwrap();
        let names: Vec<_> = std::fs::read_dir(&store.dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from(format!("{digest}.wasm"))]);
    }

    #[cfg(unix)]
    #[test]
    fn the_store_and_its_files_are_private_whatever_the_umask() {
        use wasmjob_runtime::testing::{mode, with_umask};
        let dir = tempfile::tempdir().unwrap();
        let digest = content_digest(WASM);
        let store = with_umask(0o000, || {
            let store = ArtifactStore::open(&dir.path().join("data/artifacts")).unwrap();
            store.write(&digest, WASM).unwrap();
            store
        });
        assert_eq!((mode(&dir.path().join("data")), mode(&store.dir)), (0o700, 0o700));
        assert_eq!(mode(&store.path(&digest)), 0o600);
    }

    #[test]
    fn a_corrupted_file_is_rejected_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path()).unwrap();
        let digest = content_digest(WASM);
        std::fs::write(store.path(&digest), b"\0asm tampered").unwrap();
        assert_eq!(store.read(&digest), None);
        assert!(!store.path(&digest).exists());
    }

    #[test]
    fn bytes_must_match_size_digest_and_name_rules() {
        let digest = content_digest(WASM);
        assert!(verify(&digest, WASM.len() as u64, WASM).is_ok());
        let err = verify(&digest, WASM.len() as u64 + 1, WASM).unwrap_err();
        assert_eq!(err, format!("artifact {digest} failed verification"));
        assert!(verify(&digest, 4, b"\0asm").is_err());
        assert!(is_digest(&digest));
        assert!(!is_digest("../../etc/passwd"));
        assert!(!is_digest(&digest.to_uppercase()));
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::open(dir.path()).unwrap();
        assert!(store.write(&digest, b"other bytes").is_err());
        assert_eq!(store.read("../x"), None);
    }
}
