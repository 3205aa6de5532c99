//! The coordinator's task store: every task of an instance and every
//! outcome, in a private SQLite file, so that a coordinator holds millions
//! of subtasks on disk and only a window of them in memory.
//!
//! Both tables only grow: a task is appended when it is emitted (its `seq`
//! orders the queue), an outcome when a task ends for good. What waits is
//! every task whose `seq` is past the coordinator's load cursor, or in
//! its memory window. The file is scratch space — a coordinator that dies
//! fails its instance — so it is written without a journal or syncs and
//! deleted when the store is dropped.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use wasmjob_runtime::{OutcomeSource, TaskOutcome};

/// Why the store failed (the disk is full or gone, most likely).
#[derive(Debug, thiserror::Error)]
#[error("the task store at {path}: {source}")]
pub struct StoreError {
    path: PathBuf,
    #[source]
    source: StoreCause,
}

/// What failed underneath.
#[derive(Debug, thiserror::Error)]
enum StoreCause {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the file: {0}")]
    File(#[from] std::io::Error),
}

/// A task as stored and queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    /// Position in the queue, from 1.
    pub seq: u64,
    /// `0` for the root, `<parent>.<n>` below it.
    pub id: String,
    /// The name it was emitted under.
    pub name: String,
    /// Its payload (none for the root and broadcast tasks).
    pub payload: Option<Vec<u8>>,
}

impl StoredTask {
    /// Bytes the task takes in memory, roughly.
    pub fn weight(&self) -> usize {
        64 + self.id.len() + self.name.len() + self.payload.as_ref().map_or(0, Vec::len)
    }
}

/// One instance's tasks and outcomes.
#[derive(Debug)]
pub struct TaskStore {
    conn: Connection,
    path: PathBuf,
    last_seq: u64,
    outcomes: u64,
    in_batch: bool,
}

const SCHEMA: &str = "
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    PRAGMA temp_store = MEMORY;
    PRAGMA cache_size = -8192;
    CREATE TABLE task (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL, payload BLOB);
    CREATE TABLE outcome (seq INTEGER PRIMARY KEY, task_id TEXT NOT NULL, task_name TEXT NOT NULL,
        success INTEGER NOT NULL, msg TEXT NOT NULL);
";

impl TaskStore {
    /// A new, empty store in a file of its own under `dir`.
    pub fn create(dir: &Path, name: &str) -> Result<Self, StoreError> {
        let path = dir.join(format!("{name}-{}.tasks", std::process::id()));
        let fail = |source: StoreCause| StoreError { path: path.clone(), source };
        let _ = std::fs::remove_file(&path);
        // Created private (0600) before SQLite opens it: tasks carry the
        // job's payloads.
        wasmjob_runtime::private::create_new_file(&path).map_err(|e| fail(e.into()))?;
        let conn = Connection::open(&path).map_err(|e| fail(e.into()))?;
        conn.execute_batch(SCHEMA).map_err(|e| fail(e.into()))?;
        Ok(Self { conn, path, last_seq: 0, outcomes: 0, in_batch: false })
    }

    fn fail(&self, source: rusqlite::Error) -> StoreError {
        StoreError { path: self.path.clone(), source: source.into() }
    }

    /// Groups the writes that follow in one transaction, until
    /// [`TaskStore::commit`]: writing a batch costs about what one write
    /// costs alone.
    pub fn begin(&mut self) -> Result<(), StoreError> {
        if !self.in_batch {
            self.conn.execute_batch("BEGIN").map_err(|e| self.fail(e))?;
            self.in_batch = true;
        }
        Ok(())
    }

    /// Ends the batch [`TaskStore::begin`] opened.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        if self.in_batch {
            self.conn.execute_batch("COMMIT").map_err(|e| self.fail(e))?;
            self.in_batch = false;
        }
        Ok(())
    }

    /// Appends a task; its `seq`.
    pub fn push(&mut self, id: &str, name: &str, payload: Option<&[u8]>) -> Result<u64, StoreError> {
        let seq = self.last_seq + 1;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO task (seq, id, name, payload) VALUES (?1, ?2, ?3, ?4)")
            .map_err(|e| self.fail(e))?;
        insert.execute(params![seq as i64, id, name, payload]).map_err(|e| self.fail(e))?;
        drop(insert);
        self.last_seq = seq;
        Ok(seq)
    }

    /// The `seq` of the last task appended (0 when none was).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Tasks after `after` in queue order: at most `max`, and no more than
    /// about `max_bytes` (at least one, however big).
    pub fn load_after(&mut self, after: u64, max: usize, max_bytes: usize) -> Result<Vec<StoredTask>, StoreError> {
        let mut select = self
            .conn
            .prepare_cached("SELECT seq, id, name, payload FROM task WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .map_err(|e| self.fail(e))?;
        let rows = select
            .query_map(params![after as i64, max as i64], |row| {
                Ok(StoredTask {
                    seq: row.get::<_, i64>(0)? as u64,
                    id: row.get(1)?,
                    name: row.get(2)?,
                    payload: row.get(3)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        let mut tasks = Vec::new();
        let mut bytes = 0;
        for row in rows {
            let task = row.map_err(|e| StoreError { path: self.path.clone(), source: e.into() })?;
            bytes += task.weight();
            tasks.push(task);
            if bytes >= max_bytes {
                break;
            }
        }
        Ok(tasks)
    }

    /// Records how a task ended for good.
    pub fn record(&mut self, outcome: &TaskOutcome) -> Result<(), StoreError> {
        let seq = self.outcomes + 1;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO outcome (seq, task_id, task_name, success, msg) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(|e| self.fail(e))?;
        insert
            .execute(params![seq as i64, outcome.task_id, outcome.task_name, outcome.success, outcome.msg])
            .map_err(|e| self.fail(e))?;
        drop(insert);
        self.outcomes = seq;
        Ok(())
    }

    /// Outcomes recorded so far.
    pub fn outcome_count(&self) -> u64 {
        self.outcomes
    }

    /// The first failed outcome, if any (for the MAP result message).
    pub fn first_failure(&self) -> Result<Option<TaskOutcome>, StoreError> {
        self.conn
            .query_row(
                "SELECT task_id, task_name, success, msg FROM outcome WHERE success = 0 ORDER BY seq LIMIT 1",
                [],
                outcome_of,
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// A source reading every outcome recorded so far, in order, for
    /// reduce and post-process: a read-only connection of its own, so the
    /// store stays usable.
    pub fn outcome_reader(&mut self) -> Result<StoredOutcomes, StoreError> {
        self.commit()?;
        let conn = Connection::open_with_flags(&self.path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| self.fail(e))?;
        Ok(StoredOutcomes { conn, path: self.path.clone(), total: self.outcomes, after: 0 })
    }
}

impl Drop for TaskStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn outcome_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<TaskOutcome> {
    Ok(TaskOutcome { task_id: row.get(0)?, task_name: row.get(1)?, success: row.get(2)?, msg: row.get(3)? })
}

/// Outcomes paged from the store.
#[derive(Debug)]
pub struct StoredOutcomes {
    conn: Connection,
    path: PathBuf,
    total: u64,
    after: u64,
}

impl OutcomeSource for StoredOutcomes {
    fn total(&self) -> u64 {
        self.total
    }

    fn next_page(&mut self, max: usize) -> Vec<TaskOutcome> {
        let page = self
            .conn
            .prepare_cached("SELECT task_id, task_name, success, msg FROM outcome WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .and_then(|mut select| {
                select.query_map(params![self.after as i64, max as i64], outcome_of)?.collect::<Result<Vec<_>, _>>()
            });
        match page {
            Ok(page) => {
                self.after += page.len() as u64;
                page
            }
            Err(e) => {
                tracing::error!(error = %e, path = %self.path.display(), "cannot read outcomes");
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: &str, success: bool) -> TaskOutcome {
        TaskOutcome { task_id: id.into(), task_name: "T".into(), success, msg: format!("msg {id}") }
    }

    #[cfg(unix)]
    #[test]
    fn the_store_file_is_private_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let store = wasmjob_runtime::testing::with_umask(0o000, || TaskStore::create(dir.path(), "p").unwrap());
        assert_eq!(wasmjob_runtime::testing::mode(&store.path), 0o600);
    }

    #[test]
    fn tasks_load_in_queue_order_within_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = TaskStore::create(dir.path(), "t").unwrap();
        store.begin().unwrap();
        for n in 0..10 {
            store.push(&format!("0.{n}"), "T", Some(&[n as u8; 100])).unwrap();
        }
        store.commit().unwrap();
        assert_eq!(store.last_seq(), 10);
        let first = store.load_after(0, 4, usize::MAX).unwrap();
        assert_eq!(first.iter().map(|t| t.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(first[2].id, "0.2");
        assert_eq!(first[2].payload.as_deref(), Some(&[2u8; 100][..]));
        // The byte budget cuts the load short, but never to nothing.
        let by_bytes = store.load_after(4, 100, 300).unwrap();
        assert_eq!(by_bytes.len(), 2);
        assert_eq!(store.load_after(9, 100, 1).unwrap().len(), 1);
        assert!(store.load_after(10, 100, usize::MAX).unwrap().is_empty());
    }

    #[test]
    fn outcomes_page_in_order_and_the_file_goes_with_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = TaskStore::create(dir.path(), "o").unwrap();
        store.begin().unwrap();
        for n in 0..7 {
            store.record(&outcome(&format!("0.{n}"), n != 3)).unwrap();
        }
        store.commit().unwrap();
        assert_eq!(store.first_failure().unwrap(), Some(outcome("0.3", false)));
        let path = store.path.clone();
        assert!(path.exists());
        let mut source = store.outcome_reader().unwrap();
        assert_eq!(source.total(), 7);
        let mut seen = Vec::new();
        loop {
            let page = source.next_page(3);
            if page.is_empty() {
                break;
            }
            seen.extend(page.into_iter().map(|o| o.task_id));
        }
        assert_eq!(seen, (0..7).map(|n| format!("0.{n}")).collect::<Vec<_>>());
        drop(source);
        drop(store);
        assert!(!path.exists(), "the scratch file is removed");
    }
}
