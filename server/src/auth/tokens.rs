//! API tokens: random, shown once, stored as their sha256 with an expiry.

use crate::db::Database;
use crate::error::ApiResult;
use crate::ids::{Id, now_ms};
use sha2::{Digest, Sha256};

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
    let token = format!("wjt_{}", super::passwords::random_secret());
    let now = now_ms();
    let expires = now + ttl_ms;
    let (user, app) = match subject {
        Subject::User(id) => (Some(id.0), None),
        Subject::App(id) => (None, Some(id.0)),
    };
    sqlx::query(
        &db.sql("INSERT INTO api_token (token_hash, user_id, app_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"),
    )
    .bind(token_hash(&token))
    .bind(user)
    .bind(app)
    .bind(now as i64)
    .bind(expires as i64)
    .execute(db.pool())
    .await?;
    // Expired tokens are useless; sweep them as new ones are issued.
    sqlx::query(&db.sql("DELETE FROM api_token WHERE expires_at < ?")).bind(now as i64).execute(db.pool()).await?;
    Ok((token, expires))
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

/// A token of the `admin` account for a worker embedded in the server's
/// own process (standalone mode); it never leaves the process.
pub async fn embedded_worker_token(db: &Database) -> ApiResult<String> {
    let admin: i64 = sqlx::query_scalar(&db.sql("SELECT id FROM user_account WHERE username = 'admin'"))
        .fetch_one(db.pool())
        .await?;
    let (token, _) = issue(db, Subject::User(Id(admin)), 10 * 365 * 24 * 3_600_000).await?;
    Ok(token)
}
