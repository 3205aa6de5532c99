//! Sealing git credentials at rest: XChaCha20-Poly1305 under the server's
//! key, a fresh random nonce per value, the container's id bound in as
//! associated data (a sealed value copied onto another container does not
//! open). The key comes from the configuration (`builds.secret_key`,
//! base64 of 32 bytes; every server of a cluster needs the same) or, when
//! absent, from `<data_dir>/secret.key`, created once with mode 0600.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;

/// Why the key could not be had, or a value not opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The configured or stored key is not base64 of 32 bytes.
    #[error("the secret key must be base64 of 32 bytes")]
    BadKey,
    /// The key file could not be read or written.
    #[error("secret key file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A sealed value is damaged, or sealed under another key.
    #[error("stored credentials cannot be opened: was the server's secret key changed?")]
    Open,
}

/// Seals and opens secrets with the server's key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
}

impl Sealer {
    /// A sealer with the configured key, else the data directory's.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        let key = match configured {
            Some(text) => decode(text)?,
            None => key_file(&data_dir.join("secret.key"))?,
        };
        Ok(Self::new(&key))
    }

    /// A sealer with `key`.
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(key)) }
    }

    /// `plain` sealed for the record `context`: base64 of nonce and
    /// ciphertext.
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed =
            self.cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: context }).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// Opens what [`Sealer::seal`] sealed for the same `context`.
    pub fn open(&self, context: &[u8], sealed: &str) -> Result<Vec<u8>, SecretError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SecretError::Open)?;
        if bytes.len() < 24 + 16 {
            return Err(SecretError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: context })
            .map_err(|_| SecretError::Open)
    }
}

fn decode(text: &str) -> Result<[u8; 32], SecretError> {
    STANDARD.decode(text.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or(SecretError::BadKey)
}

/// The key in `path`, created (0600) with a random key when missing.
fn key_file(path: &Path) -> Result<[u8; 32], SecretError> {
    let io = |source| SecretError::File { path: path.display().to_string(), source };
    match std::fs::read_to_string(path) {
        Ok(text) => return decode(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    if let Some(dir) = path.parent() {
        wasmjob_runtime::private::create_missing_dir(dir).map_err(io)?;
    }
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(STANDARD.encode(key).as_bytes()).map_err(io)?;
            Ok(key)
        }
        // Another server process on this directory made it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => decode(&std::fs::read_to_string(path).map_err(io)?),
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer.seal(b"container:1", b"hunter2");
        assert!(!sealed.contains("hunter2"));
        assert_ne!(sealed, sealer.seal(b"container:1", b"hunter2"), "a fresh nonce each time");
        assert_eq!(sealer.open(b"container:1", &sealed).unwrap(), b"hunter2");
        assert!(sealer.open(b"container:2", &sealed).is_err(), "bound to its record");
        assert!(Sealer::new(&[8; 32]).open(b"container:1", &sealed).is_err(), "bound to its key");
        assert!(sealer.open(b"container:1", "not base64!").is_err());
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = Sealer::load(None, dir.path()).unwrap();
        let sealed = first.seal(b"x", b"secret");
        let again = Sealer::load(None, dir.path()).unwrap();
        assert_eq!(again.open(b"x", &sealed).unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(Sealer::load(Some("c2hvcnQ="), dir.path()), Err(SecretError::BadKey)));
        let configured = STANDARD.encode([1u8; 32]);
        assert!(Sealer::load(Some(&configured), dir.path()).is_ok());
    }
}
