//! Each dialect's `sqlx` migrator, assembled from `server/migrations/`:
//! a migration is written once, `NNNN_description.sql`, when the dialects
//! agree, and once per dialect, `NNNN_description.{sqlite,postgres,mysql}.sql`,
//! when they differ (the rules: `layout.rs`). `build.rs` checks the
//! directory and embeds the files with `include_str!`; nothing is read at
//! run time. A migration keeps the version, description and checksum
//! (SHA-384 of its SQL) that `sqlx` stores in `_sqlx_migrations` and
//! compares at every start, whichever file it comes from.

use super::Dialect;
use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;

/// One embedded migration of one dialect.
#[derive(Debug)]
struct Embedded {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

// `SQLITE`, `POSTGRES`, `MYSQL`: `&[Embedded]`, by version.
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// A dialect's embedded migrations, as a `sqlx` source.
#[derive(Debug, Clone, Copy)]
struct EmbeddedSource(Dialect);

impl EmbeddedSource {
    fn migrations(self) -> Vec<Migration> {
        let list = match self.0 {
            Dialect::Sqlite => SQLITE,
            Dialect::Postgres => POSTGRES,
            Dialect::MySql => MYSQL,
        };
        list.iter()
            .map(|m| {
                Migration::new(
                    m.version,
                    Cow::Borrowed(m.description),
                    MigrationType::Simple,
                    Cow::Borrowed(m.sql),
                    // As `sqlx` reads a migrations directory.
                    m.sql.starts_with("-- no-transaction"),
                )
            })
            .collect()
    }
}

impl MigrationSource<'static> for EmbeddedSource {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(self.migrations()) })
    }
}

/// The migrator of `dialect`.
pub(super) async fn migrator(dialect: Dialect) -> Result<Migrator, MigrateError> {
    Migrator::new(EmbeddedSource(dialect)).await
}

#[cfg(test)]
mod tests {
    use super::{Dialect, migrator};

    /// The migrations of the release before the shared layout: dialect,
    /// version, description, SHA-384 (hex), recorded from its directories.
    const RELEASE: &str = include_str!("../../tests/fixtures/migrations-release.tsv");

    fn release(dialect: &str) -> Vec<(i64, String, String)> {
        RELEASE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f[0] == dialect)
            .map(|f| (f[1].parse().unwrap(), f[2].to_string(), f[3].to_string()))
            .collect()
    }

    /// Every migration a release applied keeps its version, description and
    /// checksum in every dialect: a database it made starts again.
    #[tokio::test]
    async fn released_migrations_are_unchanged_in_every_dialect() {
        for (dialect, name) in [(Dialect::Sqlite, "sqlite"), (Dialect::Postgres, "postgres"), (Dialect::MySql, "mysql")]
        {
            let released = release(name);
            assert!(released.len() >= 9, "{name}: the fixture lists at least the nine migrations of the first release");
            let now: Vec<(i64, String, String)> = migrator(dialect)
                .await
                .unwrap()
                .iter()
                .map(|m| (m.version, m.description.to_string(), hex::encode(&m.checksum)))
                .collect();
            assert_eq!(&now[..released.len()], &released[..], "{name}");
            assert!(
                now.windows(2).all(|w| w[0].0 < w[1].0),
                "{name}: later migrations come after the release's, in order"
            );
        }
    }
}
