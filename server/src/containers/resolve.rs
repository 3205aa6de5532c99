//! Which artifact a job runs: its `processorInfo` names a container —
//! whose deployed version runs — or `container@label`, one version.

use crate::db::Database;
use crate::ids::Id;

/// The artifact a dispatcher sends a worker to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedArtifact {
    /// The container's name.
    pub container: String,
    /// The version's label.
    pub version: String,
    /// sha256 of the component: `GET /api/v1/artifacts/{digest}`.
    pub digest: String,
    /// Size of the component in bytes.
    pub size: u64,
}

/// Resolves a WASM job's `processor_info` in app `app_id`:
/// `container` (the deployed version) or `container@label`. The inner
/// `Err` is a sentence for the instance's result when there is nothing to
/// run.
pub async fn resolve(
    db: &Database,
    app_id: Id,
    processor_info: &str,
) -> Result<Result<ResolvedArtifact, String>, sqlx::Error> {
    let (container, label) = match processor_info.trim().split_once('@') {
        Some((container, label)) => (container, Some(label)),
        None => (processor_info.trim(), None),
    };
    let found: Option<(i64, Option<i64>)> =
        sqlx::query_as(&db.sql("SELECT id, deployed_version_id FROM container WHERE app_id = ? AND name = ?"))
            .bind(app_id.0)
            .bind(container)
            .fetch_optional(db.pool())
            .await?;
    let Some((container_id, deployed)) = found else {
        return Ok(Err(format!("app has no container `{container}`")));
    };
    let version: Option<(String, String, i64)> = match (label, deployed) {
        (Some(label), _) => {
            sqlx::query_as(
                &db.sql("SELECT label, digest, size_bytes FROM container_version WHERE container_id = ? AND label = ?"),
            )
            .bind(container_id)
            .bind(label)
            .fetch_optional(db.pool())
            .await?
        }
        (None, Some(deployed)) => {
            sqlx::query_as(
                &db.sql("SELECT label, digest, size_bytes FROM container_version WHERE container_id = ? AND id = ?"),
            )
            .bind(container_id)
            .bind(deployed)
            .fetch_optional(db.pool())
            .await?
        }
        (None, None) => None,
    };
    Ok(match (version, label) {
        (Some((version, digest, size)), _) => Ok(ResolvedArtifact {
            container: container.to_string(),
            version,
            digest,
            size: u64::try_from(size).unwrap_or_default(),
        }),
        (None, Some(label)) => Err(format!("container `{container}` has no version `{label}`")),
        (None, None) => Err(format!("container `{container}` has no deployed version")),
    })
}
