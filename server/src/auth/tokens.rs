//! API tokens: random, shown once, stored as their sha256 with an expiry.
//! Also the token of the worker embedded in `wasmjob standalone`: one at a
//! time, revoked when the process stops and, should it die, at its next
//! start.

use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::ids::{Id, now_ms};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A user account.
    User(Id),
    /// An app (its name + secret logged in).
    App(Id),
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues a token for `subject` valid for `ttl_ms`; returns it and its
/// expiry.
pub async fn issue(db: &Database, subject: Subject, ttl_ms: u64) -> ApiResult<(String, u64)> {
    let token = new_token();
    let expires = store(db, &token, subject, ttl_ms).await?;
    Ok((token, expires))
}

/// A new random token.
fn new_token() -> String {
    format!("wjt_{}", super::passwords::random_secret())
}

/// Stores `token` for `subject`, valid for `ttl_ms`; returns its expiry.
async fn store(db: &Database, token: &str, subject: Subject, ttl_ms: u64) -> ApiResult<u64> {
    let now = now_ms();
    let expires = now + ttl_ms;
    let (user, app) = match subject {
        Subject::User(id) => (Some(id.0), None),
        Subject::App(id) => (None, Some(id.0)),
    };
    sqlx::query(
        &db.sql("INSERT INTO api_token (token_hash, user_id, app_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"),
    )
    .bind(token_hash(token))
    .bind(user)
    .bind(app)
    .bind(now as i64)
    .bind(expires as i64)
    .execute(db.pool())
    .await?;
    // Expired tokens are useless; sweep them as new ones are issued.
    sqlx::query(&db.sql("DELETE FROM api_token WHERE expires_at < ?")).bind(now as i64).execute(db.pool()).await?;
    Ok(expires)
}

/// A stored token, as a worker link re-checks the one that opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredToken {
    /// The account it speaks for, if a user's.
    pub user_id: Option<i64>,
    /// The app it speaks for, if an app's.
    pub app_id: Option<i64>,
    /// When it stops working (Unix ms).
    pub expires_at: i64,
    /// Whether its account administers the server (`None`: no account, or
    /// the account is gone).
    pub admin: Option<bool>,
}

/// A token's user, app, expiry, and its user's admin flag.
type TokenRow = (Option<i64>, Option<i64>, i64, Option<i64>);

/// The token stored under `token_hash`, if any (expired ones included).
pub async fn lookup(db: &Database, token_hash: &str) -> Result<Option<StoredToken>, sqlx::Error> {
    let row: Option<TokenRow> = sqlx::query_as(&db.sql(
        "SELECT t.user_id, t.app_id, t.expires_at, u.is_admin FROM api_token t \
         LEFT JOIN user_account u ON u.id = t.user_id WHERE t.token_hash = ?",
    ))
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(user_id, app_id, expires_at, admin)| StoredToken {
        user_id,
        app_id,
        expires_at,
        admin: admin.map(|a| a != 0),
    }))
}

/// Deletes a token, so it stops working at once.
pub async fn revoke(db: &Database, token: &str) -> ApiResult<()> {
    sqlx::query(&db.sql("DELETE FROM api_token WHERE token_hash = ?"))
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The lifetime of the embedded worker's token: as long as the process may
/// run. It never leaves the process, and is revoked when the process stops
/// or, after a crash, when the next one starts on the same data directory.
const EMBEDDED_TOKEN_TTL_MS: u64 = 10 * 365 * 24 * 3_600_000;

/// The file in the data directory naming the embedded worker's token by
/// its sha256 (which is no credential), so the next start can revoke it.
pub const EMBEDDED_TOKEN_FILE: &str = "embedded-worker-token.sha256";

/// The embedded worker's token could not be issued or revoked.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedTokenError {
    /// The database refused.
    #[error("the embedded worker's token: {0}")]
    Database(#[from] ApiError),
    /// The file naming the token could not be read or written.
    #[error("the embedded worker's token: {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A token of the `admin` account for a worker embedded in the server's
/// own process (standalone mode); it never leaves the process. The token
/// a previous process on `data_dir` left valid (it died before revoking
/// it) is revoked first, so at most one embedded token is valid at a time.
pub async fn embedded_worker_token(db: &Database, data_dir: &Path) -> Result<String, EmbeddedTokenError> {
    revoke_embedded_worker_token(db, data_dir).await?;
    let admin: i64 = sqlx::query_scalar(&db.sql("SELECT id FROM user_account WHERE username = 'admin'"))
        .fetch_one(db.pool())
        .await
        .map_err(ApiError::from)?;
    let token = new_token();
    // The file first: a process that dies between the two leaves a name
    // of a token that does not exist, never a token nobody can name.
    write_private(&data_dir.join(EMBEDDED_TOKEN_FILE), token_hash(&token).as_bytes())?;
    store(db, &token, Subject::User(Id(admin)), EMBEDDED_TOKEN_TTL_MS).await?;
    Ok(token)
}

/// Revokes the embedded worker's token named in `data_dir`, if any, and
/// forgets it.
pub async fn revoke_embedded_worker_token(db: &Database, data_dir: &Path) -> Result<(), EmbeddedTokenError> {
    let path = data_dir.join(EMBEDDED_TOKEN_FILE);
    let named = match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(EmbeddedTokenError::File { path, source }),
    };
    if named.len() == 64 && named.bytes().all(|b| b.is_ascii_hexdigit()) {
        let revoked = sqlx::query(&db.sql("DELETE FROM api_token WHERE token_hash = ?"))
            .bind(&named)
            .execute(db.pool())
            .await
            .map_err(ApiError::from)?;
        if revoked.rows_affected() > 0 {
            tracing::info!("revoked the embedded worker's previous token");
        }
    }
    std::fs::remove_file(&path).map_err(|source| EmbeddedTokenError::File { path, source })
}

/// Writes `bytes` to `path` readable by its owner only (0600 on Unix).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), EmbeddedTokenError> {
    use std::io::Write;
    let fail = |source| EmbeddedTokenError::File { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(fail)
}
