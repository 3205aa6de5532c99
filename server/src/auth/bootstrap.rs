//! The administrator account created at first start.

use crate::db::Database;
use crate::error::ApiError;
use crate::ids::{IdGenerator, now_ms};

/// Creates the `admin` account when no account exists. Returns the
/// generated password when none was configured, for the binary to print
/// once; the server never logs it.
pub async fn ensure_admin(
    db: &Database,
    ids: &IdGenerator,
    configured: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_account").fetch_one(db.pool()).await?;
    if count > 0 {
        return Ok(None);
    }
    let generated = configured.is_none().then(super::passwords::random_secret);
    let password = configured.map(str::to_string).or_else(|| generated.clone()).unwrap_or_default();
    let hash = super::passwords::hash(password).await?;
    let inserted = sqlx::query(&db.sql(
        "INSERT INTO user_account (id, username, password_hash, is_admin, created_at) VALUES (?, 'admin', ?, 1, ?)",
    ))
    .bind(ids.next().0)
    .bind(hash)
    .bind(now_ms() as i64)
    .execute(db.pool())
    .await;
    match inserted {
        Ok(_) => {
            tracing::info!("created the administrator account `admin`");
            Ok(generated)
        }
        // Another server created it first.
        Err(e) if crate::db::is_unique_violation(&e, "user_account_username_key") => Ok(None),
        Err(e) => Err(e.into()),
    }
}
