//! SQL for git sources, builds and build logs.

use super::model::{Build, BuildLogLine, BuildStatus, Builder, CredentialsInfo, GitRef, GitSource, RefKind};
use crate::db::{Database, DbText};
use crate::ids::{Id, now_ms};
use std::sync::LazyLock;

/// A source as stored, with its sealed credentials.
#[derive(Debug, Clone)]
pub(super) struct StoredSource {
    /// The container it builds.
    pub(super) container_id: Id,
    /// The API form (credentials redacted).
    pub(super) source: GitSource,
    /// The sealed credentials, if any.
    pub(super) sealed: Option<String>,
}

type SourceRow =
    (i64, String, String, String, String, String, Option<String>, Option<String>, Option<DbText>, String, i64);

fn source_from_row(row: SourceRow) -> StoredSource {
    let (container_id, url, ref_kind, ref_name, path, builder, kind, user, sealed, updated_by, updated_at) = row;
    let credentials = match (kind, user) {
        (Some(kind), Some(username)) => Some(CredentialsInfo { kind, username }),
        _ => None,
    };
    StoredSource {
        container_id: Id(container_id),
        source: GitSource {
            url,
            reference: GitRef { kind: RefKind::parse(&ref_kind).unwrap_or(RefKind::Branch), name: ref_name },
            path,
            builder: Builder::parse(&builder).unwrap_or_default(),
            credentials,
            updated_by,
            updated_at,
        },
        sealed: sealed.map(|s| s.0),
    }
}

/// A container's source by app and name.
static SOURCE_BY_NAME: LazyLock<String> = LazyLock::new(|| {
    "SELECT s.container_id, s.url, s.ref_kind, s.ref_name, s.subdir, s.builder, s.credential_kind, \
     s.credential_user, s.credential_sealed, s.updated_by, s.updated_at \
     FROM container_git_source s JOIN container c ON c.id = s.container_id WHERE c.app_id = ? AND c.name = ?"
        .to_string()
});

/// The git source of container `name` in app `app`.
pub(super) async fn source(db: &Database, app: Id, name: &str) -> Result<Option<StoredSource>, sqlx::Error> {
    let row: Option<SourceRow> =
        sqlx::query_as(&db.sql(SOURCE_BY_NAME.as_str())).bind(app.0).bind(name).fetch_optional(db.pool()).await?;
    Ok(row.map(source_from_row))
}

/// The id of container `name` in app `app`, created (with no version) if
/// it is new.
pub(super) async fn ensure_container(
    db: &Database,
    ids: &crate::ids::IdGenerator,
    app: Id,
    name: &str,
) -> Result<Id, sqlx::Error> {
    for _ in 0..3 {
        let found: Option<i64> = sqlx::query_scalar(&db.sql("SELECT id FROM container WHERE app_id = ? AND name = ?"))
            .bind(app.0)
            .bind(name)
            .fetch_optional(db.pool())
            .await?;
        if let Some(id) = found {
            return Ok(Id(id));
        }
        let now = now_ms() as i64;
        let inserted = sqlx::query(&db.sql(
            "INSERT INTO container (id, app_id, name, deployed_version_id, created_at, updated_at) \
             VALUES (?, ?, ?, NULL, ?, ?)",
        ))
        .bind(ids.next().0)
        .bind(app.0)
        .bind(name)
        .bind(now)
        .bind(now)
        .execute(db.pool())
        .await;
        match inserted {
            Ok(_) => continue,
            // Another request made it first: read it.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(e),
        }
    }
    Err(sqlx::Error::RowNotFound)
}

/// A source to store.
#[derive(Debug)]
pub(super) struct NewSource<'a> {
    pub(super) url: &'a str,
    pub(super) reference: &'a GitRef,
    pub(super) path: &'a str,
    pub(super) builder: Builder,
    /// Kind, user and sealed secret; `None`: no credentials.
    pub(super) credentials: Option<(&'a str, &'a str, String)>,
    pub(super) updated_by: &'a str,
}

/// Sets container `container`'s git source (replacing any).
pub(super) async fn put_source(db: &Database, container: Id, new: &NewSource<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(&db.sql("DELETE FROM container_git_source WHERE container_id = ?"))
        .bind(container.0)
        .execute(&mut *tx)
        .await?;
    let (kind, user, sealed) = match &new.credentials {
        Some((kind, user, sealed)) => (Some(*kind), Some(*user), Some(sealed.as_str())),
        None => (None, None, None),
    };
    sqlx::query(&db.sql(
        "INSERT INTO container_git_source (container_id, url, ref_kind, ref_name, subdir, builder, \
         credential_kind, credential_user, credential_sealed, updated_by, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(container.0)
    .bind(new.url)
    .bind(new.reference.kind.as_str())
    .bind(&new.reference.name)
    .bind(new.path)
    .bind(new.builder.as_str())
    .bind(kind)
    .bind(user)
    .bind(sealed)
    .bind(new.updated_by)
    .bind(now_ms() as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

type BuildRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<DbText>,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

/// The builds of a container, by app and name; `tail` narrows and orders.
fn builds_query(tail: &str) -> String {
    format!(
        "SELECT b.id, c.name, b.status, b.url, b.ref_kind, b.ref_name, b.deploy, b.commit_id, b.version_id, \
         b.label, b.message, b.created_by, b.created_at, b.started_at, b.finished_at \
         FROM container_build b JOIN container c ON c.id = b.container_id WHERE c.app_id = ? AND c.name = ? {tail}"
    )
}

static BUILD_BY_ID: LazyLock<String> = LazyLock::new(|| builds_query("AND b.id = ?"));
static NEWEST_BUILDS: LazyLock<String> =
    LazyLock::new(|| builds_query("ORDER BY b.created_at DESC, b.id DESC LIMIT ?"));

fn build_from_row(row: BuildRow) -> Build {
    let (
        id,
        container,
        status,
        url,
        ref_kind,
        ref_name,
        deploy,
        commit,
        version,
        label,
        message,
        by,
        at,
        started,
        finished,
    ) = row;
    Build {
        id: Id(id),
        container,
        status: BuildStatus::parse(&status),
        url,
        reference: GitRef { kind: RefKind::parse(&ref_kind).unwrap_or(RefKind::Branch), name: ref_name },
        deploy: deploy != 0,
        commit,
        version_id: version.map(Id),
        label,
        message: message.map(|m| m.0),
        created_by: by,
        created_at: at,
        started_at: started,
        finished_at: finished,
    }
}

/// Records a queued build of container `container`.
pub(super) async fn insert_build(
    db: &Database,
    id: Id,
    container: Id,
    url: &str,
    reference: &GitRef,
    deploy: bool,
    created_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql(
        "INSERT INTO container_build (id, container_id, status, url, ref_kind, ref_name, deploy, created_by, created_at) \
         VALUES (?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?)",
    ))
    .bind(id.0)
    .bind(container.0)
    .bind(url)
    .bind(reference.kind.as_str())
    .bind(&reference.name)
    .bind(i64::from(deploy))
    .bind(created_by)
    .bind(now_ms() as i64)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// One build of app `app`'s container `name`.
pub(super) async fn build(db: &Database, app: Id, name: &str, id: Id) -> Result<Option<Build>, sqlx::Error> {
    let row: Option<BuildRow> = sqlx::query_as(&db.sql(BUILD_BY_ID.as_str()))
        .bind(app.0)
        .bind(name)
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(build_from_row))
}

/// The newest builds of app `app`'s container `name`, newest first.
pub(super) async fn builds(db: &Database, app: Id, name: &str, limit: u32) -> Result<Vec<Build>, sqlx::Error> {
    let rows: Vec<BuildRow> = sqlx::query_as(&db.sql(NEWEST_BUILDS.as_str()))
        .bind(app.0)
        .bind(name)
        .bind(i64::from(limit))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(build_from_row).collect())
}

/// Marks a queued build running.
pub(super) async fn start_build(db: &Database, id: Id) -> Result<(), sqlx::Error> {
    sqlx::query(
        &db.sql("UPDATE container_build SET status = 'RUNNING', started_at = ? WHERE id = ? AND status = 'QUEUED'"),
    )
    .bind(now_ms() as i64)
    .bind(id.0)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records the commit a build checked out.
pub(super) async fn set_commit(db: &Database, id: Id, commit: &str) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql("UPDATE container_build SET commit_id = ? WHERE id = ?"))
        .bind(commit)
        .bind(id.0)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends a build that has not ended.
pub(super) async fn finish_build(
    db: &Database,
    id: Id,
    status: BuildStatus,
    version: Option<(Id, &str)>,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&db.sql(
        "UPDATE container_build SET status = ?, version_id = ?, label = ?, message = ?, finished_at = ? \
         WHERE id = ? AND status IN ('QUEUED', 'RUNNING')",
    ))
    .bind(status.as_str())
    .bind(version.map(|(v, _)| v.0))
    .bind(version.map(|(_, label)| label))
    .bind(message)
    .bind(now_ms() as i64)
    .bind(id.0)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Ends a build that has not ended as cancelled (for a build another
/// server runs: that server sees it before it publishes); whether it had
/// not ended.
pub(super) async fn cancel_build(db: &Database, id: Id, message: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE container_build SET status = 'FAILED', message = ?, finished_at = ? \
         WHERE id = ? AND status IN ('QUEUED', 'RUNNING')",
    ))
    .bind(message)
    .bind(now_ms() as i64)
    .bind(id.0)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Fails the builds this database holds as queued or running that started
/// (or were asked for) before `before`: their server stopped.
pub(super) async fn fail_abandoned(db: &Database, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(&db.sql(
        "UPDATE container_build SET status = 'FAILED', finished_at = ?, \
         message = 'the server running the build stopped before it ended' \
         WHERE status IN ('QUEUED', 'RUNNING') AND COALESCE(started_at, created_at) < ?",
    ))
    .bind(now_ms() as i64)
    .bind(before)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Appends lines to a build's log, in order.
pub(super) async fn append_log(db: &Database, build: Id, lines: &[(i64, &str, &str)]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for (at, stream, line) in lines {
        sqlx::query(&db.sql("INSERT INTO container_build_log (build_id, logged_at, stream, line) VALUES (?, ?, ?, ?)"))
            .bind(build.0)
            .bind(*at)
            .bind(*stream)
            .bind(*line)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// A page of a build's log after `after`.
pub(super) async fn log(db: &Database, build: Id, after: i64, limit: u32) -> Result<Vec<BuildLogLine>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, DbText)> = sqlx::query_as(&db.sql(
        "SELECT seq, logged_at, stream, line FROM container_build_log WHERE build_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ))
    .bind(build.0)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(seq, time, stream, line)| BuildLogLine { seq, time, stream, line: line.0 }).collect())
}

/// Where build `id` stands.
pub(super) async fn status(db: &Database, id: Id) -> Result<Option<BuildStatus>, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar(&db.sql("SELECT status FROM container_build WHERE id = ?"))
        .bind(id.0)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.map(|s| BuildStatus::parse(&s)))
}
