//! Retention: after each new version, a container keeps its newest
//! `container_versions_kept` versions (server configuration, default 20)
//! and prunes older ones — except the deployed version, versions any job
//! (enabled or not) names by label, and versions a live instance runs,
//! which are kept whatever their age. Bytes no other version names leave
//! the artifact store, as with a deletion.

use super::delete::{delete_versions, jobs_naming, remove_unreferenced};
use crate::ids::Id;
use crate::state::AppState;
use std::collections::HashSet;

/// Prunes the old versions of container `name` of `app`; returns the
/// labels removed.
pub(crate) async fn prune(state: &AppState, app: Id, name: &str) -> Result<Vec<String>, sqlx::Error> {
    let db = &state.db;
    let kept = usize::try_from(state.config.container_versions_kept).unwrap_or(usize::MAX).max(1);
    let versions: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(&db.sql(
        "SELECT v.id, v.label, v.digest, c.deployed_version_id FROM container_version v \
         JOIN container c ON c.id = v.container_id WHERE c.app_id = ? AND c.name = ? \
         ORDER BY v.created_at DESC, v.id DESC",
    ))
    .bind(app.0)
    .bind(name)
    .fetch_all(db.pool())
    .await?;
    if versions.len() <= kept {
        return Ok(Vec::new());
    }
    let pinned: HashSet<String> = jobs_naming(db, app, name).await?.into_iter().filter_map(|j| j.label).collect();
    let live: Vec<(String,)> = sqlx::query_as(&db.sql(
        "SELECT DISTINCT container_digest FROM job_instance WHERE app_id = ? AND container_digest IS NOT NULL \
         AND status IN ('WAITING_DISPATCH', 'WAITING_WORKER_RECEIVE', 'RUNNING')",
    ))
    .bind(app.0)
    .fetch_all(db.pool())
    .await?;
    let live: HashSet<String> = live.into_iter().map(|(d,)| d).collect();
    let doomed: Vec<(i64, String, String)> = versions
        .into_iter()
        .skip(kept)
        .filter(|(id, label, digest, deployed)| {
            *deployed != Some(*id) && !pinned.contains(label) && !live.contains(digest)
        })
        .map(|(id, label, digest, _)| (id, label, digest))
        .collect();
    if doomed.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = doomed.iter().map(|(id, ..)| *id).collect();
    delete_versions(db, &ids).await?;
    let labels: Vec<String> = doomed.iter().map(|(_, label, _)| label.clone()).collect();
    tracing::info!(%app, container = name, pruned = ?labels, kept, "old container versions pruned");
    state.scheduler.containers_changed();
    let digests: Vec<String> = doomed.into_iter().map(|(_, _, digest)| digest).collect();
    remove_unreferenced(state, &digests).await;
    Ok(labels)
}
