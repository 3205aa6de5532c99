//! The database: one pool over SQLite, PostgreSQL or MySQL/MariaDB, chosen
//! by URL, with the dialect's migrations applied at start (assembled from
//! `migrations/`, written once where the dialects agree: `migrations`,
//! `layout`).
//!
//! Queries are static SQL written once with `?` placeholders; `sql()`
//! rewrites them to `$1, $2, …` for PostgreSQL. Values cross as the types
//! every dialect shares: `BIGINT` (i64; times are epoch milliseconds,
//! flags 0/1), `VARCHAR`/`TEXT` (enums as names, JSON as text).

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Error as SqlxError, Transaction};
use std::borrow::Cow;
use std::time::Duration;

#[cfg(test)]
mod layout;
mod migrations;

/// Which SQL dialect the pool speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// Errors opening or migrating the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported database.
    #[error("unsupported database URL: it must start with sqlite:, postgres: or mysql:")]
    UnsupportedUrl,
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(SqlxError),
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The directory of a SQLite file could not be created.
    #[error("cannot create {path}: {source}")]
    Directory {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A connection pool and its dialect.
#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    dialect: Dialect,
}

impl Database {
    /// Connects to `url` (creating a SQLite file's directory if needed;
    /// the file and its `-wal`/`-shm` companions are private, 0600).
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("mysql:") {
            Dialect::MySql
        } else {
            return Err(DbError::UnsupportedUrl);
        };
        if dialect == Dialect::Sqlite {
            prepare_sqlite_file(url)?;
        }
        let max = if dialect == Dialect::Sqlite { 4 } else { 16 };
        let sqlite = dialect == Dialect::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    // Readers never wait for the writer, commits do not
                    // wait for the disk twice, and writers queue for each
                    // other instead of failing.
                    if sqlite {
                        use sqlx::Executor;
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(DbError::Connect)?;
        Ok(Self { pool, dialect })
    }

    /// Applies the dialect's pending migrations.
    pub async fn migrate(&self) -> Result<(), DbError> {
        migrations::migrator(self.dialect).await?.run(&self.pool).await?;
        Ok(())
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that may write. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads
    /// first and then writes fails at once with "database is locked" when
    /// another connection committed in between, whatever the busy timeout,
    /// while an immediate one waits its turn behind the busy timeout.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, SqlxError> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres | Dialect::MySql => self.pool.begin().await,
        }
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// `query` in this dialect's placeholder syntax.
    pub fn sql(&self, query: &'static str) -> Cow<'static, str> {
        match self.dialect {
            Dialect::Postgres => Cow::Owned(numbered_placeholders(query)),
            Dialect::Sqlite | Dialect::MySql => Cow::Borrowed(query),
        }
    }
}

/// `?` → `$1`, `$2`, … outside string literals.
fn numbered_placeholders(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 8);
    let mut n = 0;
    let mut in_string = false;
    for c in query.chars() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

/// Creates a SQLite file's directory (0700) when missing and the file
/// itself (0600) when the URL lets SQLite create it, before SQLite does
/// with the umask's mode: SQLite gives its `-wal` and `-shm` files the
/// database file's mode. An existing database and its companions are set
/// to 0600.
fn prepare_sqlite_file(url: &str) -> Result<(), DbError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return Ok(());
    }
    let fail = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| DbError::Directory { path, source }
    };
    let file = std::path::Path::new(path);
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        wasmjob_runtime::private::create_missing_dir(dir).map_err(fail(dir))?;
    }
    let creates = query.split('&').any(|p| p == "mode=rwc");
    if creates
        && let Err(e) = wasmjob_runtime::private::create_new_file(file)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        return Err(fail(file)(e));
    }
    for companion in ["", "-wal", "-shm", "-journal"] {
        let path = std::path::PathBuf::from(format!("{path}{companion}"));
        if path.is_file() {
            wasmjob_runtime::private::restrict_file(&path).map_err(fail(&path))?;
        }
    }
    Ok(())
}

/// Whether `error` is a violation of any unique key (for statements
/// whose only unique key that can clash is known: SQLite names the columns
/// of a unique index, not the index).
pub fn is_any_unique_violation(error: &SqlxError) -> bool {
    matches!(error, SqlxError::Database(db) if db.is_unique_violation())
}

/// Whether `error` is a violation of the unique constraint `name`.
pub fn is_unique_violation(error: &SqlxError, name: &str) -> bool {
    match error {
        SqlxError::Database(db) if db.is_unique_violation() => {
            // PostgreSQL names the constraint; MySQL names the key; SQLite
            // names the columns (`app.name` for `app_name_key`).
            let columns = name.trim_end_matches("_key").replacen('_', ".", 1);
            db.constraint() == Some(name) || db.message().contains(name) || db.message().contains(&columns)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_placeholders;

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2"
        );
    }
}

/// A text column. MySQL/MariaDB hand `TEXT` columns to the Any driver as
/// `BLOB`; this type accepts both and insists on UTF-8.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbText(pub String);

impl sqlx::Type<sqlx::Any> for DbText {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        use sqlx::any::AnyTypeInfoKind;
        matches!(ty.kind(), AnyTypeInfoKind::Text | AnyTypeInfoKind::Blob)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for DbText {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::{Decode, Value, ValueRef};
        let owned = ValueRef::to_owned(&value);
        if let Ok(text) = <String as Decode<sqlx::Any>>::decode(owned.as_ref()) {
            return Ok(DbText(text));
        }
        let bytes = <Vec<u8> as Decode<sqlx::Any>>::decode(owned.as_ref())?;
        Ok(DbText(String::from_utf8(bytes)?))
    }
}
