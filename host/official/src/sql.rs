//! SQL: statements from the parameters — `{"datasource", "sql",
//! "timeout", "showResult"}` (PowerJob's `dataSourceName` is accepted too)
//! — on one of the worker's named datasources (SQLite, PostgreSQL,
//! MySQL/MariaDB through sqlx), or, where the worker enables `sql-dynamic`,
//! on a connection `url` the parameters give. The statements are read by
//! an SQL parser of the database's dialect (`sql_kinds`) before anything
//! runs: kinds the worker refuses never run (by default DROP, TRUNCATE,
//! ATTACH and dynamic SQL), nor does text the parser cannot read. A worker
//! that runs SQL read-only accepts queries alone and runs them in a
//! read-only transaction (SQLite: `query_only`), so the database itself
//! refuses a write the check could not see (a function's, say). The result
//! reports the rows returned and affected; `showResult` puts a bounded
//! table of the rows in the log.

use super::config::OfficialConfig;
use super::sql_kinds::{SqlKind, classify, dialect_of};
use super::{Ended, Official, Outcome, Run, Task};
use futures_util::TryStreamExt;
use serde::Deserialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Column, Connection, Either, Row};
use std::collections::HashMap;
use std::time::Duration;
use wasmjob_runtime::{LogLevel, LogSource};

/// Characters of a cell shown at most.
const CELL: usize = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Params {
    #[serde(default, alias = "dataSourceName")]
    datasource: Option<String>,
    #[serde(default)]
    url: Option<String>,
    sql: String,
    /// Seconds.
    #[serde(default = "sixty")]
    timeout: u64,
    #[serde(default)]
    show_result: bool,
}

fn sixty() -> u64 {
    60
}

const EXAMPLE: &str = r#"{"datasource":"reports","sql":"SELECT count(*) FROM orders","timeout":30,"showResult":true}"#;

/// Decodes and checks the parameters.
fn parse(params: &str) -> Result<Params, String> {
    let p: Params = super::params::json(params, EXAMPLE)?;
    if p.sql.trim().is_empty() {
        return Err("`sql` is empty".into());
    }
    if p.timeout == 0 || p.timeout > 86_400 {
        return Err("timeout is in seconds, from 1 to 86400".into());
    }
    match (&p.datasource, &p.url) {
        (Some(_), Some(_)) => Err("give `datasource` or `url`, not both".into()),
        (None, None) => Err(format!("name a `datasource`, e.g. {EXAMPLE}")),
        _ => Ok(p),
    }
}

/// Checks parameters without running anything.
pub(crate) fn check(params: &str) -> Result<(), String> {
    parse(params).map(|_| ())
}

/// Whether the parameters ask for SQL on a connection URL of their own
/// (only workers that enable `sql-dynamic` run those).
pub(crate) fn is_dynamic(params: &str) -> bool {
    serde_json::from_str::<Params>(params).is_ok_and(|p| p.url.is_some())
}

/// The SQL processor.
pub(crate) struct Sql {
    /// Each datasource's pool and URL scheme (its dialect).
    pools: HashMap<String, (AnyPool, Engine)>,
    dynamic: bool,
    refuse: Vec<SqlKind>,
    read_only: bool,
    max_rows: usize,
}

/// The database behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
    MySql,
}

impl Engine {
    fn of(url: &str) -> Self {
        if url.starts_with("postgres") {
            Self::Postgres
        } else if url.starts_with("mysql") || url.starts_with("mariadb") {
            Self::MySql
        } else {
            Self::Sqlite
        }
    }

    /// A URL of this engine, for its SQL dialect.
    fn scheme(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite:",
            Self::Postgres => "postgres:",
            Self::MySql => "mysql:",
        }
    }

    /// The statements that make the connection read-only, and that undo it.
    fn read_only(self) -> (&'static str, &'static str) {
        match self {
            Self::Sqlite => ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
            Self::Postgres => ("BEGIN READ ONLY", "ROLLBACK"),
            Self::MySql => ("START TRANSACTION READ ONLY", "ROLLBACK"),
        }
    }
}

impl std::fmt::Debug for Sql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&String> = self.pools.keys().collect();
        f.debug_struct("Sql").field("datasources", &names).field("dynamic", &self.dynamic).finish_non_exhaustive()
    }
}

impl Sql {
    pub(crate) fn new(config: &OfficialConfig) -> crate::Result<Self> {
        sqlx::any::install_default_drivers();
        let bad = |what: String| crate::ConfigError(what);
        let mut pools = HashMap::new();
        for source in &config.datasources {
            let pool = AnyPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(30))
                .connect_lazy(&source.url)
                .map_err(|e| bad(format!("datasource `{}`: {}", source.name, redact(&e.to_string(), &source.url))))?;
            pools.insert(source.name.clone(), (pool, Engine::of(&source.url)));
        }
        let dynamic = config.enabled().contains(&super::OfficialKind::SqlDynamic);
        let (refuse, read_only) = (config.sql_refuse.clone(), config.sql_read_only);
        Ok(Self { pools, dynamic, refuse, read_only, max_rows: config.sql_max_rows })
    }

    /// Why `sql` may not run on `engine` here, if it may not.
    fn check(&self, sql: &str, engine: Engine) -> Result<(), String> {
        if self.refuse.is_empty() && !self.read_only {
            return Ok(());
        }
        let refused = |why: String| format!("the statement was refused by this worker's SQL check: {why}");
        let kinds = classify(dialect_of(engine.scheme()).as_ref(), sql).map_err(refused)?;
        if self.read_only
            && let Some(kind) = kinds.iter().find(|k| **k != SqlKind::Query)
        {
            return Err(refused(format!("this worker runs SQL read-only, and it holds a `{kind}` statement")));
        }
        if let Some(kind) = kinds.iter().find(|k| self.refuse.contains(k)) {
            let names: Vec<&str> = self.refuse.iter().map(|k| k.name()).collect();
            return Err(refused(format!("it holds a `{kind}` statement (refused here: {})", names.join(", "))));
        }
        Ok(())
    }

    async fn execute(&self, task: &Task<'_>) -> Outcome {
        let p = parse(task.params)?;
        let engine = match (&p.datasource, &p.url) {
            (Some(name), None) => self.pools.get(name).map(|(_, engine)| *engine),
            (None, Some(url)) => Some(Engine::of(url)),
            _ => None,
        };
        if let Some(engine) = engine {
            self.check(&p.sql, engine)?;
        }
        let limit = Duration::from_secs(p.timeout);
        let timed_out = || format!("the statement did not finish within its timeout of {} s", p.timeout);
        match (&p.datasource, &p.url) {
            (Some(name), None) => {
                let (pool, engine) = self.pools.get(name).ok_or_else(|| {
                    let mut names: Vec<&String> = self.pools.keys().collect();
                    names.sort();
                    format!("this worker has no datasource `{name}` (it has {names:?})")
                })?;
                let mut conn = tokio::time::timeout(limit, pool.acquire())
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(|e| format!("cannot connect to datasource `{name}`: {e}"))?;
                match tokio::time::timeout(limit, self.run_on(&mut conn, &p, task, *engine)).await {
                    Ok((outcome, true)) => outcome,
                    Ok((outcome, false)) => {
                        // Still read-only, or in a transaction: not for
                        // another task.
                        conn.close_on_drop();
                        outcome
                    }
                    Err(_) => {
                        // The statement may still run on the server: this
                        // connection is not given to another task.
                        conn.close_on_drop();
                        Err(timed_out())
                    }
                }
            }
            (None, Some(url)) if self.dynamic => {
                let mut conn = tokio::time::timeout(limit, sqlx::AnyConnection::connect(url))
                    .await
                    .map_err(|_| timed_out())?
                    .map_err(|e| format!("cannot connect to the given URL: {}", redact(&e.to_string(), url)))?;
                let outcome = tokio::time::timeout(limit, self.run_on(&mut conn, &p, task, Engine::of(url))).await;
                let _ = conn.close().await;
                outcome.map(|(outcome, _)| outcome).unwrap_or_else(|_| Err(timed_out()))
            }
            (None, Some(_)) => {
                Err("this worker does not run SQL on connection URLs from jobs (sql-dynamic is off)".into())
            }
            _ => Err(format!("name a `datasource`, e.g. {EXAMPLE}")),
        }
    }

    /// Runs the statements (read-only where the worker says so); the
    /// outcome, and whether the connection is as it was (fit for reuse).
    async fn run_on(
        &self,
        conn: &mut sqlx::AnyConnection,
        p: &Params,
        task: &Task<'_>,
        engine: Engine,
    ) -> (Outcome, bool) {
        if !self.read_only {
            return (self.statements(conn, p, task).await, true);
        }
        let (enter, leave) = engine.read_only();
        if let Err(e) = plain(conn, enter).await {
            return (Err(format!("cannot make the connection read-only: {e}")), false);
        }
        let outcome = self.statements(conn, p, task).await;
        let left = plain(conn, leave).await.is_ok();
        (outcome, left)
    }

    async fn statements(&self, conn: &mut sqlx::AnyConnection, p: &Params, task: &Task<'_>) -> Outcome {
        let mut stream = sqlx::raw_sql(&p.sql).fetch_many(&mut *conn);
        let (mut rows, mut affected) = (0u64, 0u64);
        let mut table: Option<Table> = None;
        while let Some(item) = stream.try_next().await.map_err(|e| format!("the statement failed: {e}"))? {
            match item {
                Either::Left(done) => affected += done.rows_affected(),
                Either::Right(row) => {
                    rows += 1;
                    if p.show_result && (rows as usize) <= self.max_rows {
                        table.get_or_insert_with(|| Table::new(&row)).add(&row);
                    }
                }
            }
        }
        if let Some(table) = table {
            for line in table.render(rows, self.max_rows) {
                task.log(LogLevel::Info, LogSource::Host, &line);
            }
        }
        // PostgreSQL counts the rows a SELECT returned as affected too.
        let affected = if rows > 0 { affected.saturating_sub(rows) } else { affected };
        Ok(Ended::new(true, format!("{rows} rows returned, {affected} rows affected")))
    }
}

/// Runs statements of the worker's own, ignoring what they return.
async fn plain(conn: &mut sqlx::AnyConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    let mut stream = sqlx::raw_sql(sql).fetch_many(&mut *conn);
    while stream.try_next().await?.is_some() {}
    Ok(())
}

impl Official for Sql {
    fn run<'a>(&'a self, task: &'a Task<'a>) -> Run<'a> {
        Box::pin(self.execute(task))
    }
}

/// Removes a URL (its password) from an error message.
fn redact(message: &str, url: &str) -> String {
    message.replace(url, "<the url>")
}

/// Result rows as text.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(row: &AnyRow) -> Self {
        Self { header: row.columns().iter().map(|c| c.name().to_string()).collect(), rows: Vec::new() }
    }

    fn add(&mut self, row: &AnyRow) {
        self.rows.push((0..row.len()).map(|i| cell(row, i)).collect());
    }

    fn render(&self, total: u64, max: usize) -> Vec<String> {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                let longest = self.rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
                longest.max(self.header[i].chars().count())
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join(" | ")
                .trim_end()
                .to_string()
        };
        let mut lines = vec![line(&self.header), widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-+-")];
        lines.extend(self.rows.iter().map(|r| line(r)));
        if total > max as u64 {
            lines.push(format!("({} more rows not shown)", total - max as u64));
        }
        lines
    }
}

/// One value as text, whatever its type.
fn cell(row: &AnyRow, i: usize) -> String {
    let text = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        v
    } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        v.map(|v| v.to_string())
    } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        v.map(|v| v.to_string())
    } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        v.map(|v| v.to_string())
    } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        v.map(|v| format!("<{} bytes>", v.len()))
    } else {
        Some("?".into())
    };
    let text = text.unwrap_or_else(|| "NULL".into()).replace(['\n', '\r', '\t'], " ");
    if text.chars().count() > CELL { format!("{}…", text.chars().take(CELL - 1).collect::<String>()) } else { text }
}
