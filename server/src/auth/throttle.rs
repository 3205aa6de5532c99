//! Failed logins, counted per name (an account or an app, known or not:
//! names cannot be probed) and per client address, in the table
//! `login_throttle` that every server of a cluster shares, so an attacker
//! gains nothing by spreading guesses over servers or waiting for a
//! restart. After `max_failures_per_name` failures of a name (or
//! `max_failures_per_address` from an address) further attempts are
//! refused with 429 and `Retry-After` until the lockout ends, the right
//! password too; each failure after a lockout doubles the next one, up to
//! `max_lockout_secs`. Failures are forgotten `forget_failures_after_secs`
//! after the last one; a successful login forgets its name's failures (not
//! its address's). The table is bounded: forgotten rows are swept, and
//! beyond `max_tracked` rows the oldest go first.

use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::ids::now_ms;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicI64, Ordering};
use utoipa::ToSchema;

/// `[login]`: how failed logins are throttled and how many logins may
/// wait for a password check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Failures of one account or app name before it is locked.
    pub max_failures_per_name: u32,
    /// Failures from one address (any names) before it is locked.
    pub max_failures_per_address: u32,
    /// The first lockout, in seconds; each later failure doubles it.
    pub lockout_secs: u64,
    /// The longest lockout, in seconds.
    pub max_lockout_secs: u64,
    /// Failures are forgotten this long after the last one, in seconds.
    pub forget_failures_after_secs: u64,
    /// The most names and addresses tracked at once.
    pub max_tracked: u64,
    /// Logins that may wait for a password check (one runs per core at a
    /// time); more are refused with 503 and `Retry-After`.
    pub max_waiting: usize,
    /// Reverse proxies in front of the server whose `X-Forwarded-For` is
    /// trusted; 0 (default): the connection's address counts.
    pub forwarded_for_hops: u32,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            max_failures_per_name: 5,
            max_failures_per_address: 20,
            lockout_secs: 2,
            max_lockout_secs: 900,
            forget_failures_after_secs: 3600,
            max_tracked: 100_000,
            max_waiting: 32,
            forwarded_for_hops: 0,
        }
    }
}

impl LoginConfig {
    /// Why this configuration cannot work, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=1000).contains(&self.max_failures_per_name) || !(1..=100_000).contains(&self.max_failures_per_address)
        {
            return Err(
                "login.max_failures_per_name must be 1 to 1000 and login.max_failures_per_address 1 to 100000".into()
            );
        }
        if self.lockout_secs == 0 || self.lockout_secs > self.max_lockout_secs {
            return Err("login.lockout_secs must be at least 1 and at most login.max_lockout_secs".into());
        }
        if self.max_lockout_secs > self.forget_failures_after_secs || self.forget_failures_after_secs > 30 * 86_400 {
            return Err("login.max_lockout_secs must be at most login.forget_failures_after_secs, \
                        which must be at most 2592000 (30 days)"
                .into());
        }
        if !(100..=100_000_000).contains(&self.max_tracked) {
            return Err("login.max_tracked must be between 100 and 100000000".into());
        }
        if !(1..=100_000).contains(&self.max_waiting) || self.forwarded_for_hops > 16 {
            return Err("login.max_waiting must be 1 to 100000 and login.forwarded_for_hops 0 to 16".into());
        }
        Ok(())
    }

    /// The lockout after `failures` failures against a limit of `max`.
    fn lockout_ms(&self, failures: i64, max: u32) -> Option<u64> {
        let excess = failures.checked_sub(i64::from(max))?;
        let excess = u32::try_from(excess).ok()?.min(40);
        Some((self.lockout_secs.saturating_mul(1 << excess)).min(self.max_lockout_secs) * 1000)
    }
}

/// What a tracked row counts the failures of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A user account's name (existing or not).
    User,
    /// An app's name (existing or not).
    App,
    /// A client address (an IPv6 address's /64 network).
    Address,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::App => "app",
            Kind::Address => "address",
        }
    }

    fn parse(text: &str) -> Kind {
        match text {
            "app" => Kind::App,
            "address" => Kind::Address,
            _ => Kind::User,
        }
    }
}

/// The key of a name: the sha256 of its kind and its name as the databases
/// compare names (MariaDB ignores case and trailing spaces), so any
/// spelling that logs in as a name counts against that name. Keys are
/// fixed-length ASCII whatever the name holds.
pub fn key(kind: Kind, name: &str) -> String {
    let normalized = name.trim_end().to_lowercase();
    hex::encode(Sha256::digest(format!("{}:{normalized}", kind.as_str()).as_bytes()))
}

/// How a name is shown to administrators: ASCII, at most 200 characters.
fn display(name: &str) -> String {
    name.escape_default().take(200).collect()
}

/// One name or address whose failures count.
#[derive(Debug, Clone)]
struct Tracked {
    kind: Kind,
    name: String,
    key: String,
    max_failures: u32,
}

/// A login attempt: the name it tries and where it comes from.
#[derive(Debug)]
pub struct Attempt {
    tracked: Vec<Tracked>,
}

/// When the last sweep of this process ran, Unix milliseconds.
static LAST_SWEEP: AtomicI64 = AtomicI64::new(0);

impl Attempt {
    /// An attempt on `name` (a user's or an app's) from `address`.
    pub fn new(kind: Kind, name: &str, address: Option<&str>, config: &LoginConfig) -> Self {
        let mut tracked = vec![Tracked {
            kind,
            name: display(name),
            key: key(kind, name),
            max_failures: config.max_failures_per_name,
        }];
        if let Some(address) = address {
            tracked.push(Tracked {
                kind: Kind::Address,
                name: display(address),
                key: key(Kind::Address, address),
                max_failures: config.max_failures_per_address,
            });
        }
        Self { tracked }
    }

    /// Refuses (429) while the name or the address is locked.
    pub async fn check(&self, db: &Database) -> ApiResult<()> {
        let (first, second) = (&self.tracked[0].key, &self.tracked.last().unwrap_or(&self.tracked[0]).key);
        let until: Option<i64> = sqlx::query_scalar(
            &db.sql("SELECT MAX(locked_until) FROM login_throttle WHERE subject_key = ? OR subject_key = ?"),
        )
        .bind(first)
        .bind(second)
        .fetch_one(db.pool())
        .await?;
        let now = now_ms() as i64;
        match until {
            Some(until) if until > now => {
                let retry_after_secs = ((until - now + 999) / 1000) as u64;
                Err(ApiError::TooManyRequests {
                    message: format!("too many failed logins: try again in {retry_after_secs} s"),
                    retry_after_secs,
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure against the name and the address, locking either
    /// once it has failed too often.
    pub async fn failed(&self, db: &Database, config: &LoginConfig) -> ApiResult<()> {
        let now = now_ms() as i64;
        let mut inserted = false;
        for tracked in &self.tracked {
            inserted |= count_failure(db, config, tracked, now).await?;
        }
        // A sweep at most once a second per server: each failure cost a
        // password check, so the table cannot outgrow its bound by much
        // in between.
        let last = LAST_SWEEP.load(Ordering::SeqCst);
        if inserted
            && now - last >= 1000
            && LAST_SWEEP.compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst).is_ok()
        {
            sweep(db, config, now).await?;
        }
        Ok(())
    }

    /// Forgets the name's failures after a successful login.
    pub async fn succeeded(&self, db: &Database) -> ApiResult<()> {
        sqlx::query(&db.sql("DELETE FROM login_throttle WHERE subject_key = ?"))
            .bind(&self.tracked[0].key)
            .execute(db.pool())
            .await?;
        Ok(())
    }
}

/// Counts one failure of `tracked` and locks it when it has failed too
/// often; whether its row is new.
async fn count_failure(db: &Database, config: &LoginConfig, tracked: &Tracked, now: i64) -> ApiResult<bool> {
    let forget_before = now - (config.forget_failures_after_secs * 1000) as i64;
    // Failures older than the memory start the count afresh.
    let bump_sql = db.sql(
        "UPDATE login_throttle SET failures = CASE WHEN last_failure_at < ? THEN 1 ELSE failures + 1 END, \
         last_failure_at = ? WHERE subject_key = ?",
    );
    let bump = || sqlx::query(&bump_sql).bind(forget_before).bind(now).bind(&tracked.key).execute(db.pool());
    let mut inserted = false;
    if bump().await?.rows_affected() == 0 {
        let insert = sqlx::query(&db.sql(
            "INSERT INTO login_throttle (subject_key, kind, name, failures, locked_until, last_failure_at) \
             VALUES (?, ?, ?, 1, 0, ?)",
        ))
        .bind(&tracked.key)
        .bind(tracked.kind.as_str())
        .bind(&tracked.name)
        .bind(now)
        .execute(db.pool())
        .await;
        match insert {
            Ok(_) => inserted = true,
            // Another login inserted it first: count on its row.
            Err(e) if crate::db::is_any_unique_violation(&e) => {
                bump().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let failures: i64 = sqlx::query_scalar(&db.sql("SELECT failures FROM login_throttle WHERE subject_key = ?"))
        .bind(&tracked.key)
        .fetch_optional(db.pool())
        .await?
        .unwrap_or(1);
    if let Some(lockout) = config.lockout_ms(failures, tracked.max_failures) {
        let until = now + lockout as i64;
        sqlx::query(&db.sql("UPDATE login_throttle SET locked_until = ? WHERE subject_key = ? AND locked_until < ?"))
            .bind(until)
            .bind(&tracked.key)
            .bind(until)
            .execute(db.pool())
            .await?;
        // The name may be a password typed in the wrong field: never logged.
        let address = (tracked.kind == Kind::Address).then_some(tracked.name.as_str());
        tracing::warn!(kind = tracked.kind.as_str(), address, failures, lockout_ms = lockout, "login locked");
    }
    Ok(inserted)
}

/// Deletes forgotten rows, then the oldest beyond `max_tracked`.
pub async fn sweep(db: &Database, config: &LoginConfig, now: i64) -> ApiResult<()> {
    let forget_before = now - (config.forget_failures_after_secs * 1000) as i64;
    sqlx::query(&db.sql("DELETE FROM login_throttle WHERE locked_until < ? AND last_failure_at < ?"))
        .bind(now)
        .bind(forget_before)
        .execute(db.pool())
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle").fetch_one(db.pool()).await?;
    let max = i64::try_from(config.max_tracked).unwrap_or(i64::MAX);
    if count > max {
        // The newest `max` rows stay (rows failing in the same millisecond
        // as the last kept one stay too).
        let cutoff: Option<i64> = sqlx::query_scalar(
            &db.sql("SELECT last_failure_at FROM login_throttle ORDER BY last_failure_at DESC LIMIT 1 OFFSET ?"),
        )
        .bind(max - 1)
        .fetch_optional(db.pool())
        .await?;
        if let Some(cutoff) = cutoff {
            let deleted = sqlx::query(&db.sql("DELETE FROM login_throttle WHERE last_failure_at < ?"))
                .bind(cutoff)
                .execute(db.pool())
                .await?;
            tracing::warn!(deleted = deleted.rows_affected(), max, "the login throttle is full: forgot its oldest");
        }
    }
    Ok(())
}

/// A locked name or address.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lockout {
    /// Names this lockout in `DELETE /auth/lockouts/{id}`.
    pub id: String,
    /// What is locked.
    pub kind: Kind,
    /// The account's or app's name as tried (non-ASCII escaped), or the
    /// address (an IPv6 address's /64 network).
    pub name: String,
    /// Failures counted (forgotten an hour after the last one, by default).
    pub failures: i64,
    /// When logins are accepted again, Unix milliseconds.
    pub locked_until: i64,
    /// The last failure, Unix milliseconds.
    pub last_failure_at: i64,
}

/// The most lockouts listed at once.
pub const MAX_LISTED: i64 = 1000;

/// The lockouts in force, longest first (at most [`MAX_LISTED`]).
pub async fn locked(db: &Database) -> ApiResult<Vec<Lockout>> {
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(&db.sql(
        "SELECT subject_key, kind, name, failures, locked_until, last_failure_at FROM login_throttle \
         WHERE locked_until > ? ORDER BY locked_until DESC, subject_key LIMIT ?",
    ))
    .bind(now_ms() as i64)
    .bind(MAX_LISTED)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, name, failures, locked_until, last_failure_at)| Lockout {
            id,
            kind: Kind::parse(&kind),
            name,
            failures,
            locked_until,
            last_failure_at,
        })
        .collect())
}

/// Forgets the failures of the row `id` (ending its lockout); whether it
/// existed.
pub async fn clear(db: &Database, id: &str) -> ApiResult<bool> {
    let deleted =
        sqlx::query(&db.sql("DELETE FROM login_throttle WHERE subject_key = ?")).bind(id).execute(db.pool()).await?;
    Ok(deleted.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_from_the_limit_up_to_the_maximum() {
        let config = LoginConfig { lockout_secs: 2, max_lockout_secs: 60, ..LoginConfig::default() };
        assert_eq!(config.lockout_ms(4, 5), None);
        assert_eq!(config.lockout_ms(5, 5), Some(2_000));
        assert_eq!(config.lockout_ms(6, 5), Some(4_000));
        assert_eq!(config.lockout_ms(9, 5), Some(32_000));
        assert_eq!(config.lockout_ms(10, 5), Some(60_000));
        assert_eq!(config.lockout_ms(1_000_000, 5), Some(60_000));
    }

    #[test]
    fn spellings_the_database_confuses_share_a_key() {
        assert_eq!(key(Kind::User, "Admin "), key(Kind::User, "admin"));
        assert_ne!(key(Kind::User, "admin"), key(Kind::App, "admin"));
        assert_eq!(key(Kind::User, "é").len(), 64);
        assert_eq!(display("a\u{1F600}\n"), "a\\u{1f600}\\n");
    }

    #[test]
    fn the_defaults_are_valid_and_nonsense_is_refused() {
        assert_eq!(LoginConfig::default().validate(), Ok(()));
        let zero = LoginConfig { lockout_secs: 0, ..LoginConfig::default() };
        assert!(zero.validate().is_err());
        let longer_than_memory = LoginConfig { max_lockout_secs: 7200, ..LoginConfig::default() };
        assert!(longer_than_memory.validate().is_err());
    }
}
