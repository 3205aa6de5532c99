//! What an SQL job's statements do, read by a real SQL parser (of the
//! datasource's dialect) rather than matched by patterns: comments, case,
//! whitespace, string literals, quoted names and several statements in one
//! text are the parser's business, so `DROP/**/TABLE` is a DROP and
//! `SELECT 'drop table t'` a query. Text the parser does not understand is
//! refused, not guessed at.

use sqlparser::ast::{SetExpr, Statement};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use std::fmt;
use std::str::FromStr;

/// Longest SQL text classified, in bytes (the parser's time and memory
/// grow with it).
const MAX_SQL: usize = 1 << 20;

/// What one statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SqlKind {
    /// Reads: SELECT, VALUES, SHOW, EXPLAIN of a read.
    Query,
    /// INSERT (also in a WITH).
    Insert,
    /// UPDATE (also in a WITH).
    Update,
    /// DELETE (also in a WITH).
    Delete,
    /// MERGE.
    Merge,
    /// CREATE anything, SELECT ... INTO.
    Create,
    /// ALTER anything, RENAME.
    Alter,
    /// DROP anything.
    Drop,
    /// TRUNCATE.
    Truncate,
    /// GRANT, REVOKE, DENY.
    Grant,
    /// BEGIN, COMMIT, ROLLBACK, SAVEPOINT.
    Transaction,
    /// SET, RESET, USE, PRAGMA: the session's settings.
    Session,
    /// SQLite's ATTACH and DETACH: other database files.
    Attach,
    /// PREPARE, EXECUTE, DEALLOCATE: statements from text, unseen here.
    Dynamic,
    /// CALL of a procedure.
    Call,
    /// Anything else (COPY, LOAD DATA, VACUUM, LOCK, KILL, ...).
    Other,
}

impl SqlKind {
    /// Every kind.
    pub const ALL: [SqlKind; 16] = [
        Self::Query,
        Self::Insert,
        Self::Update,
        Self::Delete,
        Self::Merge,
        Self::Create,
        Self::Alter,
        Self::Drop,
        Self::Truncate,
        Self::Grant,
        Self::Transaction,
        Self::Session,
        Self::Attach,
        Self::Dynamic,
        Self::Call,
        Self::Other,
    ];

    /// The kinds refused unless the worker says otherwise: dropping and
    /// truncating, SQLite's ATTACH (it opens and creates files on the
    /// worker's host), and dynamic SQL (its statements are text this check
    /// never sees).
    pub const DEFAULT_REFUSED: [SqlKind; 4] = [Self::Drop, Self::Truncate, Self::Attach, Self::Dynamic];

    /// The name configuration uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Insert => "insert",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Merge => "merge",
            Self::Create => "create",
            Self::Alter => "alter",
            Self::Drop => "drop",
            Self::Truncate => "truncate",
            Self::Grant => "grant",
            Self::Transaction => "transaction",
            Self::Session => "session",
            Self::Attach => "attach",
            Self::Dynamic => "dynamic",
            Self::Call => "call",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for SqlKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SqlKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.name() == wanted).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
            format!("unknown SQL statement kind `{s}`: expected one of {}", names.join(", "))
        })
    }
}

/// The SQL dialect of a connection URL.
pub(crate) fn dialect_of(url: &str) -> Box<dyn Dialect> {
    if url.starts_with("postgres") {
        Box::new(PostgreSqlDialect {})
    } else if url.starts_with("mysql") || url.starts_with("mariadb") {
        Box::new(MySqlDialect {})
    } else {
        Box::new(SQLiteDialect {})
    }
}

/// The kind of each statement of `sql`, or why it cannot be told.
pub(crate) fn classify(dialect: &dyn Dialect, sql: &str) -> Result<Vec<SqlKind>, String> {
    if sql.len() > MAX_SQL {
        return Err(format!("the SQL is longer than {MAX_SQL} bytes"));
    }
    // MySQL and MariaDB run what `/*! ... */` and `/*M! ... */` hold: the
    // MySQL dialect's tokenizer reads it as SQL; should any other reading
    // leave one as a comment, it is refused.
    let tokens = Tokenizer::new(dialect, sql).tokenize().map_err(|e| format!("it could not be parsed ({e})"))?;
    let executable = |t: &Token| matches!(t, Token::Whitespace(Whitespace::MultiLineComment(c)) if c.starts_with('!') || c.starts_with("M!"));
    if tokens.iter().any(executable) {
        return Err("it holds a `/*! ... */` comment, which MySQL and MariaDB run as SQL".into());
    }
    let statements = Parser::parse_sql(dialect, sql).map_err(|e| format!("it could not be parsed ({e})"))?;
    if statements.is_empty() {
        return Err("it holds no statement".into());
    }
    Ok(statements.iter().map(kind_of).collect())
}

fn kind_of(statement: &Statement) -> SqlKind {
    use Statement as S;
    match statement {
        S::Query(query) => query_kind(query),
        S::Insert { .. } => SqlKind::Insert,
        S::Update { .. } => SqlKind::Update,
        S::Delete { .. } => SqlKind::Delete,
        S::Merge { .. } => SqlKind::Merge,
        S::Truncate { .. } => SqlKind::Truncate,
        // EXPLAIN ANALYZE runs its statement: EXPLAIN counts as what it
        // explains.
        S::Explain { statement, .. } => kind_of(statement),
        S::ExplainTable { .. } => SqlKind::Query,
        S::StartTransaction { .. }
        | S::Commit { .. }
        | S::Rollback { .. }
        | S::Savepoint { .. }
        | S::ReleaseSavepoint { .. } => SqlKind::Transaction,
        S::Set { .. } | S::Reset { .. } | S::Use { .. } | S::Pragma { .. } => SqlKind::Session,
        S::AttachDatabase { .. } | S::AttachDuckDBDatabase { .. } | S::DetachDuckDBDatabase { .. } => SqlKind::Attach,
        S::Prepare { .. } | S::Execute { .. } | S::Deallocate { .. } => SqlKind::Dynamic,
        S::Call { .. } => SqlKind::Call,
        S::Grant { .. } | S::GrantRole { .. } | S::Revoke { .. } | S::RevokeRole { .. } | S::Deny { .. } => {
            SqlKind::Grant
        }
        S::RenameTable { .. } => SqlKind::Alter,
        other => by_name(other),
    }
}

/// The kind of the many statements this module does not name one by one,
/// from the parser's name for them (`DropFunction`, `CreateIndex`,
/// `ShowTables`, `AlterRole`, ...).
fn by_name(statement: &Statement) -> SqlKind {
    let debug = format!("{statement:?}");
    let name: String = debug.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    if name.starts_with("Drop") {
        SqlKind::Drop
    } else if name.starts_with("Create") {
        SqlKind::Create
    } else if name.starts_with("Alter") {
        SqlKind::Alter
    } else if name.starts_with("Show") {
        SqlKind::Query
    } else {
        SqlKind::Other
    }
}

/// A query reads unless a part of it writes: a data-modifying WITH, or
/// SELECT ... INTO (a new table, or a file).
fn query_kind(query: &sqlparser::ast::Query) -> SqlKind {
    let mut kinds: Vec<SqlKind> = Vec::new();
    if let Some(with) = &query.with {
        kinds.extend(with.cte_tables.iter().map(|cte| query_kind(&cte.query)));
    }
    kinds.push(set_kind(&query.body));
    kinds.into_iter().find(|k| *k != SqlKind::Query).unwrap_or(SqlKind::Query)
}

fn set_kind(body: &SetExpr) -> SqlKind {
    match body {
        SetExpr::Select(select) if select.into.is_some() => SqlKind::Create,
        SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Table(_) => SqlKind::Query,
        SetExpr::Query(query) => query_kind(query),
        SetExpr::SetOperation { left, right, .. } => match set_kind(left) {
            SqlKind::Query => set_kind(right),
            other => other,
        },
        SetExpr::Insert(statement)
        | SetExpr::Update(statement)
        | SetExpr::Delete(statement)
        | SetExpr::Merge(statement) => kind_of(statement),
        #[allow(unreachable_patterns)]
        _ => SqlKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(url: &str, sql: &str) -> Result<Vec<SqlKind>, String> {
        classify(dialect_of(url).as_ref(), sql)
    }

    #[test]
    fn disguised_drops_and_truncates_are_seen_for_what_they_are() {
        use SqlKind::*;
        for url in ["sqlite:x", "postgres://x", "mysql://x"] {
            for (sql, want) in [
                ("DROP TABLE t", vec![Drop]),
                ("drop table t", vec![Drop]),
                ("DrOp TaBlE t", vec![Drop]),
                ("DROP/**/TABLE t", vec![Drop]),
                ("DROP/* a comment */TABLE/**/t", vec![Drop]),
                ("DROP -- a comment\nTABLE t", vec![Drop]),
                ("DROP\n\tTABLE\r\nt", vec![Drop]),
                ("  DROP   TABLE   IF EXISTS t  ", vec![Drop]),
                ("SELECT 1; DROP TABLE t", vec![Query, Drop]),
                ("SELECT 1;DROP TABLE t;", vec![Query, Drop]),
                ("DROP VIEW v", vec![Drop]),
                ("DROP INDEX i", vec![Drop]),
                ("TRUNCATE TABLE t", vec![Truncate]),
                ("/* x */ truncate t", vec![Truncate]),
                ("SELECT 'drop table t'", vec![Query]),
                ("SELECT \"drop table\" FROM t", vec![Query]),
                ("SELECT 1 -- drop table t", vec![Query]),
                ("INSERT INTO t VALUES ('truncate; drop table t')", vec![Insert]),
                ("UPDATE t SET a = 1", vec![Update]),
                ("DELETE FROM t", vec![Delete]),
                ("CREATE TABLE u (a INT)", vec![Create]),
                ("ALTER TABLE t ADD COLUMN b INT", vec![Alter]),
                ("EXPLAIN SELECT 1", vec![Query]),
            ] {
                assert_eq!(kinds(url, sql), Ok(want), "{url}: {sql}");
            }
        }
    }

    #[test]
    fn dialect_specific_ways_around_are_seen_too() {
        use SqlKind::*;
        let pg = "postgres://x";
        assert_eq!(kinds(pg, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"), Ok(vec![Delete]));
        assert_eq!(kinds(pg, "SELECT * INTO copy FROM t"), Ok(vec![Create]));
        assert_eq!(kinds(pg, "EXPLAIN ANALYZE DELETE FROM t"), Ok(vec![Delete]));
        assert_eq!(kinds(pg, "BEGIN; DROP TABLE t; COMMIT"), Ok(vec![Transaction, Drop, Transaction]));
        assert_eq!(kinds(pg, "SET search_path = x"), Ok(vec![Session]));
        assert_eq!(kinds(pg, "PREPARE p AS SELECT 1"), Ok(vec![Dynamic]));
        assert_eq!(kinds(pg, "SELECT $$drop table t$$"), Ok(vec![Query]));
        let my = "mysql://x";
        // Refused whether read as dynamic SQL or not read at all.
        for sql in ["PREPARE s FROM 'DROP TABLE t'", "EXECUTE s", "SET @q = 'DROP TABLE t'; PREPARE s FROM @q"] {
            assert!(kinds(my, sql).map_or(true, |k| k.contains(&Dynamic)), "{sql}: {:?}", kinds(my, sql));
        }
        // MySQL runs what an executable comment holds: so does the parser
        // read it (or the check refuses it).
        for sql in
            ["SELECT 1 /*! ; DROP TABLE t */", "SELECT 1 /*!50000 ; DROP TABLE t */", "SELECT 1 /*M! ; DROP TABLE t */"]
        {
            assert!(kinds(my, sql).map_or(true, |k| k.contains(&Drop)), "{sql}: {:?}", kinds(my, sql));
        }
        let lite = "sqlite:x";
        assert_eq!(kinds(lite, "ATTACH DATABASE '/tmp/x.db' AS x"), Ok(vec![Attach]));
        assert_eq!(kinds(lite, "PRAGMA query_only = 0"), Ok(vec![Session]));
        // What the parser cannot read is not guessed at.
        for sql in ["DROP", "DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$", "", "   ", "-- only a comment", "\u{0}"] {
            assert!(kinds(pg, sql).is_err(), "{sql:?}: {:?}", kinds(pg, sql));
        }
        assert!(kinds(pg, &"(".repeat(100_000)).is_err(), "deep nesting fails, it does not overflow the stack");
    }

    #[test]
    fn kinds_have_names() {
        for kind in SqlKind::ALL {
            assert_eq!(kind.name().parse::<SqlKind>(), Ok(kind));
        }
        assert!("drop table".parse::<SqlKind>().unwrap_err().contains("expected one of query, insert"));
    }
}
