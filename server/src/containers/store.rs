//! SQL for containers and their versions.

use super::model::{Container, ContainerDetail, ContainerVersion};
use crate::db::{Database, DbText};
use crate::ids::{Id, IdGenerator, now_ms};
use sqlx::AnyConnection;

type ContainerRow = (i64, i64, String, Option<i64>, Option<String>, Option<String>, i64, i64);
type VersionRow = (i64, String, String, i64, DbText, DbText, DbText, String, i64);

fn container_from_row((id, app_id, name, deployed, label, digest, created_at, updated_at): ContainerRow) -> Container {
    Container {
        id: Id(id),
        app_id: Id(app_id),
        name,
        deployed_version_id: deployed.map(Id),
        deployed_label: label,
        deployed_digest: digest,
        created_at,
        updated_at,
    }
}

fn version_from_row(container: &str, deployed: Option<i64>, row: VersionRow) -> ContainerVersion {
    let (id, label, digest, size_bytes, worlds, imports, source, created_by, created_at) = row;
    ContainerVersion {
        id: Id(id),
        container: container.to_string(),
        label,
        digest,
        size_bytes,
        worlds: serde_json::from_str(&worlds.0).unwrap_or_default(),
        imports: serde_json::from_str(&imports.0).unwrap_or_default(),
        source: serde_json::from_str(&source.0).unwrap_or(serde_json::Value::Null),
        created_by,
        created_at,
        deployed: deployed == Some(id),
        workers: Vec::new(),
    }
}

/// Whether app `app` exists.
pub(super) async fn app_exists(db: &Database, app: Id) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar(&db.sql("SELECT id FROM app WHERE id = ?")).bind(app.0).fetch_optional(db.pool()).await?;
    Ok(found.is_some())
}

/// Whether app `app` has a container `name`.
pub(crate) async fn container_exists(db: &Database, app: Id, name: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(&db.sql("SELECT id FROM container WHERE app_id = ? AND name = ?"))
        .bind(app.0)
        .bind(name)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// Whether one of app `app`'s containers has a version with `digest`.
pub(super) async fn app_has_digest(db: &Database, app: Id, digest: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(&db.sql(
        "SELECT v.id FROM container_version v JOIN container c ON c.id = v.container_id \
         WHERE v.digest = ? AND c.app_id = ? LIMIT 1",
    ))
    .bind(digest)
    .bind(app.0)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// The label of container `name`'s version with `digest`, if it has one.
pub(super) async fn label_of_digest(
    db: &Database,
    app: Id,
    name: &str,
    digest: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&db.sql(
        "SELECT v.label FROM container_version v JOIN container c ON c.id = v.container_id \
         WHERE c.app_id = ? AND c.name = ? AND v.digest = ? LIMIT 1",
    ))
    .bind(app.0)
    .bind(name)
    .bind(digest)
    .fetch_optional(db.pool())
    .await
}

/// An app's containers by name.
pub(super) async fn list(db: &Database, app: Id) -> Result<Vec<Container>, sqlx::Error> {
    let rows: Vec<ContainerRow> = sqlx::query_as(&db.sql(
        "SELECT c.id, c.app_id, c.name, c.deployed_version_id, v.label, v.digest, c.created_at, c.updated_at \
         FROM container c LEFT JOIN container_version v ON v.id = c.deployed_version_id \
         WHERE c.app_id = ? ORDER BY c.name",
    ))
    .bind(app.0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(container_from_row).collect())
}

/// One container of an app with its versions, newest first.
pub(super) async fn detail(db: &Database, app: Id, name: &str) -> Result<Option<ContainerDetail>, sqlx::Error> {
    let row: Option<ContainerRow> = sqlx::query_as(&db.sql(
        "SELECT c.id, c.app_id, c.name, c.deployed_version_id, v.label, v.digest, c.created_at, c.updated_at \
         FROM container c LEFT JOIN container_version v ON v.id = c.deployed_version_id \
         WHERE c.app_id = ? AND c.name = ?",
    ))
    .bind(app.0)
    .bind(name)
    .fetch_optional(db.pool())
    .await?;
    let Some(c) = row.map(container_from_row) else { return Ok(None) };
    let rows: Vec<VersionRow> = sqlx::query_as(&db.sql(
        "SELECT id, label, digest, size_bytes, worlds, imports, source, created_by, created_at \
         FROM container_version WHERE container_id = ? ORDER BY created_at DESC, id DESC",
    ))
    .bind(c.id.0)
    .fetch_all(db.pool())
    .await?;
    let deployed = c.deployed_version_id.map(|v| v.0);
    let versions = rows.into_iter().map(|row| version_from_row(&c.name, deployed, row)).collect();
    Ok(Some(ContainerDetail {
        id: c.id,
        app_id: c.app_id,
        name: c.name,
        deployed_version_id: c.deployed_version_id,
        deployed_label: c.deployed_label,
        deployed_digest: c.deployed_digest,
        created_at: c.created_at,
        updated_at: c.updated_at,
        versions,
        deployment: None,
        deployments: Vec::new(),
        workers: Vec::new(),
    }))
}

/// What a container (of an app, by name) already holds for an upload:
/// the version with these bytes, and the digest the label is taken by.
#[derive(Debug, Default)]
pub(super) struct Existing {
    pub(super) version: Option<ContainerVersion>,
    pub(super) label_digest: Option<String>,
}

/// Looks up the version with `digest` and the owner of `label`.
pub(super) async fn existing(
    db: &Database,
    app: Id,
    name: &str,
    digest: &str,
    label: &str,
) -> Result<Existing, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let found = existing_in(db, &mut conn, app, name, digest, label).await?;
    Ok(found.map(|(_, existing)| existing).unwrap_or_default())
}

/// [`existing`] on a connection (or in a transaction), with the
/// container's id.
async fn existing_in(
    db: &Database,
    conn: &mut AnyConnection,
    app: Id,
    name: &str,
    digest: &str,
    label: &str,
) -> Result<Option<(i64, Existing)>, sqlx::Error> {
    let container: Option<(i64, Option<i64>)> =
        sqlx::query_as(&db.sql("SELECT id, deployed_version_id FROM container WHERE app_id = ? AND name = ?"))
            .bind(app.0)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id, deployed)) = container else { return Ok(None) };
    let version: Option<VersionRow> = sqlx::query_as(&db.sql(
        "SELECT id, label, digest, size_bytes, worlds, imports, source, created_by, created_at \
         FROM container_version WHERE container_id = ? AND digest = ?",
    ))
    .bind(id)
    .bind(digest)
    .fetch_optional(&mut *conn)
    .await?;
    let label_digest: Option<String> =
        sqlx::query_scalar(&db.sql("SELECT digest FROM container_version WHERE container_id = ? AND label = ?"))
            .bind(id)
            .bind(label)
            .fetch_optional(&mut *conn)
            .await?;
    let version = version.map(|row| version_from_row(name, deployed, row));
    Ok(Some((id, Existing { version, label_digest })))
}

/// A version to add.
#[derive(Debug)]
pub(super) struct NewVersion<'a> {
    pub(super) app: Id,
    pub(super) container: &'a str,
    pub(super) label: &'a str,
    pub(super) digest: &'a str,
    pub(super) size_bytes: i64,
    pub(super) worlds: Vec<String>,
    pub(super) imports: Vec<String>,
    pub(super) source: serde_json::Value,
    pub(super) created_by: String,
    /// Whether the new version becomes the deployed one.
    pub(super) deploy: bool,
}

/// What adding a version did.
#[derive(Debug)]
pub(super) enum Added {
    /// A new version (deployed if asked).
    Created(ContainerVersion),
    /// The container had these bytes already: that version.
    Existing(ContainerVersion),
    /// The label belongs to other bytes.
    LabelTaken,
}

/// Adds a version (creating the container if it is new) and, when asked,
/// deploys it (recording the deployment), in one transaction. Two servers adding at once: the loser's unique
/// key violation rolls it back, and it looks again.
pub(super) async fn add_version(db: &Database, ids: &IdGenerator, new: &NewVersion<'_>) -> Result<Added, sqlx::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_add_version(db, ids, new).await {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempt < 3 => continue,
            other => return other,
        }
    }
}

async fn try_add_version(db: &Database, ids: &IdGenerator, new: &NewVersion<'_>) -> Result<Added, sqlx::Error> {
    let now = now_ms() as i64;
    let mut tx = db.begin().await?;
    let container = match existing_in(db, &mut tx, new.app, new.container, new.digest, new.label).await? {
        Some((_, Existing { version: Some(version), .. })) => return Ok(Added::Existing(version)),
        Some((_, Existing { label_digest: Some(_), .. })) => return Ok(Added::LabelTaken),
        Some((id, _)) => id,
        None => {
            let id = ids.next().0;
            sqlx::query(&db.sql(
                "INSERT INTO container (id, app_id, name, deployed_version_id, created_at, updated_at) \
                 VALUES (?, ?, ?, NULL, ?, ?)",
            ))
            .bind(id)
            .bind(new.app.0)
            .bind(new.container)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let version = ContainerVersion {
        id: ids.next(),
        container: new.container.to_string(),
        label: new.label.to_string(),
        digest: new.digest.to_string(),
        size_bytes: new.size_bytes,
        worlds: new.worlds.clone(),
        imports: new.imports.clone(),
        source: new.source.clone(),
        created_by: new.created_by.clone(),
        created_at: now,
        deployed: new.deploy,
        workers: Vec::new(),
    };
    sqlx::query(&db.sql(
        "INSERT INTO container_version \
         (id, container_id, label, digest, size_bytes, worlds, imports, source, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(version.id.0)
    .bind(container)
    .bind(&version.label)
    .bind(&version.digest)
    .bind(version.size_bytes)
    .bind(json(&version.worlds))
    .bind(json(&version.imports))
    .bind(json(&version.source))
    .bind(&version.created_by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if new.deploy {
        let deployment = super::deploy::Deployment {
            id: ids.next(),
            version_id: version.id,
            label: version.label.clone(),
            digest: version.digest.clone(),
            deployed_by: version.created_by.clone(),
            deployed_at: now,
        };
        super::deploy::record(db, &mut tx, container, &deployment).await?;
    } else {
        sqlx::query(&db.sql("UPDATE container SET updated_at = ? WHERE id = ?"))
            .bind(now)
            .bind(container)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Added::Created(version))
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
