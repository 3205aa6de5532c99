//! Revoking worker links. A link is authorised by the bearer token that
//! opened it and lives no longer than that token:
//!
//! - rotating an app's secret, deleting the app, and logging out with the
//!   token close the links this server holds at once ([`revoke_app`],
//!   [`revoke_token`]);
//! - every link re-checks its token against the database every
//!   [`RECHECK_EVERY`] ([`check`]), so a revocation made through another
//!   server that shares the database, an account that is gone or no longer
//!   administers the server, or a token deleted by hand closes it within
//!   that time; and a link closes when its token expires.
//!
//! A revoked link is sent nothing more and closes with the reason. The
//! attempts it held end: the other workers of each are told to stop
//! (which ends the peer sessions of the attempt: those are authorised by a
//! peer token the server handed out with the attempt's dispatch, and end
//! with it) and the attempt fails, retried if its job allows it.

use super::registry::ConnectedWorker;
use crate::auth::tokens;
use crate::ids::{Id, now_ms};
use crate::instances::model::InstanceStatus;
use crate::scheduler::reports;
use crate::state::AppState;
use std::sync::Arc;
use std::time::Duration;

/// How often a link re-checks its token against the database: the longest
/// a revocation made through another server takes to close it.
pub const RECHECK_EVERY: Duration = Duration::from_secs(3);

/// Why a token no longer authorises a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lapse {
    /// It was deleted, or no longer speaks for what the link serves: the
    /// link's attempts end with it.
    Revoked(String),
    /// It expired: the link closes and the worker logs in again.
    Expired,
}

impl Lapse {
    /// The reason the link is closed with.
    pub fn reason(&self) -> &str {
        match self {
            Lapse::Revoked(why) => why,
            Lapse::Expired => "the worker's token expired; log in again",
        }
    }
}

/// The expiry (Unix ms) of the token `token_hash` when it still
/// authorises a worker link of `app` (`None`: a shared pool worker, which
/// needs an administrator's token); otherwise why not.
pub async fn check(state: &AppState, token_hash: &str, app: Option<Id>) -> Result<Result<i64, Lapse>, sqlx::Error> {
    let Some(token) = tokens::lookup(&state.db, token_hash).await? else {
        return Ok(Err(Lapse::Revoked("the worker's token was revoked".into())));
    };
    if token.expires_at < now_ms() as i64 {
        return Ok(Err(Lapse::Expired));
    }
    let authorised = match app {
        Some(app) => token.app_id == Some(app.0),
        None => token.user_id.is_some() && token.admin == Some(true),
    };
    if !authorised {
        return Ok(Err(Lapse::Revoked("the worker's token no longer authorises this link".into())));
    }
    Ok(Ok(token.expires_at))
}

/// Closes the links of app `app`'s workers (its secret was rotated, or it
/// was deleted); returns how many.
pub async fn revoke_app(state: &AppState, app: Id, reason: &str) -> usize {
    revoke_matching(state, |w| w.app_id == Some(app), reason).await
}

/// Closes the links opened with `token` (it was revoked); returns how many.
pub async fn revoke_token(state: &AppState, token: &str, reason: &str) -> usize {
    let hash = tokens::token_hash(token);
    revoke_matching(state, |w| w.token_hash == hash, reason).await
}

/// Revokes one link whose token lapsed: it closes, and when the token was
/// revoked (not merely expired) the attempts it held end.
pub async fn lapsed(state: &AppState, worker: &Arc<ConnectedWorker>, lapse: &Lapse) {
    if !worker.revoke(lapse.reason()) {
        return;
    }
    tracing::warn!(address = %worker.address, reason = lapse.reason(), "closing a worker link: its token lapsed");
    if let Lapse::Revoked(why) = lapse {
        end_held(state, worker, why).await;
    }
}

async fn revoke_matching(state: &AppState, matching: impl Fn(&ConnectedWorker) -> bool, reason: &str) -> usize {
    let revoked: Vec<_> = state.workers.all().into_iter().filter(|w| matching(w) && w.revoke(reason)).collect();
    for worker in &revoked {
        tracing::warn!(address = %worker.address, %reason, "closing a worker link: its token was revoked");
        end_held(state, worker, reason).await;
    }
    revoked.len()
}

/// Ends the attempts a revoked link held: their other workers stop and the
/// attempts fail (retried if their jobs allow it).
async fn end_held(state: &AppState, worker: &ConnectedWorker, reason: &str) {
    let why = format!("worker {} lost its authorisation: {reason}", worker.address);
    for (instance_id, _) in worker.unfinished() {
        if let Err(e) = end_attempt(state, Id(instance_id), &why).await {
            tracing::error!(instance = instance_id, error = %e, "cannot end an attempt of a revoked worker");
        }
    }
}

async fn end_attempt(state: &AppState, instance: Id, why: &str) -> Result<(), sqlx::Error> {
    use InstanceStatus::{Running, WaitingWorkerReceive};
    let Some(instance) = crate::instances::store::fetch(&state.db, instance).await? else { return Ok(()) };
    if !matches!(instance.status, Running | WaitingWorkerReceive) {
        return Ok(());
    }
    let job = crate::jobs::store::fetch(&state.db, instance.job_id).await?;
    reports::stop_on_worker(state, &instance, why);
    reports::server_failure(state, &instance, job.as_ref(), why).await
}
