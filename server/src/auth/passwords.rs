//! Password and secret hashing (argon2id), on the blocking pool: a hash
//! takes tens of milliseconds on purpose.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

/// Hashes `secret` into a PHC string.
pub async fn hash(secret: String) -> Result<String, crate::error::ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|_| crate::error::ApiError::Internal)?
    .map_err(|e| {
        tracing::error!(error = %e, "hashing failed");
        crate::error::ApiError::Internal
    })
}

/// Whether `secret` matches the PHC string `hash`.
pub async fn verify(secret: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A random secret of 32 bytes, URL-safe base64.
pub fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_hash_verifies_only_its_secret() {
        let hash = super::hash("correct horse".into()).await.unwrap();
        assert!(!hash.contains("correct"));
        assert!(super::verify("correct horse".into(), hash.clone()).await);
        assert!(!super::verify("wrong".into(), hash).await);
    }
}
